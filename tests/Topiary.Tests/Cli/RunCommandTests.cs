// `topiary run`: a tiny recipe end to end through the CLI (report.json in snake_case beside the model files, the
// container runnable by `evaluate`), --resume reusing the stages, and bad recipes / bad plans as bad input (exit 2)
// before any training.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Tests.IO;
using Topiary.Tests.Recipes;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public class RunCommandTests
{
    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task Run_writes_models_onnx_and_report_and_resumes()
    {
        using var dir = new TempDirectory();
        string recipe = dir.File("tiny.yaml");
        await File.WriteAllTextAsync(recipe, RecipeRunnerTests.Tiny);
        string outDir = Path.Combine(dir.Path, "out");
        Assert.Equal(0, await CliApp.RunAsync(["run", "--recipe", recipe, "--out", outDir, "--json", dir.File("r.json")]));
        foreach (string f in new[] { "report.json", "reference.safetensors", "pruned.safetensors", "model.tpz", "exported/tiny.onnx" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "report.json"))))
        {
            var root = json.RootElement;
            Assert.Equal("lenet-300-100", root.GetProperty("model").GetString());
            Assert.Equal("magnitude/iterative", root.GetProperty("pruned").GetProperty("method").GetString());
            Assert.True(root.GetProperty("compressed").GetProperty("compression").GetDouble() > 20);
            Assert.Equal(4, root.GetProperty("stages").GetArrayLength());
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(outDir, "report.json")), await File.ReadAllTextAsync(dir.File("r.json")));
        }
        Assert.Equal(0, await CliApp.RunAsync(["evaluate", "--model-file", Path.Combine(outDir, "model.tpz")]));

        Assert.Equal(0, await CliApp.RunAsync(["run", "--recipe", recipe, "--out", outDir, "--resume"]));
        using var again = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "report.json")));
        Assert.Equal([true, true, true, false], again.RootElement.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("resumed").GetBoolean()));
    }

    [Theory]
    [InlineData("model: lenet-300-100\ndataset: mnist\ntrain: { epochs: 1 }\nprune: { method: magnitude, hardware: host, targets: { fc1: 0.5 } }\n")]
    [InlineData("model: lenet-5\ndataset: mnist\ntrain: { epochs: 1 }\nprune: { method: scalpel, targets: { fc1: 0.5 } }\ncompress: { bits: 5 }\n")]
    public async Task Bad_recipe_or_plan_is_a_bad_input_before_any_work(string yaml)
    {
        using var dir = new TempDirectory();
        string recipe = dir.File("bad.yaml");
        await File.WriteAllTextAsync(recipe, yaml);
        string outDir = Path.Combine(dir.Path, "out");
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["run", "--recipe", recipe, "--out", outDir]));
        Assert.False(File.Exists(Path.Combine(outDir, "reference.safetensors")));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["run", "--recipe", dir.File("missing.yaml"), "--out", outDir]));
    }
}
