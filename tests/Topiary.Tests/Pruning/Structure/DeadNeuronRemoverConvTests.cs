// DeadNeuronRemover on small conv nets (Conv → [BN] → ReLU → pool → Conv → Flatten → Linear → ReLU →
// Linear): dead channels of both kinds, across Flatten (H·W columns per channel), through BatchNorm2d,
// MaxPool2d, AvgPool2d and GlobalAvgPool2d; guards for padded consumers/pools; an unsupported
// cross-channel op; outputs unchanged and training working after shrinking.
using Topiary.Nn;
using Topiary.Pruning.Structure;
using Topiary.Tensors;
using static Topiary.Tests.Pruning.Structure.StructureTestHelpers;

namespace Topiary.Tests.Pruning.Structure;

public class DeadNeuronRemoverConvTests
{
    private sealed record Net(Sequential Model, Conv2d Conv1, BatchNorm2d? Bn, Conv2d Conv2, Linear Fc1, Linear Fc2);

    // [N, 2, 12, 12] → conv1 6@3x3 (10x10) → [bn1] → relu → pool 2 (5x5) → conv2 5@3x3 (3x3) → flatten (45) → fc1 8 → relu → fc2 3.
    private static Net Build(int seed, bool batchNorm = false, Module? pool = null, int conv2Padding = 0, Module? extra = null)
    {
        var rng = new Random(seed);
        var conv1 = new Conv2d(2, 6, 3, rng);
        var conv2 = new Conv2d(6, 5, 3, rng, padding: conv2Padding);
        int side = conv2Padding == 0 ? 3 : 5;
        var fc1 = new Linear(5 * side * side, 8, rng);
        var fc2 = new Linear(8, 3, rng);
        var model = new Sequential().Add("conv1", conv1);
        BatchNorm2d? bn = null;
        if (batchNorm)
        {
            bn = new BatchNorm2d(6);
            for (int c = 0; c < 6; c++)
            {
                bn.Weight.Value.Data[c] = 0.6f + 0.15f * c;
                bn.Bias.Value.Data[c] = 0.3f - 0.1f * c;
                bn.RunningMean.Data[c] = 0.05f * (c - 2);
                bn.RunningVar.Data[c] = 0.4f + 0.3f * c;
            }
            model.Add("bn1", bn);
        }
        model.Add("relu1", new ReLU());
        if (extra is not null) model.Add("extra", extra);
        model.Add("pool1", pool ?? new MaxPool2d(2))
            .Add("conv2", conv2).Add("flatten", new Flatten())
            .Add("fc1", fc1).Add("relu2", new ReLU()).Add("fc2", fc2);
        return new Net(model, conv1, bn, conv2, fc1, fc2);
    }

    private static Tensor Input(int seed) => Tensor.RandomUniform(new Random(seed), 1f, 4, 2, 12, 12);

    // conv1: ch 1 no inputs (bias 0.4), ch 4 no inputs (bias −0.3), ch 2 no outputs (conv2[:, 2] = 0).
    // conv2: ch 0 no inputs (bias 0.5, folded over its 9 fc1 columns), ch 3 no outputs (fc1 columns 27..35 = 0).
    // fc1:   unit 5 no inputs (bias 0.2).
    private static void MakeDead(Net net)
    {
        var m1 = Ones(net.Conv1.Weight); ZeroRow(m1, 1); ZeroRow(m1, 4); net.Conv1.Weight.SetMask(m1);
        net.Conv1.Bias!.Value.Data[1] = 0.4f;
        net.Conv1.Bias.Value.Data[4] = -0.3f;
        var m2 = Ones(net.Conv2.Weight); ZeroColumns(m2, 2 * 9, 9); ZeroRow(m2, 0); net.Conv2.Weight.SetMask(m2);
        net.Conv2.Bias!.Value.Data[0] = 0.5f;
        var m3 = Ones(net.Fc1.Weight); ZeroColumns(m3, 3 * 9, 9); ZeroRow(m3, 5); net.Fc1.Weight.SetMask(m3);
        net.Fc1.Bias!.Value.Data[5] = 0.2f;
    }

