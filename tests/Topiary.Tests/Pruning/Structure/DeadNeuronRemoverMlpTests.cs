// DeadNeuronRemover on multilayer perceptrons: exact shrink counts for each kind of dead neuron,
// cascades in both directions, masks shrinking with the weights, outputs unchanged, no-op on a live
// network, unsupported boundaries left alone, guards (last unit, bias-less consumer, masked bias),
// and training after shrinking.
using Topiary.Nn;
using Topiary.Pruning.Structure;
using Topiary.Tensors;
using Topiary.Training;
using static Topiary.Tests.Pruning.Structure.StructureTestHelpers;

namespace Topiary.Tests.Pruning.Structure;

public class DeadNeuronRemoverMlpTests
{
    // fc1 6→8, ReLU, fc2 8→7, ReLU, Dropout, fc3 7→4 (PyTorch init: every bias non-zero).
    private static (Sequential Model, Linear Fc1, Linear Fc2, Linear Fc3) Mlp(int seed, bool fc3Bias = true)
    {
        var rng = new Random(seed);
        var fc1 = new Linear(6, 8, rng);
        var fc2 = new Linear(8, 7, rng);
        var fc3 = new Linear(7, 4, rng, bias: fc3Bias);
        var model = new Sequential()
            .Add("fc1", fc1).Add("relu1", new ReLU())
            .Add("fc2", fc2).Add("relu2", new ReLU()).Add("drop", new Dropout(0.5f, 7))
            .Add("fc3", fc3);
        return (model, fc1, fc2, fc3);
    }

    private static Tensor Input(int seed, int n = 16) => Tensor.RandomUniform(new Random(seed), 2f, n, 6);

    [Fact]
    public void NoOutputNeuron_IsRemovedExactly()
    {
        var (model, fc1, fc2, fc3) = Mlp(1);
        var m2 = Ones(fc2.Weight);
        ZeroColumns(m2, 3, 1);                       // nothing reads fc1 unit 3
        fc2.Weight.SetMask(m2);
        var x = Input(2);
        var before = Eval(model, x);
        var w1 = fc1.Weight.Value.Clone();

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal([7, 6], fc1.Weight.Value.Shape.ToArray());
        Assert.Equal(7, fc1.Bias!.Length);
        Assert.Equal([7, 7], fc2.Weight.Value.Shape.ToArray());
        Assert.Equal([4, 7], fc3.Weight.Value.Shape.ToArray());
        Assert.Equal((7, 7), (fc1.OutFeatures, fc2.InFeatures));
        Assert.Equal(Select(w1, Except(8, 3), null), fc1.Weight.Value.Data);
        Assert.Equal(new DeadNeuronLayerReport("fc1", "Linear", 8, 7, 0, 1, 0), report["fc1"]);
        Assert.Equal(new DeadNeuronLayerReport("fc2", "Linear", 7, 7, 0, 0, 0), report["fc2"]);
        Assert.Equal(new DeadNeuronLayerReport("fc3", "Linear", 4, 4, 0, 0, 0), report["fc3"]);
        Assert.Equal(1, report.Removed);
        Assert.Equal(model.ParameterCount(), report.ParametersAfter);
        Assert.Equal(report.ParametersBefore - 6 - 1 - 7, report.ParametersAfter);
        var after = Eval(model, x);
        Assert.Equal(before.Data, after.Data);       // exact: only zero products were dropped
        AssertParametersConsistent(model);
    }

    [Fact]
    public void NoInputNeuron_FoldsItsConstantIntoTheNextBias()
    {
        var (model, fc1, fc2, _) = Mlp(3);
        var m1 = Ones(fc1.Weight);
        ZeroRow(m1, 1);                              // unit 1: constant relu(0.7) = 0.7 → folded
        ZeroRow(m1, 5);                              // unit 5: constant relu(−0.4) = 0 → nothing to fold
        fc1.Weight.SetMask(m1);
        fc1.Bias!.Value.Data[1] = 0.7f;
        fc1.Bias.Value.Data[5] = -0.4f;
        var x = Input(4);
        var before = Eval(model, x);
        var w2 = fc2.Weight.Value.Clone();
        var b2 = fc2.Bias!.Value.Clone();

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal(new DeadNeuronLayerReport("fc1", "Linear", 8, 6, 2, 0, 0), report["fc1"]);
        Assert.Equal([6, 6], fc1.Weight.Value.Shape.ToArray());
        Assert.Equal([7, 6], fc2.Weight.Value.Shape.ToArray());
        for (int o = 0; o < 7; o++)
            Assert.Equal(b2.Data[o] + 0.7 * w2[o, 1], fc2.Bias.Value.Data[o], 5);
        AssertClose(before, Eval(model, x));
        AssertParametersConsistent(model);
    }

