// The pruning-method contract: every registered method's settings come from its registration (recipe keys, flag
// parsing with the same checks and messages, writer round trip); the random method — added as one file and one
// registration line — is reachable from a recipe, from `topiary prune --method random` and from the report; the
// random pruner is seeded, nested across rounds, refuses thresholds and prunes exactly the asked fraction.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Recipes;
using Topiary.Tests.IO;
using Topiary.Settings;

namespace Topiary.Tests.Pruning.Methods;

[Collection("Console")]
public class PruningMethodsTests
{
    [Fact]
    public void Every_registration_names_distinct_methods_with_documented_snake_case_settings()
    {
        Assert.Equal(PruningMethods.Names.Count, PruningMethods.Names.Distinct().Count());
        Assert.Contains("random", PruningMethods.Names);
        foreach (var m in PruningMethods.All)
        {
            Assert.Matches("^[a-z][a-z0-9-]*$", m.Name);
            Assert.IsType(m.OptionsType, m.DefaultOptions());
            foreach (var o in m.Options)
            {
                Assert.Matches("^[a-z][a-z0-9_]*$", o.Key);
                Assert.False(string.IsNullOrWhiteSpace(o.Description), $"{m.Name}.{o.Key} has no description");
                Assert.Equal("--" + o.Key.Replace('_', '-'), o.Flag);
            }
            Assert.Same(m, PruningMethods.Get(m.Name.ToUpperInvariant()));
        }
    }

    [Fact]
    public void Unknown_method_names_are_refused_with_a_suggestion()
    {
        var e = Assert.Throws<SettingValueException>(() => PruningMethods.Get("randm"));
        Assert.Contains("'method' must be one of magnitude, scalpel, energy-aware, channel, random; got 'randm'", e.Message, StringComparison.Ordinal);
        Assert.Equal("(did you mean 'random'?)", e.Suffix);
    }

    [Theory]
    [InlineData("energy-aware", "passes", "0", "'passes' must be in [1, 1000], got 0")]
    [InlineData("energy-aware", "tolerance", "x", "'tolerance' must be a number, got 'x'")]
    [InlineData("energy-aware", "per_layer_tolerance", "yes", "'per_layer_tolerance' must be true or false, got 'yes'")]
    [InlineData("scalpel", "simd_width", "3", "'simd_width' must be one of 2, 4, 8, 16; got 3")]
    [InlineData("scalpel", "hardware", "tpu", "'hardware' must be one of host, cortex-m4, gpu; got 'tpu'")]
    [InlineData("channel", "channel_sparsity", "1", "'channel_sparsity' must be in [0, 1), got 1")]
    [InlineData("channel", "criterion", "bn", "'criterion' must be one of l1, l2, bn-scale, taylor, random; got 'bn'")]
    [InlineData("random", "granularity", "simd3", "'granularity' must be one of element, row, filter, kernel, vector, simd, simd2, simd4, simd8, simd16; got 'simd3'")]
    public void Settings_reject_bad_values_naming_the_key(string method, string key, string text, string expected)
    {
        var option = PruningMethods.Get(method).Options.Single(o => o.Key == key);
        var e = Assert.Throws<SettingValueException>(() => option.Parse(text));
        Assert.Equal(key, e.Key);
        Assert.Equal(expected, e.Problem);
    }

