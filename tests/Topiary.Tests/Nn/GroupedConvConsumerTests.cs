// The consumers of Conv2d outside the layer with grouped, dilated and asymmetrically padded convolutions: MAC counts
// (OpCounter, LayerWorkload) are OC·(C/G)·KH·KW·OH·OW; layer shapes carry the groups and refuse dilation and uneven
// pads by name; structural removal leaves boundaries at grouped convolutions untouched (with a note) and folds dead
// constants through an AvgPool2d that does not count padding; GlobalMaxPool2d is a per-channel boundary op.
using Topiary.Hardware;
using Topiary.Models.Shapes;
using Topiary.Nn;
using Topiary.Pruning.Structure;
using Topiary.Tensors;
using static Topiary.Tests.Pruning.Structure.StructureTestHelpers;

namespace Topiary.Tests.Nn;

public class GroupedConvConsumerTests
{
    private static Sequential MobileBlock(Random rng) => new Sequential()
        .Add("stem", new Conv2d(3, 8, (3, 3), rng, (2, 2), (0, 0, 1, 1)))
        .Add("dw", new Conv2d(8, 8, 3, rng, padding: 2, groups: 8, dilation: 2))
        .Add("pw", new Conv2d(8, 12, 1, rng, groups: 2));

    [Fact]
    public void Mac_counts_use_the_group_fan_in()
    {
        var model = MobileBlock(new Random(1));
        // stem: 13x13 → ⌊(13 + 1 − 3)/2⌋ + 1 = 6; dw keeps 6x6 (dilated 5x5 window, pads 2); pw 1x1.
        var ops = OpCounter.Count(model, [3, 13, 13]);
        Assert.Equal(8L * 3 * 9 * 36, ops[0].Macs);
        Assert.Equal(8L * 1 * 9 * 36, ops[1].Macs);
        Assert.Equal(12L * 4 * 1 * 36, ops[2].Macs);
        var work = LayerWorkload.FromModel(model, [3, 13, 13]);
        Assert.Equal(ops.Select(o => o.Macs), work.Select(w => w.DenseMacs));
        Assert.Equal(9, work[1].Cols);
        Assert.Equal(4, work[2].Cols);
    }

    [Fact]
    public void Layer_shapes_carry_groups_and_refuse_dilation_and_uneven_pads_by_name()
    {
        var rng = new Random(2);
        var grouped = new Sequential().Add("dw", new Conv2d(8, 8, 3, rng, padding: 1, groups: 8)).Add("pw", new Conv2d(8, 4, 1, rng));
        var shape = NetworkShape.FromModel(grouped, [8, 10, 10]);
        Assert.Equal(8, shape["dw"].Groups);
        Assert.Equal(OpCounter.TotalMacs(grouped, [8, 10, 10]), shape.TotalMacs);

        var dilated = new Sequential().Add("conv", new Conv2d(2, 2, 3, rng, dilation: 2));
        Assert.Contains("'conv'", Assert.Throws<ArgumentException>(() => NetworkShape.FromModel(dilated, [2, 9, 9])).Message);
        var asymmetric = new Sequential().Add("same", new Conv2d(2, 2, (3, 3), rng, (2, 2), (0, 0, 1, 1)));
        var ex = Assert.Throws<ArgumentException>(() => NetworkShape.FromModel(asymmetric, [2, 9, 9]));
        Assert.Contains("'same'", ex.Message);
        Assert.Contains("bottom 1", ex.Message);
    }

    [Fact]
    public void Structural_removal_leaves_grouped_boundaries_untouched_with_a_note()
    {
        var rng = new Random(3);
        var conv1 = new Conv2d(2, 4, 3, rng);
        var dw = new Conv2d(4, 4, 3, rng, groups: 4);
        var conv3 = new Conv2d(4, 3, 1, rng);
        var model = new Sequential().Add("conv1", conv1).Add("relu1", new ReLU()).Add("dw", dw).Add("relu2", new ReLU()).Add("conv3", conv3);
        var m1 = Ones(conv1.Weight); ZeroRow(m1, 1); conv1.Weight.SetMask(m1);   // conv1 channel 1 has no inputs
        var m2 = Ones(dw.Weight); ZeroRow(m2, 2); dw.Weight.SetMask(m2);         // dw channel 2 has no inputs
        var x = Tensor.RandomUniform(new Random(4), 1f, 2, 2, 9, 9);
        var before = Eval(model, x);

        var report = DeadNeuronRemover.Remove(model);

        Assert.False(report.Changed);
        Assert.Equal([4, 1, 3, 3], dw.Weight.Value.Shape.ToArray());
        Assert.Contains(report.Notes, n => n.Producer == "conv1" && n.Reason.Contains("'dw' is a grouped convolution", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.Producer == "dw" && n.Reason.Contains("'dw' is a grouped convolution (groups = 4)", StringComparison.Ordinal));
        AssertClose(before, Eval(model, x));
    }

    [Theory]
    [InlineData(true, false)]   // count_include_pad = false: a constant channel stays constant, so it folds
    [InlineData(false, true)]   // GlobalMaxPool2d is per channel
    public void Dead_constant_channels_fold_through_non_counting_avg_pools_and_global_max_pools(bool avg, bool globalMax)
    {
        var rng = new Random(5);
        var conv = new Conv2d(2, 5, 3, rng);
        Module pool = avg ? new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false) : new GlobalMaxPool2d();
        int features = globalMax ? 5 : 5 * 4 * 4; // 7x7 → ⌈(7 + 2 − 3)/2⌉ + 1 = 4
        var fc = new Linear(features, 3, rng);
        var model = new Sequential().Add("conv", conv).Add("relu", new ReLU()).Add("pool", pool).Add("flatten", new Flatten()).Add("fc", fc);
        var m = Ones(conv.Weight); ZeroRow(m, 2); conv.Weight.SetMask(m);
        conv.Bias!.Value.Data[2] = 0.3f;
        var x = Tensor.RandomUniform(new Random(6), 1f, 3, 2, 9, 9);
        var before = Eval(model, x);

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal(4, conv.OutChannels);
        Assert.Empty(report.Notes);
        AssertClose(before, Eval(model, x));
    }
}
