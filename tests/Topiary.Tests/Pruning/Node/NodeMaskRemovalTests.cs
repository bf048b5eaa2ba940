// Mask placement and physical removal: for Linear→ReLU→Linear, Conv→BN→ReLU→Conv (→Flatten→Linear) and
// Caffe-LeNet-5-style Conv→Pool→Conv→Pool→Flatten→Linear (nested Sequentials), the masked model in inference
// mode equals the model with the blocked units removed; every dependent parameter shrinks consistently; a
// layer keeps at least one unit (and RoundTo multiples); bad arguments are rejected.
using Topiary.Nn;
using Topiary.Pruning.Node;
using Topiary.Pruning.Structure;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using static Topiary.Tests.Pruning.Structure.StructureTestHelpers;

namespace Topiary.Tests.Pruning.Node;

public class NodeMaskRemovalTests
{
    private static NodeMask NewMask(int units) => new(units);

    private static Sequential Mlp(int seed)
    {
        var rng = new Random(seed);
        return new Sequential()
            .Add("fc1", new Linear(12, 9, rng)).Add("relu1", new ReLU())
            .Add("fc2", new Linear(9, 7, rng)).Add("relu2", new ReLU())
            .Add("fc3", new Linear(7, 3, rng));
    }

    // [N, 2, 8, 8] → conv1 6@3x3 → bn1 → relu1 → conv2 5@3x3 (4x4) → relu2 → flatten (80) → fc 3.
    private static Sequential ConvBn(int seed)
    {
        var rng = new Random(seed);
        var bn = new BatchNorm2d(6);
        var model = new Sequential()
            .Add("conv1", new Conv2d(2, 6, 3, rng)).Add("bn1", bn).Add("relu1", new ReLU())
            .Add("conv2", new Conv2d(6, 5, 3, rng)).Add("relu2", new ReLU())
            .Add("flatten", new Flatten()).Add("fc", new Linear(80, 3, rng));
        GradientChecker.Randomize(model, seed + 1);
        for (int c = 0; c < 6; c++)
        {
            bn.RunningMean.Data[c] = 0.1f * (c - 3);
            bn.RunningVar.Data[c] = 0.5f + 0.2f * c;
        }
        return model;
    }

    // Caffe LeNet-5 shape, no activation after the convs, nested: [N, 1, 14, 14] → features(conv1 4@3x3 → pool1 → conv2 6@3x3 → pool2)
    // → flatten (6·2·2 = 24) → classifier(fc1 5 → relu → fc2 3).
    private static Sequential LeNet5Like(int seed)
    {
        var rng = new Random(seed);
        var features = new Sequential()
            .Add("conv1", new Conv2d(1, 4, 3, rng)).Add("pool1", new MaxPool2d(2))
            .Add("conv2", new Conv2d(4, 6, 3, rng)).Add("pool2", new MaxPool2d(2));
        var classifier = new Sequential()
            .Add("fc1", new Linear(24, 5, rng)).Add("relu", new ReLU()).Add("fc2", new Linear(5, 3, rng));
        var model = new Sequential().Add("features", features).Add("flatten", new Flatten()).Add("classifier", classifier);
        GradientChecker.Randomize(model, seed + 1);
        return model;
    }

    // Blocks the units listed per mask (in chain order) by setting β below T.
    private static Dictionary<string, IReadOnlyCollection<int>> Block(List<PlacedMask> masks, params int[][] blocked)
    {
        var remove = new Dictionary<string, IReadOnlyCollection<int>>(StringComparer.Ordinal);
        for (int k = 0; k < masks.Count; k++)
        {
            foreach (int u in blocked[k]) masks[k].Mask.Gate.Value.Data[u] = 0.75f;
            remove[masks[k].Layer] = blocked[k];
        }
        return remove;
    }

    public static TheoryData<string> Architectures => ["mlp", "conv-bn", "lenet5"];

