// `topiary run` refuses, with exit code 2, a message naming both options and nothing written, an output that is one of
// its inputs: --json onto the recipe's model_file, and an output directory whose recipe copy (recipe.yaml) is the
// --recipe itself. Each recipe is valid, so without the guard the run would go on and overwrite the input.
using Topiary.Cli;
using Topiary.Models;
using Topiary.Tests.IO;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class RunOutputGuardTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<(int Code, string Error)> Run(params string[] args) => CliRun.WithError(args);

    private string[] Files() => Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Json_onto_the_recipes_model_file_is_refused()
    {
        string model = _dir.File("m.safetensors");
        ModelFile.Save(model, "lenet-300-100", ModelZoo.Create("lenet-300-100", 1), new Dictionary<string, string> { ["dataset"] = "mnist" });
        byte[] before = await File.ReadAllBytesAsync(model);
        string recipe = _dir.File("r.yaml");
        await File.WriteAllTextAsync(recipe, $"model_file: {model}\ndataset: mnist\ntrain_limit: 500\nprune: {{ targets: {{ fc1: 0.5 }} }}\n");
        string[] files = Files();

        var (code, error) = await Run("run", "--recipe", recipe, "--out", Path.Combine(_dir.Path, "out"), "--json", model);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--json", error, StringComparison.Ordinal);
        Assert.Contains("model_file", error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(model));
        Assert.Equal(files, Files());
    }

    [Fact]
    public async Task Output_directory_whose_recipe_copy_is_the_recipe_is_refused()
    {
        string outDir = Path.Combine(_dir.Path, "out");
        Directory.CreateDirectory(outDir);
        string recipe = Path.Combine(outDir, "recipe.yaml");
        string text = "model: lenet-300-100\ndataset: mnist\ntrain_limit: 500\ntrain: { epochs: 1 }\nprune: { targets: { fc1: 0.5 } }\n";
        await File.WriteAllTextAsync(recipe, text);

        var (code, error) = await Run("run", "--recipe", recipe, "--out", outDir);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--recipe", error, StringComparison.Ordinal);
        Assert.Contains("recipe.yaml", error, StringComparison.Ordinal);
        Assert.Equal(text, await File.ReadAllTextAsync(recipe));
        Assert.Equal([recipe], Files());
    }
}