    [Fact]
    public void Cascades_ForwardAndBackward_ToAFixedPoint()
    {
        var (model, fc1, fc2, fc3) = Mlp(5);
        var m1 = Ones(fc1.Weight);
        ZeroRow(m1, 2);                              // fc1 unit 2: no inputs, bias 0.5
        fc1.Weight.SetMask(m1);
        fc1.Bias!.Value.Data[2] = 0.5f;
        var m2 = Ones(fc2.Weight);
        ZeroRow(m2, 4); m2[4 * 8 + 2] = 1;           // fc2 unit 4 reads only fc1 unit 2 → no inputs once it goes
        ZeroColumns(m2, 5, 1); m2[6 * 8 + 5] = 1;    // fc1 unit 5 is read only by fc2 unit 6 ...
        fc2.Weight.SetMask(m2);
        var m3 = Ones(fc3.Weight);
        ZeroColumns(m3, 6, 1);                       // ... which nothing reads → both go (backward cascade)
        fc3.Weight.SetMask(m3);
        var x = Input(6);
        var before = Eval(model, x);
        var (w1, w2, w3) = (fc1.Weight.Value.Clone(), fc2.Weight.Value.Clone(), fc3.Weight.Value.Clone());
        var (k1, k2, k3) = (m1.Clone(), m2.Clone(), m3.Clone());

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal(new DeadNeuronLayerReport("fc1", "Linear", 8, 6, 1, 1, 0), report["fc1"]);
        Assert.Equal(new DeadNeuronLayerReport("fc2", "Linear", 7, 5, 1, 1, 0), report["fc2"]);
        Assert.Equal(new DeadNeuronLayerReport("fc3", "Linear", 4, 4, 0, 0, 0), report["fc3"]);
        Assert.Equal(3, report.Passes);              // pass 2 removes fc1 unit 5; pass 3 finds nothing
        int[] keep1 = Except(8, 2, 5), keep2 = Except(7, 4, 6);
        // Weights and masks shrink together: the survivors keep their values and their mask bits.
        Assert.Equal(Select(w1, keep1, null), fc1.Weight.Value.Data);
        Assert.Equal(Select(k1, keep1, null), fc1.Weight.Mask!.Data);
        Assert.Equal(Select(w2, keep2, keep1), fc2.Weight.Value.Data);
        Assert.Equal(Select(k2, keep2, keep1), fc2.Weight.Mask!.Data);
        Assert.Equal(Select(w3, null, keep2), fc3.Weight.Value.Data);
        Assert.Equal(Select(k3, null, keep2), fc3.Weight.Mask!.Data);
        Assert.Null(fc1.Bias.Mask);
        AssertClose(before, Eval(model, x));
        AssertParametersConsistent(model);
    }

    [Fact]
    public void NothingDead_IsANoOp()
    {
        var (model, _, fc2, _) = Mlp(7);
        fc2.Weight.SetMask(RandomMask(fc2.Weight, 0.7, new Random(8)));   // sparse, but every unit still connected
        var snapshot = model.NamedParameters().Select(p => (p.Name, p.Parameter.Value.Clone())).ToList();

        var report = DeadNeuronRemover.Remove(model);

        Assert.False(report.Changed);
        Assert.Equal(1, report.Passes);
        Assert.Empty(report.Notes);
        Assert.Equal(report.ParametersBefore, report.ParametersAfter);
        Assert.All(report.Layers, l => Assert.Equal(l.UnitsBefore, l.UnitsAfter));
        foreach (var (name, value) in snapshot)
            Assert.Equal(value.Data, model.NamedParameters().Single(p => p.Name == name).Parameter.Value.Data);
    }

    [Fact]
    public void LastLayerOutputs_AndFirstLayerInputs_AreNeverRemoved()
    {
        var (model, fc1, _, fc3) = Mlp(9);
        var m1 = Ones(fc1.Weight);
        ZeroColumns(m1, 0, 1);                       // model input 0 unused: stays
        fc1.Weight.SetMask(m1);
        var m3 = Ones(fc3.Weight);
        ZeroRow(m3, 2);                              // logit 2 has no inputs: stays
        fc3.Weight.SetMask(m3);

        var report = DeadNeuronRemover.Remove(model);

        Assert.False(report.Changed);
        Assert.Equal(6, fc1.InFeatures);
        Assert.Equal(4, fc3.OutFeatures);
        Assert.Equal(0, report["fc3"].KeptDead);
    }

