// Recipes with `method: channel`: every key loads into ChannelSettings and means the same ChannelPruningOptions as the
// CLI flags; ToYaml -> Load is the identity; keys of other methods, missing or double targets, agp and unknown
// retrain keys are rejected naming line and key; the plan check refuses compress and unknown protected layers.
using Topiary.Models;
using Topiary.Pruning.Channels;
using Topiary.Pruning.Methods;
using Topiary.Recipes;

namespace Topiary.Tests.Recipes;

public class ChannelRecipeTests
{
    private const string Yaml =
        """
        model_file: r20.safetensors
        dataset: fashion-mnist
        seed: 3
        prune:
          method: channel
          criterion: bn-scale
          macs_reduction: 2.5
          round_to: 8
          max_ratio: 0.75
          ranking: layer
          protect: [stem, layer1.0.body.conv1]
          bn_penalty: 1.0e-4
          taylor_batches: 4
          schedule: iterative
          rounds: 3
          retrain:
            epochs_per_round: 2
            final_epochs: 1
            lr_scale: 0.05
        export:
          onnx: model.onnx
        """;

    private static Recipe Load(string yaml) => RecipeLoader.LoadFromString(yaml, "c.yaml");

    private static RecipeException Reject(string yaml) => Assert.Throws<RecipeException>(() => Load(yaml));

    private static string Replace(string from, string to)
    {
        Assert.Contains(from, Yaml, StringComparison.Ordinal);
        return Yaml.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_key_loads_and_becomes_the_channel_options()
    {
        Recipe r = Load(Yaml);
        Assert.Equal("channel", r.Prune.Method);
        ChannelSettings c = Assert.IsType<ChannelSettings>(r.Prune.Settings);
        Assert.Equal(ChannelCriterion.BnScale, c.Criterion);
        Assert.Equal(2.5, c.MacsReduction);
        Assert.Null(c.ChannelSparsity);
        Assert.Equal(RankingKind.Layer, c.Ranking);
        Assert.Equal(["stem", "layer1.0.body.conv1"], c.Protect!.ToArray());

        var o = new ChannelMethod(c).Options(RecipeSchedules.Schedule(r, "ck.json", resume: true));
        Assert.Equal(ChannelCriterion.BnScale, o.Criterion);
        Assert.Equal(new ChannelTarget { MacsReduction = 2.5, Global = false, MaxRatio = 0.75, RoundTo = 8 }, o.Target);
        Assert.Equal(["stem", "layer1.0.body.conv1"], o.Protect);
        Assert.Equal((3, 2, 1, 0.05f, 4, 1e-4f, 3), (o.Rounds, o.EpochsPerRound, o.FinalEpochs, o.LearningRateScale, o.TaylorBatches, o.BnScalePenalty, o.Seed));
        Assert.Equal("ck.json", o.CheckpointPath);
        Assert.True(o.Resume);
        o.Validate();
    }

    [Fact]
    public void Defaults_are_the_cli_defaults_and_no_retrain_means_no_data()
    {
        Recipe r = Load("model_file: r20.safetensors\ndataset: mnist\nprune:\n  method: channel\n  channel_sparsity: 0.5\n");
        var o = new ChannelMethod((ChannelSettings)r.Prune.Settings).Options(RecipeSchedules.Schedule(r, null, resume: true));
        Assert.Equal(new ChannelTarget { ChannelSparsity = 0.5, Global = true, MaxRatio = 0.9, RoundTo = 1 }, o.Target);
        Assert.Equal((ChannelCriterion.L1, 1, 0, 0, false), (o.Criterion, o.Rounds, o.EpochsPerRound, o.FinalEpochs, o.Resume));
        Assert.Empty(o.Protect);
    }

    [Fact]
    public void Writer_round_trips()
    {
        Recipe r = Load(Yaml);
        string yaml = RecipeWriter.ToYaml(r);
        Recipe back = Load(yaml);
        Assert.Equal(r, back);
        Assert.Equal(yaml, RecipeWriter.ToYaml(back));
        var sparse = Load(Replace("macs_reduction: 2.5", "channel_sparsity: 0.3"));
        Assert.Equal(sparse, Load(RecipeWriter.ToYaml(sparse)));
    }

    [Theory]
    [InlineData("  macs_reduction: 2.5\n", "  macs_reduction: 2.5\n  channel_sparsity: 0.3\n", "not both")]
    [InlineData("  macs_reduction: 2.5\n", "", "needs a target")]
    [InlineData("  macs_reduction: 2.5\n", "  macs_reduction: 0.5\n", "macs_reduction")]
    [InlineData("  schedule: iterative\n", "  schedule: agp\n", "not agp")]
    [InlineData("  criterion: bn-scale\n", "  criterion: rms\n", "l1, l2, bn-scale, taylor, random")]
    [InlineData("  ranking: layer\n", "  ranking: local\n", "global, layer")]
    [InlineData("  round_to: 8\n", "  round_to: 0\n", "round_to")]
    [InlineData("  max_ratio: 0.75\n", "  max_ratio: 1\n", "max_ratio")]
    [InlineData("  protect: [stem, layer1.0.body.conv1]\n", "  protect: stem\n", "must be a list")]
    [InlineData("  round_to: 8\n", "  round_to: 8\n  granularity: filter\n", "it is a key of method magnitude")]
    [InlineData("    lr_scale: 0.05\n", "    lr_scale: 0.05\n    regularization: l1\n", "regularization")]
    public void Bad_channel_recipes_are_rejected_naming_the_key(string from, string to, string expected)
    {
        var e = Reject(Replace(from, to));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("c.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_check_refuses_compress_and_unknown_protected_layers()
    {
        var r = Load(Yaml);
        var model = ModelZoo.Create("resnet-20", 1);
        RecipeRunner.CheckPlan(r, "resnet-20", model, [1, 28, 28]);
        var compress = r with { Compress = new CompressSpec() };
        Assert.Contains(".tpz container", Assert.Throws<ArgumentException>(() => RecipeRunner.CheckPlan(compress, "resnet-20", model, [1, 28, 28])).Message, StringComparison.Ordinal);
        var unknown = Load(Replace("protect: [stem, layer1.0.body.conv1]", "protect: [stem, layer9.conv]"));
        Assert.Contains("layer9.conv", Assert.Throws<ArgumentException>(() => RecipeRunner.CheckPlan(unknown, "resnet-20", model, [1, 28, 28])).Message, StringComparison.Ordinal);
    }
}