    [Fact]
    public void Lists_refuse_empty_and_repeated_names()
    {
        var layers = PruningMethods.Get("energy-aware").Options.Single(o => o.Key == "layers");
        Assert.Equal(new NameList(["fc1", "conv2"]), layers.Parse("fc1, conv2"));
        Assert.Contains("listed twice", Assert.Throws<SettingValueException>(() => layers.Parse("fc1,fc1")).Message, StringComparison.Ordinal);
        Assert.Contains("is empty", Assert.Throws<SettingValueException>(() => layers.ParseList([])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cross_setting_checks_blame_the_right_key()
    {
        var channel = PruningMethods.Get("channel");
        var none = channel.DefaultOptions();
        Assert.Equal("macs_reduction", Assert.Throws<SettingValueException>(() => channel.Check(none, default)).Key);
        var both = channel.CreateOptions(new Dictionary<string, object?> { ["macs_reduction"] = 2.0, ["channel_sparsity"] = 0.5 });
        Assert.Equal("channel_sparsity", Assert.Throws<SettingValueException>(() => channel.Check(both, default)).Key);
        var scalpel = PruningMethods.Get("scalpel");
        Assert.Equal("schedule", Assert.Throws<SettingValueException>(() => scalpel.Check(scalpel.DefaultOptions(), new SharedSettings(ScheduleKind.Agp, false, 1))).Key);
        Assert.Equal("scope", Assert.Throws<SettingValueException>(() => scalpel.Check(scalpel.DefaultOptions(), new SharedSettings(ScheduleKind.OneShot, true, 0))).Key);
        Assert.False(scalpel.NeedsTargets(new ScalpelSettings { Hardware = "gpu" }));
        Assert.True(PruningMethods.Get("random").NeedsTargets(new RandomSettings()));
        Assert.Throws<ArgumentException>(() => channel.CreateOptions(new Dictionary<string, object?> { ["hardware"] = "host" }));
        Assert.Throws<ArgumentException>(() => channel.Create(new MagnitudeSettings()));
    }

    [Fact]
    public void A_random_recipe_loads_round_trips_and_refuses_other_methods_keys()
    {
        const string yaml = "model: lenet-300-100\ndataset: mnist\ntrain: { epochs: 1 }\nprune:\n  method: random\n  granularity: row\n  schedule: iterative\n  rounds: 2\n  targets: { fc1: 0.5 }\n";
        Recipe r = RecipeLoader.LoadFromString(yaml, "r.yaml");
        Assert.Equal("random", r.Prune.Method);
        Assert.Equal(new RandomSettings { Granularity = GranularityKind.Row }, r.Prune.Settings);
        Assert.Equal(r, RecipeLoader.LoadFromString(RecipeWriter.ToYaml(r), "w.yaml"));
        Assert.IsType<RandomPruning>(RecipeSchedules.Method(r));
        var e = Assert.Throws<RecipeException>(() => RecipeLoader.LoadFromString(yaml.Replace("granularity: row", "criterion: l2"), "r.yaml"));
        Assert.Contains("'criterion' does not apply to method random; it is a key of method magnitude and channel at line 6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_pruner_is_seeded_nested_and_exact()
    {
        var layer = PrunableLayer.Find(ModelZoo.Create("lenet-300-100", 1)).Single(l => l.Name == "fc2");
        int n = layer.Weight.Value.Data.Length;
        var a = new RandomPruner(ElementGranularity.Instance, 7).ComputeMask(layer, new SparsityTarget(0.3)).Data;
        var b = new RandomPruner(ElementGranularity.Instance, 7).ComputeMask(layer, new SparsityTarget(0.3)).Data;
        var c = new RandomPruner(ElementGranularity.Instance, 8).ComputeMask(layer, new SparsityTarget(0.3)).Data;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal((int)Math.Round(0.7 * n), (int)a.Sum());
        // Not magnitude order: some kept weights are smaller than some removed ones.
        var w = layer.Weight.Value.Data;
        float keptMin = Enumerable.Range(0, n).Where(i => a[i] != 0).Min(i => Math.Abs(w[i]));
        float removedMax = Enumerable.Range(0, n).Where(i => a[i] == 0).Max(i => Math.Abs(w[i]));
        Assert.True(keptMin < removedMax);
        // A second, stronger round removes a superset.
        var pruner = new RandomPruner(ElementGranularity.Instance, 7);
        pruner.Apply(layer, new SparsityTarget(0.3));
        var second = pruner.ComputeMask(layer, new SparsityTarget(0.6)).Data;
        Assert.All(Enumerable.Range(0, n), i => Assert.True(second[i] <= a[i]));
        Assert.Equal((int)Math.Round(0.4 * n), (int)second.Sum());
        Assert.Throws<ArgumentException>(() => pruner.ComputeMask(layer, new StdThresholdTarget(1.0)));
        // Row granularity removes whole rows (of an unpruned layer).
        layer = PrunableLayer.Find(ModelZoo.Create("lenet-300-100", 1)).Single(l => l.Name == "fc2");
        var rows = new RandomPruner(RowGranularity.Instance, 1).ComputeMask(layer, new SparsityTarget(0.5));
        int cols = layer.Weight.Value.Shape[1];
        for (int r = 0; r < layer.Weight.Value.Shape[0]; r++)
            Assert.Single(rows.Data.Skip(r * cols).Take(cols).Distinct());
    }

    [Fact]
    public void A_random_recipe_runs_through_the_recipe_runner_and_its_report_names_the_method()
    {
        using var dir = new TempDirectory();
        string model = Path.Combine(dir.Path, "m.safetensors");
        ModelFile.Save(model, "lenet-300-100", ModelZoo.Create("lenet-300-100", 1), new Dictionary<string, string> { ["dataset"] = "mnist" });
        Recipe r = RecipeLoader.LoadFromString($"model_file: {model}\ndataset: mnist\ntrain_limit: 500\nprune:\n  method: random\n  granularity: row\n" +
            "  targets: { fc1: 0.5, fc2: 0.25 }\n  retrain: { epochs_per_round: 0 }\n", "random.yaml");
        var report = RecipeRunner.Run(r, new RecipeRunOptions { OutputDirectory = Path.Combine(dir.Path, "out") });
        Assert.Equal("random/one-shot", report.Pruned.Method);
        Assert.Equal(0.5, report.Pruned.Layers.Single(l => l.Name == "fc1").KeptFraction, 3);
        Assert.Equal(0.75, report.Pruned.Layers.Single(l => l.Name == "fc2").KeptFraction, 3);
        Assert.Equal(1.0, report.Pruned.Layers.Single(l => l.Name == "fc3").KeptFraction);
        Assert.Equal("random/one-shot", ModelFile.Load(report.Pruned.ModelFile).Metadata["pruned"]);
    }

    [Fact]
    public async Task Prune_method_random_runs_from_the_command_line_and_reports_its_label()
    {
        using var dir = new TempDirectory();
        string model = Path.Combine(dir.Path, "m.safetensors");
        ModelFile.Save(model, "lenet-300-100", ModelZoo.Create("lenet-300-100", 1), new Dictionary<string, string> { ["dataset"] = "mnist" });
        string outPath = Path.Combine(dir.Path, "p.safetensors"), json = Path.Combine(dir.Path, "p.json");
        // A setting of another method is refused before any work.
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["prune", "--model-file", model, "--method", "random", "--targets", "fc1=0.5", "--hardware", "gpu", "--out", outPath]));
        Assert.False(File.Exists(outPath));
        Assert.Equal(0, await CliApp.RunAsync(["prune", "--model-file", model, "--method", "random", "--granularity", "row", "--targets", "fc1=0.5",
            "--schedule", "one-shot", "--epochs-per-round", "0", "--seed", "5", "--out", outPath, "--json", json]));
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal("random/one-shot", report.RootElement.GetProperty("schedule").GetString());
        var fc1 = report.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "fc1");
        Assert.Equal(0.5, fc1.GetProperty("kept_fraction").GetDouble(), 3);
        Assert.Equal("random/one-shot", ModelFile.Load(outPath).Metadata["pruned"]);
    }
}