    private static (Sequential Model, Tensor X, int[][] Blocked, string[] Anchors) Case(string name) => name switch
    {
        "mlp" => (Mlp(1), Tensor.RandomUniform(new Random(2), 1f, 5, 12), [[0, 4, 8], [1, 2, 3, 6]], ["relu1", "relu2"]),
        "conv-bn" => (ConvBn(3), Tensor.RandomUniform(new Random(4), 1f, 3, 2, 8, 8), [[1, 5], [0, 3, 4]], ["relu1", "relu2"]),
        "lenet5" => (LeNet5Like(5), Tensor.RandomUniform(new Random(6), 1f, 2, 1, 14, 14), [[2], [0, 1, 5], [3]],
            ["features.pool1", "features.pool2", "classifier.relu"]),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void MaskedModelInInferenceMode_EqualsShrunkModel(string architecture)
    {
        var (model, x, blocked, anchors) = Case(architecture);
        var denseOut = Eval(model, x);
        var (masked, masks, skipped) = NodeMaskPlacement.Insert(model, null, NewMask);
        Assert.Empty(skipped);
        Assert.Equal(anchors, masks.Select(m => m.After));
        AssertClose(denseOut, Eval(masked, x));               // all gates open: the masked twin is the model
        var remove = Block(masks, blocked);
        var maskedOut = Eval(masked, x);
        Assert.True(maskedOut.Data.Zip(denseOut.Data).Any(p => Math.Abs(p.First - p.Second) > 1e-4), "blocking units must change the output");

        var counts = UnitRemover.RemoveUnits(model, remove);

        AssertClose(maskedOut, Eval(model, x), 1e-5);
        for (int k = 0; k < masks.Count; k++)
        {
            var c = counts.Single(u => u.Layer == masks[k].Layer);
            Assert.Equal(masks[k].Mask.Units - blocked[k].Length, c.After);
        }
        Assert.DoesNotContain(model.NamedModules(), m => m.Module is NodeMask);
        AssertParametersConsistent(model);
        TrainOneStep(model, x);
    }

    [Fact]
    public void ConvBn_EveryDependentParameterShrinks()
    {
        var model = ConvBn(9);
        var (_, masks, _) = NodeMaskPlacement.Insert(model, null, NewMask);
        var bn = (BatchNorm2d)model["bn1"];
        var w1 = ((Conv2d)model["conv1"]).Weight.Value.Clone();
        var w2 = ((Conv2d)model["conv2"]).Weight.Value.Clone();
        var wf = ((Linear)model["fc"]).Weight.Value.Clone();
        var gamma = bn.Weight.Value.Clone();
        var mean = bn.RunningMean.Clone();
        UnitRemover.RemoveUnits(model, Block(masks, [1, 5], [0, 3, 4]));

        var conv1 = (Conv2d)model["conv1"];
        var conv2 = (Conv2d)model["conv2"];
        var fc = (Linear)model["fc"];
        Assert.Equal([4, 2, 3, 3], conv1.Weight.Value.Shape.ToArray());
        Assert.Equal([4], conv1.Bias!.Value.Shape.ToArray());
        Assert.Equal(4, bn.Channels);
        Assert.Equal([4], bn.RunningVar.Shape.ToArray());
        Assert.Equal([2, 4, 3, 3], conv2.Weight.Value.Shape.ToArray());
        Assert.Equal([2], conv2.Bias!.Value.Shape.ToArray());
        Assert.Equal([3, 32], fc.Weight.Value.Shape.ToArray());
        int[] keep1 = [0, 2, 3, 4], keep2 = [1, 2];
        Assert.Equal(Select(w1, keep1, null), conv1.Weight.Value.Data);
        Assert.Equal(Select(gamma.Reshape(6, 1), keep1, null), bn.Weight.Value.Data);
        Assert.Equal(Select(mean.Reshape(6, 1), keep1, null), bn.RunningMean.Data);
        Assert.Equal(Select(w2, keep2, keep1, 9), conv2.Weight.Value.Data);
        Assert.Equal(Select(wf, null, keep2, 16), fc.Weight.Value.Data);
    }

    [Fact]
    public void Placement_UsesUniqueNames_AndKeepsTheCallersModelMaskFree()
    {
        var rng = new Random(1);
        var model = new Sequential()
            .Add("fc1", new Linear(4, 3, rng)).Add("relu1", new ReLU()).Add("relu1_mask", new Identity())
            .Add("fc2", new Linear(3, 2, rng));
        var (masked, masks, _) = NodeMaskPlacement.Insert(model, null, NewMask);
        Assert.Single(masks);
        Assert.Equal(["fc1", "relu1", "relu1_mask2", "relu1_mask", "fc2"], masked.NamedChildren().Select(c => c.Name));
        Assert.Same(model["fc1"], masked["fc1"]);
        Assert.Equal(4, model.Count);
        Assert.Contains(masked.NamedParameters(), p => p.Name == "relu1_mask2.gate");
    }

    [Fact]
    public void Placement_LayerSubset_AndUnsupportedBoundariesSkipped()
    {
        var rng = new Random(2);
        var model = new Sequential()
            .Add("conv1", new Conv2d(1, 3, 3, rng)).Add("lrn", new LocalResponseNorm(3))
            .Add("conv2", new Conv2d(3, 4, 3, rng)).Add("relu", new ReLU())
            .Add("flatten", new Flatten()).Add("fc", new Linear(4 * 4 * 4, 2, rng));
        var (_, masks, skipped) = NodeMaskPlacement.Insert(model, null, NewMask);
        Assert.Equal(["conv2"], masks.Select(m => m.Layer));
        Assert.Single(skipped);
        Assert.StartsWith("conv1", skipped[0], StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => NodeMaskPlacement.Insert(model, ["conv1"], NewMask));
        Assert.Throws<ArgumentException>(() => NodeMaskPlacement.Insert(model, ["fc"], NewMask));
        Assert.Throws<ArgumentException>(() => NodeMaskPlacement.Insert(model, ["nope"], NewMask));
        var (sub, _, _) = NodeMaskPlacement.Insert(Mlp(3), ["fc2"], NewMask);
        Assert.Equal(["relu2_mask"], sub.NamedChildren().Where(c => c.Module is NodeMask).Select(c => c.Name));
        Assert.Throws<ArgumentException>(() => NodeMaskPlacement.Insert(sub, null, NewMask));   // already masked
    }

    [Theory]
    [InlineData(0, 1, 1)]      // every unit blocked → the best one is revived
    [InlineData(5, 1, 5)]
    [InlineData(5, 4, 8)]      // rounded up to a multiple of 4
    [InlineData(11, 4, 12)]    // capped at the layer size
    [InlineData(8, 4, 8)]
    public void EnsureKept_KeepsAtLeastOne_AndRoundsUp_RevivingHighestGates(int kept, int roundTo, int expected)
    {
        var m = new NodeMask(12);
        var rng = new Random(kept * 31 + roundTo);
        for (int u = 0; u < 12; u++) m.Gate.Value.Data[u] = u < kept ? 0.9f : 0.7f + 0.09f * (float)rng.NextDouble();
        var before = m.Gate.Value.Clone();
        NodePruning.EnsureKept(m, roundTo);
        Assert.Equal(expected, m.KeptCount);
        var revived = Enumerable.Range(kept, 12 - kept).Where(m.IsKept).ToArray();
        var stillBlocked = Enumerable.Range(kept, 12 - kept).Where(u => !m.IsKept(u)).ToArray();
        foreach (int r in revived)
            foreach (int b in stillBlocked)
                Assert.True(before.Data[r] >= before.Data[b], $"revived unit {r} (β {before.Data[r]}) before unit {b} (β {before.Data[b]})");
    }

    [Fact]
    public void UnitRemover_RejectsBadArguments_WithoutChangingTheModel()
    {
        var model = Mlp(4);
        long parameters = model.ParameterCount();
        Assert.Contains("nope", Assert.Throws<ArgumentException>(() => UnitRemover.RemoveUnits(model, new Dictionary<string, IReadOnlyCollection<int>> { ["nope"] = [0] })).Message, StringComparison.Ordinal);
        Assert.Contains("last", Assert.Throws<ArgumentException>(() => UnitRemover.RemoveUnits(model, new Dictionary<string, IReadOnlyCollection<int>> { ["fc3"] = [0] })).Message, StringComparison.Ordinal);
        Assert.Contains("9", Assert.Throws<ArgumentException>(() => UnitRemover.RemoveUnits(model, new Dictionary<string, IReadOnlyCollection<int>> { ["fc1"] = [0], ["fc2"] = [9] })).Message, StringComparison.Ordinal);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => UnitRemover.RemoveUnits(model, new Dictionary<string, IReadOnlyCollection<int>> { ["fc2"] = [0, 1, 2, 3, 4, 5, 6] })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => UnitRemover.RemoveUnits(model, new Dictionary<string, IReadOnlyCollection<int>> { ["fc1"] = [-1] }));
        Assert.Equal(parameters, model.ParameterCount());
        var rng = new Random(1);
        var lrn = new Sequential().Add("conv1", new Conv2d(1, 3, 3, rng)).Add("lrn", new LocalResponseNorm(3)).Add("conv2", new Conv2d(3, 2, 3, rng));
        Assert.Contains("lrn", Assert.Throws<ArgumentException>(() => UnitRemover.RemoveUnits(lrn, new Dictionary<string, IReadOnlyCollection<int>> { ["conv1"] = [0] })).Message, StringComparison.Ordinal);
    }
}
