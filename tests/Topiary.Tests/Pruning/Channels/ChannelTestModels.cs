// Small models for channel-pruning tests, one per coupling kind, plus the checks they share: removing channels whose
// consumer inputs are zero leaves the function unchanged, and the MAC model agrees with OpCounter after removal.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning.Channels;
using Topiary.Tensors;

namespace Topiary.Tests.Pruning.Channels;

internal static class ChannelTestModels
{
    /// <summary>conv → BN → ReLU → maxpool → conv → BN → ReLU → flatten → linear (a chain with a Flatten into a Linear).</summary>
    public static Module Chain(int seed)
    {
        var rng = new Random(seed);
        return Randomise(new Sequential()
            .Add("conv1", new Conv2d(2, 8, 3, rng, padding: 1))
            .Add("bn1", new BatchNorm2d(8))
            .Add("relu1", new ReLU())
            .Add("pool", new MaxPool2d(2))
            .Add("conv2", new Conv2d(8, 6, 3, rng, bias: false))
            .Add("bn2", new BatchNorm2d(6))
            .Add("relu2", new ReLU())
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(6 * 2 * 2, 5, rng)), seed);
    }

    /// <summary>Two MobileNet-v2 blocks (one with the residual Add) between a stem and a classifier (depthwise coupling).</summary>
    public static Module Mobile(int seed)
    {
        var rng = new Random(seed);
        return Randomise(new Sequential()
            .Add("stem", InvertedResidual.ConvBnReLU6(2, 8, 3, 1, 1, rng))
            .Add("block1", InvertedResidual.Create(8, 8, 1, 3, rng))
            .Add("block2", InvertedResidual.Create(8, 12, 2, 4, rng))
            .Add("head", InvertedResidual.ConvBnReLU6(12, 16, 1, 1, 1, rng))
            .Add("pool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(16, 5, rng)), seed);
    }

    /// <summary>A stem and two SqueezeNet Fire modules (Concat on channels) and a 1×1 conv classifier.</summary>
    public static Module Fire(int seed)
    {
        var rng = new Random(seed);
        return Randomise(new Sequential()
            .Add("stem", new Conv2d(2, 8, 3, rng, padding: 1))
            .Add("relu", new ReLU())
            .Add("fire1", FireModule.Create(8, 4, 6, 6, rng))
            .Add("fire2", FireModule.Create(12, 4, 5, 7, rng))
            .Add("classifier", new Conv2d(12, 5, 1, rng))
            .Add("pool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten()), seed);
    }

    /// <summary>
    /// A Graph with a Split on channels, a Cat, squeeze-and-excitation gating (Mul), a per-channel constant Add and a
    /// Reshape flatten into a Linear.
    /// </summary>
    public static Module Graph(int seed)
    {
        var rng = new Random(seed);
        var shift = new Tensor([1, 10, 1, 1]);
        for (int i = 0; i < 10; i++) shift.Data[i] = (float)(rng.NextDouble() - 0.5);
        var g = new Graph(["x"],
        [
            new GraphNode("a", new Conv2d(2, 8, 3, rng, padding: 1), "x", "a"),
            new GraphNode("split", new Split(1, 4, 4), ["a"], ["s0", "s1"]),
            new GraphNode("b", new Conv2d(4, 6, 1, rng), "s0", "b"),
            new GraphNode("relu", new ReLU(), "s1", "c"),
            new GraphNode("cat", new Cat(1), ["b", "c"], ["d"]),
            new GraphNode("se.pool", new ReduceMean([2, 3]), "d", "p"),
            new GraphNode("se.fc1", new Conv2d(10, 3, 1, rng), "p", "q"),
            new GraphNode("se.relu", new ReLU(), "q", "r"),
            new GraphNode("se.fc2", new Conv2d(3, 10, 1, rng), "r", "t"),
            new GraphNode("se.gate", new Sigmoid(), "t", "u"),
            new GraphNode("mul", new ElementwiseOp(ElementwiseKind.Mul), ["d", "u"], ["e"]),
            new GraphNode("add_shift", new ElementwiseOp(ElementwiseKind.Add), ["e", "shift"], ["f"]),
            new GraphNode("conv", new Conv2d(10, 5, 3, rng, stride: 2), "f", "h"),
            new GraphNode("flatten", new Reshape([0, -1]), "h", "k"),
            new GraphNode("fc", new Linear(5 * 3 * 3, 4, rng), "k", "y"),
        ], ["y"], [new KeyValuePair<string, Tensor>("shift", shift)]);
        return Randomise(g, seed);
    }

    public static readonly int[] Input = [2, 8, 8];

    /// <summary>Non-trivial BatchNorm statistics and biases, so that a wrong slice shows in the outputs.</summary>
    public static Module Randomise(Module model, int seed)
    {
        var rng = new Random(seed + 1000);
        foreach (var (_, m) in model.NamedModules())
        {
            if (m is not BatchNorm bn) continue;
            for (int c = 0; c < bn.Channels; c++)
            {
                bn.Weight.Value.Data[c] = (float)(0.5 + rng.NextDouble());
                bn.Bias.Value.Data[c] = (float)(rng.NextDouble() - 0.5);
                bn.RunningMean.Data[c] = (float)(rng.NextDouble() - 0.5);
                bn.RunningVar.Data[c] = (float)(0.5 + rng.NextDouble());
            }
        }
        foreach (var (name, p) in model.NamedParameters())
            if (name.EndsWith(".bias", StringComparison.Ordinal) && p.Value.Rank == 1 && p.Value.Data.All(v => v == 0))
                for (int i = 0; i < p.Length; i++) p.Value.Data[i] = (float)(rng.NextDouble() - 0.5) * 0.2f;
        return model;
    }

    public static Tensor SeededInput(int[] shapeWithoutBatch, int batch, int seed)
    {
        var x = new Tensor([batch, .. shapeWithoutBatch]);
        var rng = new Random(seed);
        for (int i = 0; i < x.Length; i++) x.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Zeroes every consumer input of the chosen channels, removes them, and checks the outputs did not move.</summary>
    public static void AssertRemovalPreservesFunction(Module model, int[] inputShape, Func<ChannelGroup, int[]> choose, string what)
    {
        var deps = ChannelDependencies.Analyse(model, inputShape);
        Assert.NotEmpty(deps.Groups);
        var remove = new Dictionary<ChannelGroup, IReadOnlyCollection<int>>();
        foreach (var g in deps.Groups)
        {
            var chosen = choose(g);
            if (chosen.Length == 0) continue;
            remove[g] = chosen;
            foreach (int k in chosen)
                foreach (var slice in g.Slices[k].Where(s => s.Kind == SliceKind.Columns))
                    slice.ForEachIndex(i => slice.Parameter.Value.Data[i] = 0);
        }
        Assert.NotEmpty(remove);
        var x = SeededInput(inputShape, 3, 5);
        var before = model.Forward(x, training: false).Clone();
        long paramsBefore = model.ParameterCount();
        long macsBefore = OpCounter.TotalMacs(model, inputShape);
        ChannelRemover.Remove(deps, remove);
        var after = model.Forward(x, training: false);
        Assert.True(before.SameShape(after), $"{what}: output shape changed");
        float scale = Math.Max(1e-3f, before.Data.Max(Math.Abs));
        for (int i = 0; i < before.Length; i++)
            Assert.True(Math.Abs(before.Data[i] - after.Data[i]) <= 1e-5f * scale,
                $"{what}: output {i} was {before.Data[i]}, {after.Data[i]} after removing {remove.Values.Sum(r => r.Count)} channels");
        Assert.True(model.ParameterCount() < paramsBefore, $"{what}: no parameter was removed");
        Assert.True(OpCounter.TotalMacs(model, inputShape) < macsBefore, $"{what}: MACs did not fall");
        // The model still trains after surgery (shapes of gradients follow the weights).
        var y = model.Forward(x, training: true);
        model.Backward(new Tensor(y.Shape.ToArray()));
    }

    /// <summary>Every other channel of the group, from the first (never all of them).</summary>
    public static int[] EveryOther(ChannelGroup g) => Enumerable.Range(0, g.Channels).Where(k => k % 2 == 0 && k < g.Channels - 1).ToArray();
}