    [Fact]
    public void ConsumerWithoutBias_KeepsNonZeroConstants()
    {
        var (model, _, fc2, fc3) = Mlp(11, fc3Bias: false);
        var m2 = Ones(fc2.Weight);
        ZeroRow(m2, 0);                              // constant relu(0.3) = 0.3 but fc3 has no bias → kept
        ZeroRow(m2, 1);                              // constant relu(−0.3) = 0 → removed
        fc2.Weight.SetMask(m2);
        fc2.Bias!.Value.Data[0] = 0.3f;
        fc2.Bias.Value.Data[1] = -0.3f;
        var x = Input(12);
        var before = Eval(model, x);

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal(new DeadNeuronLayerReport("fc2", "Linear", 7, 6, 1, 0, 1), report["fc2"]);
        var note = Assert.Single(report.Notes);
        Assert.Equal(("fc2", "fc3"), (note.Producer, note.Consumer));
        Assert.Contains("no bias", note.Reason, StringComparison.Ordinal);
        Assert.Equal(6, fc3.InFeatures);
        AssertClose(before, Eval(model, x));
    }

    [Fact]
    public void MaskedConsumerBias_BlocksTheFold()
    {
        var (model, fc1, fc2, _) = Mlp(13);
        var m1 = Ones(fc1.Weight);
        ZeroRow(m1, 3);
        fc1.Weight.SetMask(m1);
        fc1.Bias!.Value.Data[3] = 1f;
        var mb = Ones(fc2.Bias!);
        mb[0] = 0;                                   // fc2 bias 0 is pruned: folding would be undone by the optimizer
        fc2.Bias!.SetMask(mb);
        var x = Input(14);
        var before = Eval(model, x);

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal(8, fc1.OutFeatures);
        Assert.Equal(1, report["fc1"].KeptDead);
        Assert.Contains(report.Notes, n => n.Reason.Contains("masked", StringComparison.Ordinal));
        AssertClose(before, Eval(model, x));
    }

    [Fact]
    public void EveryUnitDead_KeepsOne()
    {
        var (model, fc1, fc2, _) = Mlp(15);
        var m2 = Ones(fc2.Weight);
        m2.Clear();                                  // fc2 reads nothing: every fc1 unit has no outputs, every fc2 unit no inputs
        fc2.Weight.SetMask(m2);
        var x = Input(16);
        var before = Eval(model, x);

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal(1, fc1.OutFeatures);
        Assert.Equal(1, fc2.InFeatures);
        Assert.Equal(1, fc2.OutFeatures);
        Assert.Equal(new DeadNeuronLayerReport("fc1", "Linear", 8, 1, 0, 7, 1), report["fc1"]);
        Assert.Equal(new DeadNeuronLayerReport("fc2", "Linear", 7, 1, 6, 0, 1), report["fc2"]);
        Assert.Contains(report.Notes, n => n.Reason.Contains("at least one unit", StringComparison.Ordinal));
        AssertClose(before, Eval(model, x));
        TrainOneStep(model, x);
    }

    [Fact]
    public void ResidualBetweenLayers_LeavesTheBoundaryUntouched()
    {
        var rng = new Random(17);
        var fc1 = new Linear(5, 6, rng);
        var fc2 = new Linear(6, 6, rng);
        var fc3 = new Linear(6, 3, rng);
        var model = new Sequential()
            .Add("fc1", fc1).Add("res", new Residual(new ReLU()))
            .Add("fc2", fc2).Add("relu", new ReLU())
            .Add("fc3", fc3);
        var m1 = Ones(fc1.Weight); ZeroRow(m1, 0); fc1.Weight.SetMask(m1);                 // dead, but behind the Residual
        var m2 = Ones(fc2.Weight); ZeroColumns(m2, 1, 1); ZeroRow(m2, 2); fc2.Weight.SetMask(m2);
        fc2.Bias!.Value.Data[2] = 0.25f;
        var x = Tensor.RandomUniform(new Random(18), 1f, 8, 5);
        var before = Eval(model, x);

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal([6, 5], fc1.Weight.Value.Shape.ToArray());
        Assert.Equal(6, fc2.InFeatures);
        Assert.Equal(new DeadNeuronLayerReport("fc1", "Linear", 6, 6, 0, 0, 1), report["fc1"]);
        Assert.Equal(new DeadNeuronLayerReport("fc2", "Linear", 6, 5, 1, 0, 0), report["fc2"]);   // fc2 → fc3 is still shrunk
        var note = Assert.Single(report.Notes);
        Assert.Equal(("fc1", "fc2"), (note.Producer, note.Consumer));
        Assert.Contains("'res' (Residual)", note.Reason, StringComparison.Ordinal);
        AssertClose(before, Eval(model, x));
    }

