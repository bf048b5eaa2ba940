// Every file in recipes/: it loads, round-trips through RecipeWriter, opens with a header comment that names the
// paper, the expected numbers and the command, and its plan passes RecipeRunner's pre-flight check. There is one
// recipe per reproduce target, and the recipes of deep-compression, scalpel and yang2017 say what the reproduce
// commands do (same targets and schedule), so their expected numbers apply.
using Topiary.Experiments;
using Topiary.Models;
using Topiary.Pruning.Methods;
using Topiary.Pruning;
using Topiary.Recipes;

namespace Topiary.Tests.Recipes;

public class RecipeExampleFilesTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(RecipeLoaderTests.RepoFile("recipes"), "*.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    private static Recipe LoadExample(string file) => RecipeLoader.Load(RecipeLoaderTests.RepoFile(Path.Combine("recipes", file)));

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_Loads_RoundTrips_HasAHeader_AndPassesThePlanCheck(string file)
    {
        Recipe r = LoadExample(file);
        Assert.Equal(r, RecipeLoader.LoadFromString(RecipeWriter.ToYaml(r), "round-trip"));
        string[] header = File.ReadLines(RecipeLoaderTests.RepoFile(Path.Combine("recipes", file))).TakeWhile(l => l.StartsWith('#')).ToArray();
        Assert.True(header.Length >= 4, $"{file}: header comment of {header.Length} lines");
        string text = string.Join("\n", header);
        Assert.Matches(@"(19|20)\d\d", text); // the paper's year
        Assert.Contains("Paper", text, StringComparison.Ordinal);
        Assert.Contains("Expected", text, StringComparison.Ordinal);
        Assert.Contains($"topiary run --recipe recipes/{file}", text, StringComparison.Ordinal);
        Assert.NotNull(r.Model);
        RecipeRunner.CheckPlan(r, r.Model!, ModelZoo.Create(r.Model!, r.Seed), ModelZoo.Get(r.Model!).InputShape);
    }

    [Fact]
    public void Every_reproduce_target_has_a_recipe()
    {
        string[] expected =
        [
            "deep-compression-lenet-300-100.yaml", "deep-compression-lenet-5.yaml", "han2015-lenet-300-100.yaml", "han2015-lenet-5.yaml",
            "mao2017-lenet-5.yaml", "scalpel-lenet-300-100.yaml", "scalpel-lenet-5.yaml", "yang2017-lenet-5.yaml",
        ];
        var present = Directory.GetFiles(RecipeLoaderTests.RepoFile("recipes"), "*.yaml").Select(Path.GetFileName).ToHashSet();
        Assert.Subset(present, expected.ToHashSet<string?>());
    }

    [Theory]
    [InlineData("deep-compression-lenet-300-100.yaml")]
    [InlineData("deep-compression-lenet-5.yaml")]
    [InlineData("scalpel-lenet-300-100.yaml")]
    [InlineData("scalpel-lenet-5.yaml")]
    public void Pruning_recipes_use_the_reproduce_commands_schedule(string file)
    {
        Recipe r = LoadExample(file);
        var schedule = RecipeSchedules.Schedule(r, null, resume: false).Iterative(MagnitudePruner.Elementwise);
        var reference = Han2015.DefaultTargets(r.Model!);
        Assert.All(schedule.Targets, kv => Assert.Equal(reference[kv.Key], kv.Value));
        Assert.Equal(file.StartsWith("scalpel-lenet-5", StringComparison.Ordinal) ? 2 : reference.Count, schedule.Targets.Count);
        Assert.Equal((10, 3, 6, 0.5f), (schedule.Rounds, schedule.EpochsPerRound, schedule.FinalEpochs, schedule.LearningRateScale));
        Assert.Equal(ModelZoo.Get(r.Model!).Recipe, r.Train);
        if (r.Compress is { } c)
            Assert.Equal(Topiary.Compression.Quantization.BitsRule.Paper(r.Model!).ToString(), RecipeSchedules.WeightBits(c, r.Model!).ToString());
    }

    [Fact]
    public void Yang2017_recipe_uses_the_reproduce_commands_energy_aware_settings()
    {
        Recipe r = LoadExample("yang2017-lenet-5.yaml");
        var defaults = new Yang2017Options { Model = "lenet-5", WorkDirectory = "unused" };
        var o = Assert.IsType<EnergyAwareSettings>(r.Prune.Settings);
        Assert.Equal((defaults.Tolerance, defaults.Passes, defaults.FineTuneEpochs, defaults.LearningRateScale, defaults.EnergyAwareMinStep),
            (o.Tolerance, o.Passes, o.FineTuneEpochs, (float)o.LrScale, o.MinStep));
        Assert.Equal(defaults.ValidationImages, o.ValidationImages);
        Assert.Equal(defaults.Sampler.Images, o.SampleImages);
        Assert.Equal(ModelZoo.Get("lenet-5").Recipe, r.Train);
    }
}