    [Theory]
    [InlineData(false, "max")]
    [InlineData(false, "avg")]
    [InlineData(true, "max")]
    [InlineData(true, "avg")]
    public void DeadChannelsAndNeurons_AreRemoved_OutputUnchanged(bool batchNorm, string pool)
    {
        var net = Build(31, batchNorm, pool == "avg" ? new AvgPool2d(2) : new MaxPool2d(2));
        MakeDead(net);
        var x = Input(32);
        var before = Eval(net.Model, x);
        var w2 = net.Conv2.Weight.Value.Clone();
        var k2 = net.Conv2.Weight.Mask!.Clone();
        var wf = net.Fc1.Weight.Value.Clone();
        var gamma = net.Bn?.Weight.Value.Clone();
        var mean = net.Bn?.RunningMean.Clone();

        var report = DeadNeuronRemover.Remove(net.Model);

        Assert.Equal(new DeadNeuronLayerReport("conv1", "Conv2d", 6, 3, 2, 1, 0), report["conv1"]);
        Assert.Equal(new DeadNeuronLayerReport("conv2", "Conv2d", 5, 3, 1, 1, 0), report["conv2"]);
        Assert.Equal(new DeadNeuronLayerReport("fc1", "Linear", 8, 7, 1, 0, 0), report["fc1"]);
        Assert.Equal(new DeadNeuronLayerReport("fc2", "Linear", 3, 3, 0, 0, 0), report["fc2"]);
        Assert.Empty(report.Notes);
        Assert.Equal([3, 2, 3, 3], net.Conv1.Weight.Value.Shape.ToArray());
        Assert.Equal([3, 3, 3, 3], net.Conv2.Weight.Value.Shape.ToArray());
        Assert.Equal([7, 27], net.Fc1.Weight.Value.Shape.ToArray());
        Assert.Equal([3, 7], net.Fc2.Weight.Value.Shape.ToArray());
        Assert.Equal((3, 3, 3), (net.Conv1.OutChannels, net.Conv2.InChannels, net.Conv2.OutChannels));
        int[] keep1 = Except(6, 1, 2, 4), keep2 = Except(5, 0, 3);
        Assert.Equal(Select(w2, keep2, keep1, 9), net.Conv2.Weight.Value.Data);
        Assert.Equal(Select(k2, keep2, keep1, 9), net.Conv2.Weight.Mask!.Data);
        Assert.Equal(Select(wf, Except(8, 5), keep2, 9), net.Fc1.Weight.Value.Data);
        if (net.Bn is { } bn)
        {
            Assert.Equal(3, bn.Channels);
            Assert.Equal(Select(gamma!, keep1, null), bn.Weight.Value.Data);
            Assert.Equal(Select(mean!, keep1, null), bn.RunningMean.Data);
            Assert.Equal(3, bn.RunningVar.Length);
            Assert.Equal(3, bn.Bias.Length);
        }
        Assert.Equal(net.Model.ParameterCount(), report.ParametersAfter);
        AssertClose(before, Eval(net.Model, x));
        AssertParametersConsistent(net.Model);
        TrainOneStep(net.Model, x);
    }

    [Fact]
    public void PaddedConsumer_KeepsNonZeroConstantChannels()
    {
        var net = Build(33, conv2Padding: 1);
        var m1 = Ones(net.Conv1.Weight); ZeroRow(m1, 1); ZeroRow(m1, 4); net.Conv1.Weight.SetMask(m1);
        net.Conv1.Bias!.Value.Data[1] = 0.4f;        // constant 0.4 would meet zero padding at conv2's borders → kept
        net.Conv1.Bias.Value.Data[4] = -0.3f;        // constant 0 → removed
        var x = Input(34);
        var before = Eval(net.Model, x);

        var report = DeadNeuronRemover.Remove(net.Model);

        Assert.Equal(new DeadNeuronLayerReport("conv1", "Conv2d", 6, 5, 1, 0, 1), report["conv1"]);
        var note = Assert.Single(report.Notes);
        Assert.Equal(("conv1", "conv2"), (note.Producer, note.Consumer));
        Assert.Contains("pads", note.Reason, StringComparison.Ordinal);
        AssertClose(before, Eval(net.Model, x));
    }

