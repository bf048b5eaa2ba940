// Criteria: each score is the sum the criterion defines over the channel's coupled slices, computed by hand here.
using Topiary.Nn;
using Topiary.Pruning.Channels;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Pruning.Channels;

public class ChannelImportanceTests
{
    [Fact]
    public void L1_l2_and_bn_scale_sum_over_coupled_slices()
    {
        var model = (Sequential)ChannelTestModels.Chain(2);
        var deps = ChannelDependencies.Analyse(model, ChannelTestModels.Input);
        var conv1 = (Conv2d)model["conv1"];
        var conv2 = (Conv2d)model["conv2"];
        var bn1 = (BatchNorm)model["bn1"];
        int k = 5;
        // Channel 5 of conv1: its row (2·3·3 weights) and conv2's input 5 (6 rows × 3·3), not the bias.
        var w1 = conv1.Weight.Value.Data;
        var w2 = conv2.Weight.Value.Data;
        var values = Enumerable.Range(0, 18).Select(j => (double)w1[k * 18 + j])
            .Concat(Enumerable.Range(0, 6).SelectMany(o => Enumerable.Range(0, 9).Select(j => (double)w2[o * 72 + k * 9 + j]))).ToArray();
        var l1 = ChannelImportance.Compute(deps, ChannelCriterion.L1);
        var l2 = ChannelImportance.Compute(deps, ChannelCriterion.L2);
        var bn = ChannelImportance.Compute(deps, ChannelCriterion.BnScale);
        Assert.Equal(values.Sum(Math.Abs), l1[0][k], 9);
        Assert.Equal(Math.Sqrt(values.Sum(v => v * v)), l2[0][k], 9);
        Assert.Equal(Math.Abs(bn1.Weight.Value.Data[k]), bn[0][k], 9);
        var r1 = ChannelImportance.Compute(deps, ChannelCriterion.Random, seed: 3);
        var r2 = ChannelImportance.Compute(deps, ChannelCriterion.Random, seed: 3);
        Assert.Equal(r1, r2);
        Assert.NotEqual(r1, ChannelImportance.Compute(deps, ChannelCriterion.Random, seed: 4));
    }

    [Fact]
    public void Taylor_averages_w_times_grad_over_batches()
    {
        var model = ChannelTestModels.Chain(2);
        var deps = ChannelDependencies.Analyse(model, ChannelTestModels.Input);
        Assert.Throws<ArgumentException>(() => ChannelImportance.Compute(deps, ChannelCriterion.Taylor));
        var acc = new TaylorAccumulator();
        var expected = new double[deps.Groups[1].Channels];
        for (int b = 0; b < 2; b++)
        {
            var x = ChannelTestModels.SeededInput(ChannelTestModels.Input, 4, 10 + b);
            model.ZeroGrad();
            var y = model.Forward(x, training: true);
            var g = new Tensor(y.Shape.ToArray());
            SoftmaxCrossEntropy.Compute(y, [0, 1, 2, 3], g);
            model.Backward(g);
            acc.Accumulate(model);
            for (int k = 0; k < expected.Length; k++)
                foreach (var slice in deps.Groups[1].Slices[k])
                {
                    var w = slice.Parameter.Value.Data;
                    var gr = slice.Parameter.Grad.Data;
                    slice.ForEachIndex(i => expected[k] += Math.Abs((double)w[i] * gr[i]) / 2);
                }
        }
        var taylor = ChannelImportance.Compute(deps, ChannelCriterion.Taylor, taylor: acc);
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], taylor[1][k], 9);
        Assert.Contains(taylor[1], v => v > 0);
    }

    [Fact]
    public void Normalise_divides_by_the_group_mean()
    {
        var n = ChannelImportance.Normalise([[1, 3], [0, 0], [2, 2, 8]]);
        Assert.Equal([0.5, 1.5], n[0]);
        Assert.Equal([0.0, 0.0], n[1]);
        Assert.Equal([0.5, 0.5, 2.0], n[2]);
    }
}
