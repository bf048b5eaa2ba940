// Selection: targets are met exactly as the MAC model predicts (and OpCounter confirms after removal), round_to and
// max_ratio constraints hold, lowest scores go first, and per-layer ranking prunes every group alike.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning.Channels;

namespace Topiary.Tests.Pruning.Channels;

public class ChannelSelectionTests
{
    private static readonly int[] Mnist = [1, 28, 28];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Macs_target_is_reached_and_predicted_exactly(bool global)
    {
        var model = ResNet20.Create(2);
        var deps = ChannelDependencies.Analyse(model, Mnist);
        var scores = ChannelImportance.Compute(deps, ChannelCriterion.L1);
        var sel = ChannelSelection.Choose(deps, scores, new ChannelTarget { MacsReduction = 2, Global = global });
        Assert.True(sel.TargetReached);
        Assert.Equal(OpCounter.TotalMacs(model, Mnist), sel.DenseMacs);
        Assert.True(sel.Macs * 2 <= sel.DenseMacs, $"{sel.Macs} MACs is not half of {sel.DenseMacs}");
        ChannelRemover.Remove(deps, sel.Remove);
        Assert.Equal(sel.Macs, OpCounter.TotalMacs(model, Mnist));
    }

    [Fact]
    public void Round_to_keeps_multiples_and_max_ratio_bounds_each_group()
    {
        var model = ResNet20.Create(3);
        var deps = ChannelDependencies.Analyse(model, Mnist);
        var scores = ChannelImportance.Compute(deps, ChannelCriterion.Random, seed: 4);
        var sel = ChannelSelection.Choose(deps, scores, new ChannelTarget { ChannelSparsity = 0.5, RoundTo = 8, MaxRatio = 0.75 });
        foreach (var g in deps.Groups)
        {
            int kept = g.Channels - (sel.Remove.TryGetValue(g, out var r) ? r.Count : 0);
            Assert.True(kept % 8 == 0, $"{g.Name} keeps {kept} channels, not a multiple of 8");
            Assert.True(kept >= g.Channels / 4, $"{g.Name} keeps {kept} of {g.Channels}: more than 75% removed");
        }
        Assert.True(sel.RemovedChannels >= 0.5 * deps.PrunableChannels);
        ChannelRemover.Remove(deps, sel.Remove);
        foreach (var (_, m) in model.NamedModules())
            if (m is Conv2d c && c.OutChannels != 10) Assert.Equal(0, c.OutChannels % 8);
    }

    [Fact]
    public void Lowest_scores_go_first_and_per_layer_ranking_prunes_every_group_alike()
    {
        var deps = ChannelDependencies.Analyse(ChannelTestModels.Chain(1), ChannelTestModels.Input);
        Assert.Equal(2, deps.Groups.Count); // conv1 (8), conv2 (6)
        double[][] scores = [[5, 1, 7, 3, 8, 2, 6, 4], [1, 9, 2, 8, 3, 7]];
        var local = ChannelSelection.Choose(deps, scores, new ChannelTarget { ChannelSparsity = 0.5, Global = false });
        Assert.Equal([1, 3, 5, 7], local.Remove[deps.Groups[0]]);
        Assert.Equal([0, 2, 4], local.Remove[deps.Groups[1]]);
        // Global: normalised scores compete; the three lowest are group 2's 1/5 and 2/5 of its mean and group 1's 1/4.5.
        var global = ChannelSelection.Choose(deps, scores, new ChannelTarget { ChannelSparsity = 3.0 / 14 });
        Assert.Equal(3, global.RemovedChannels);
        Assert.Equal([0, 2], global.Remove[deps.Groups[1]]);
        Assert.Equal([1], global.Remove[deps.Groups[0]]);
    }

    [Fact]
    public void Unreachable_targets_say_so_and_bad_targets_are_rejected()
    {
        var deps = ChannelDependencies.Analyse(ChannelTestModels.Chain(1), ChannelTestModels.Input);
        var scores = ChannelImportance.Compute(deps, ChannelCriterion.L2);
        var sel = ChannelSelection.Choose(deps, scores, new ChannelTarget { MacsReduction = 1000, MaxRatio = 0.5 });
        Assert.False(sel.TargetReached);
        Assert.Equal(7, sel.RemovedChannels); // 4 of 8 and 3 of 6
        Assert.Throws<ArgumentException>(() => ChannelSelection.Choose(deps, scores, new ChannelTarget()));
        Assert.Throws<ArgumentException>(() => ChannelSelection.Choose(deps, scores, new ChannelTarget { ChannelSparsity = 1.2 }));
        Assert.Throws<ArgumentException>(() => ChannelSelection.Choose(deps, scores, new ChannelTarget { MacsReduction = 0.5 }));
        Assert.Throws<ArgumentException>(() => ChannelSelection.Choose(deps, scores, new ChannelTarget { MacsReduction = 2, RoundTo = 0 }));
        Assert.Throws<ArgumentException>(() => ChannelSelection.Choose(deps, [[1]], new ChannelTarget { MacsReduction = 2 }));
    }
}