    [Fact]
    public void PaddedAvgPool_KeepsNonZeroConstantChannels()
    {
        var net = Build(35, pool: new AvgPool2d(3, 2, 1));   // 10x10 → 5x5, border windows average zero padding in
        var m1 = Ones(net.Conv1.Weight); ZeroRow(m1, 1); ZeroRow(m1, 4); net.Conv1.Weight.SetMask(m1);
        net.Conv1.Bias!.Value.Data[1] = 0.4f;
        net.Conv1.Bias.Value.Data[4] = -0.3f;
        var m2 = Ones(net.Conv2.Weight); ZeroColumns(m2, 0, 9); net.Conv2.Weight.SetMask(m2);   // no-output removal is still exact
        var x = Input(36);
        var before = Eval(net.Model, x);

        var report = DeadNeuronRemover.Remove(net.Model);

        Assert.Equal(new DeadNeuronLayerReport("conv1", "Conv2d", 6, 4, 1, 1, 1), report["conv1"]);
        Assert.Contains(report.Notes, n => n.Reason.Contains("AvgPool2d", StringComparison.Ordinal));
        AssertClose(before, Eval(net.Model, x));
    }

    [Fact]
    public void CrossChannelOp_LeavesTheBoundaryUntouched()
    {
        var net = Build(37, extra: new LocalResponseNorm(3));
        MakeDead(net);
        var x = Input(38);
        var before = Eval(net.Model, x);

        var report = DeadNeuronRemover.Remove(net.Model);

        Assert.Equal(new DeadNeuronLayerReport("conv1", "Conv2d", 6, 6, 0, 0, 2), report["conv1"]);
        Assert.Equal(6, net.Conv2.InChannels);
        Assert.Equal(new DeadNeuronLayerReport("conv2", "Conv2d", 5, 3, 1, 1, 0), report["conv2"]);
        var note = Assert.Single(report.Notes);
        Assert.Equal(("conv1", "conv2"), (note.Producer, note.Consumer));
        Assert.Contains("'extra' (LocalResponseNorm)", note.Reason, StringComparison.Ordinal);
        AssertClose(before, Eval(net.Model, x));
        TrainOneStep(net.Model, x);
    }

    [Fact]
    public void ConvToLinearWithoutFlatten_IsUnsupported()
    {
        // Only the shapes matter for the analysis; this model cannot run.
        var rng = new Random(39);
        var conv = new Conv2d(1, 4, 3, rng);
        var fc = new Linear(4, 2, rng);
        var m = Ones(conv.Weight); ZeroRow(m, 0); conv.Weight.SetMask(m);
        var report = DeadNeuronRemover.Remove(new Sequential().Add("conv", conv).Add("fc", fc));
        Assert.False(report.Changed);
        Assert.Contains("without a Flatten", Assert.Single(report.Notes).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void GlobalAvgPool_MapsOneFeaturePerChannel()
    {
        var rng = new Random(40);
        var conv = new Conv2d(2, 5, 3, rng);
        var fc1 = new Linear(5, 4, rng);
        var fc2 = new Linear(4, 3, rng);
        var model = new Sequential()
            .Add("conv", conv).Add("relu", new ReLU()).Add("gap", new GlobalAvgPool2d()).Add("flatten", new Flatten())
            .Add("fc1", fc1).Add("relu1", new ReLU()).Add("fc2", fc2);
        var m = Ones(conv.Weight); ZeroRow(m, 2); conv.Weight.SetMask(m);
        conv.Bias!.Value.Data[2] = 0.3f;
        var mf = Ones(fc1.Weight); ZeroColumns(mf, 4, 1); fc1.Weight.SetMask(mf);
        var x = Input(41);
        var before = Eval(model, x);

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal(new DeadNeuronLayerReport("conv", "Conv2d", 5, 3, 1, 1, 0), report["conv"]);
        Assert.Equal([4, 3], fc1.Weight.Value.Shape.ToArray());
        AssertClose(before, Eval(model, x));
        TrainOneStep(model, x);
    }
}
