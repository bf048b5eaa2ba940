using Topiary.Cli;
using Topiary.Cli.Commands;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Recipes;
using Topiary.Settings;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public class PruneCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-prune-cli-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string SavedModel()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(path, "lenet-300-100", ModelZoo.Create("lenet-300-100", 1), new Dictionary<string, string> { ["dataset"] = "mnist" });
        return path;
    }

    [Fact]
    public void Targets_parse_sparsities_and_s_values_and_reject_malformed_entries()
    {
        var t = TargetsFlag.Parse("fc1=0.92, fc3=s:0.8");
        Assert.Equal(0.92, t["fc1"].Sparsity);
        Assert.Equal(0.8, t["fc3"].S);
        Assert.Contains("fc2", Assert.Throws<ArgumentException>(() => TargetsFlag.Parse("fc2:0.5")).Message);
        Assert.Throws<ArgumentException>(() => TargetsFlag.Parse("fc1=1.5"));
        var granularity = PruningMethods.Get("magnitude").Options.Single(o => o.Key == "granularity");
        Assert.Contains("'granularity' must be one of element, row, filter", Assert.Throws<SettingValueException>(() => granularity.Parse("hexagon")).Message, StringComparison.Ordinal);
        Assert.Equal("simd8", Granularities.Of((GranularityKind)granularity.Parse("simd8")).Name);
        Assert.Equal("vector", Granularities.Of((GranularityKind)granularity.Parse("VECTOR")).Name);
        Assert.Contains("simd2, simd4, simd8, simd16", Assert.Throws<SettingValueException>(() => granularity.Parse("simd3")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_refuses_to_overwrite_its_input_and_rejects_unknown_layers()
    {
        string model = SavedModel();
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["prune", "--model-file", model, "--targets", "fc1=0.5", "--out", model]));
        string outPath = Path.Combine(_dir, "out.safetensors");
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["prune", "--model-file", model, "--targets", "fc9=0.5", "--out", outPath]));
        Assert.False(File.Exists(outPath));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["prune", "--model-file", model, "--out", outPath]));
    }

    [Fact]
    public async Task Structure_channel_with_a_recipe_of_another_method_is_refused()
    {
        string model = SavedModel();
        string recipe = Path.Combine(_dir, "m.yaml");
        await File.WriteAllTextAsync(recipe, $"model_file: {model}\ndataset: mnist\nprune:\n  targets: {{ fc1: 0.5 }}\n");
        string outPath = Path.Combine(_dir, "o.safetensors");
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["prune", "--recipe", recipe, "--structure", "channel", "--out", outPath]));
        Assert.False(File.Exists(outPath));
    }

    [Fact]
    public async Task Invalid_recipe_is_a_bad_input()
    {
        string recipe = Path.Combine(_dir, "r.yaml");
        await File.WriteAllTextAsync(recipe, "model_file: x.safetensors\ndataset: mnist\nprune:\n  rouds: 3\n");
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["prune", "--recipe", recipe, "--out", Path.Combine(_dir, "o.safetensors")]));
    }

    [Fact]
    public void The_han2015_example_recipes_map_to_iterative_schedules_with_their_targets()
    {
        string root = FindRepoRoot();
        foreach (var file in new[] { "han2015-lenet-300-100.yaml", "han2015-lenet-5.yaml" })
        {
            var recipe = RecipeLoader.Load(Path.Combine(root, "recipes", file));
            var spec = RecipeSchedules.Schedule(recipe, "c.ckpt", resume: false);
            Assert.Equal(ScheduleKind.Iterative, spec.Kind);
            Assert.IsType<MagnitudeMethod>(RecipeSchedules.Method(recipe));
            var iterative = spec.Iterative(MagnitudePruner.Elementwise);
            Assert.Equal(recipe.Prune.Rounds, iterative.Rounds);
            Assert.Equal(recipe.Prune.Targets.Count, iterative.Targets.Count);
            Assert.All(iterative.Targets, kv => Assert.NotNull(kv.Value.Sparsity ?? kv.Value.S));
            var layers = PrunableLayer.Find(ModelZoo.Create(recipe.Model!, 1)).Select(l => l.Name).ToHashSet();
            Assert.All(iterative.Targets.Keys, k => Assert.Contains(k, layers));
        }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Topiary.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