    [Fact]
    public void NestedSequentials_AreWalkedInOrder_WithBatchNorm1d()
    {
        var rng = new Random(19);
        var fc1 = new Linear(5, 6, rng);
        var bn = new BatchNorm1d(6);
        var fc2 = new Linear(6, 3, rng);
        var model = new Sequential()
            .Add("features", new Sequential(fc1, bn, new ReLU()))
            .Add("head", new Sequential(new Dropout(0.2f, 1), fc2));
        for (int i = 0; i < 6; i++)
        {
            bn.Weight.Value.Data[i] = 0.5f + 0.1f * i;
            bn.Bias.Value.Data[i] = 0.1f * i - 0.2f;
            bn.RunningMean.Data[i] = 0.05f * i;
            bn.RunningVar.Data[i] = 0.5f + 0.2f * i;
        }
        var m1 = Ones(fc1.Weight); ZeroRow(m1, 4); fc1.Weight.SetMask(m1);
        fc1.Bias!.Value.Data[4] = 0.5f;             // constant relu(0.9·(0.5 − 0.2)/√1.3 + 0.2) ≈ 0.44, folded into fc2
        var m2 = Ones(fc2.Weight); ZeroColumns(m2, 1, 1); fc2.Weight.SetMask(m2);
        var x = Tensor.RandomUniform(new Random(20), 1f, 8, 5);
        var before = Eval(model, x);
        var gamma = bn.Weight.Value.Clone();

        var report = DeadNeuronRemover.Remove(model);

        Assert.Equal(new DeadNeuronLayerReport("features.0", "Linear", 6, 4, 1, 1, 0), report["features.0"]);
        Assert.Equal(4, bn.Channels);
        Assert.Equal(4, bn.RunningMean.Length);
        Assert.Equal(4, bn.RunningVar.Length);
        Assert.Equal(Select(gamma, Except(6, 1, 4), null), bn.Weight.Value.Data);
        Assert.Equal(4, fc2.InFeatures);
        AssertClose(before, Eval(model, x));
        TrainOneStep(model, x);
    }

    [Fact]
    public void TrainingStillWorks_WithAnOptimizerCreatedBeforeShrinking()
    {
        var (model, fc1, fc2, fc3) = Mlp(21);
        var m1 = Ones(fc1.Weight); ZeroRow(m1, 0); fc1.Weight.SetMask(m1);
        var m3 = Ones(fc3.Weight); ZeroColumns(m3, 3, 1); fc3.Weight.SetMask(m3);
        var x = Input(22);
        var sgd = new Sgd(model.Parameters(), 0.01f, momentum: 0.9f);
        TrainOneStep(model, x, sgd);                 // momentum state at the dense sizes

        var report = DeadNeuronRemover.Remove(model);

        Assert.True(report.Changed);
        Assert.Equal((7, 7, 6), (fc1.OutFeatures, fc2.InFeatures, fc2.OutFeatures));
        Assert.Equal(6, fc3.InFeatures);
        Assert.All(fc1.Weight.Grad.Data, g => Assert.Equal(0f, g));   // shrunk parameters: gradients reset
        Assert.All(fc3.Weight.Grad.Data, g => Assert.Equal(0f, g));
        TrainOneStep(model, x, sgd);                 // optimizer state is recreated at the new sizes
        TrainOneStep(model, x, sgd);
    }

    [Fact]
    public void NullModel_Throws() =>
        Assert.Throws<ArgumentNullException>(() => DeadNeuronRemover.Remove(null!));

    [Fact]
    public void SharedLayer_Throws()
    {
        var fc = new Linear(4, 4, new Random(1));
        var model = new Sequential(fc, new ReLU(), new Sequential(fc));
        var e = Assert.Throws<ArgumentException>(() => DeadNeuronRemover.Remove(model));
        Assert.Contains("more than once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SingleWeightLayer_ReportsNoPasses()
    {
        var model = new Sequential(new Linear(3, 2, new Random(1)));
        var report = DeadNeuronRemover.Remove(model);
        Assert.Equal(0, report.Passes);
        Assert.Single(report.Layers);
        Assert.False(report.Changed);
    }
}
