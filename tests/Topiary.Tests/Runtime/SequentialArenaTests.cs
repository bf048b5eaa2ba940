// SequentialArena: a fused model of modules (no Graph) has its activations in one arena by liveness. A ResNet-like
// stack (stem, pool, residual blocks with identity and projection shortcuts, an unfused residual block) and a
// SqueezeNet-like one (fire modules as Concat branches) equal the unfused model over two calls at batch 1 and 2; a
// block input stays in its slot until the block's add has read it; what the model returns keeps its writer's own
// output, so nothing later overwrites it; a plan's returned value loses its slot; a layer instance run at two places
// is never placed.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Runtime;

public class SequentialArenaTests
{
    private static Sequential ConvBnRelu(int c, int oc, int k, int seed, int stride = 1) =>
        new(new Conv2d(c, oc, k, new Random(seed), stride, k / 2), InferenceGraphTests.Norm(oc, seed + 1), new ReLU());

    private static Sequential ResNetLike() => new(
        ConvBnRelu(3, 8, 3, 1, stride: 2),
        new MaxPool2d(3, 2, 1),
        new Residual(new Sequential(ConvBnRelu(8, 8, 3, 3), new Conv2d(8, 8, 3, new Random(5), padding: 1), InferenceGraphTests.Norm(8, 6))),
        new ReLU(),
        new Residual(new Sequential(ConvBnRelu(8, 12, 3, 7, stride: 2), new Conv2d(12, 12, 3, new Random(9), padding: 1)),
            new Conv2d(8, 12, 1, new Random(10), stride: 2)),
        new ReLU(),
        new Residual(ConvBnRelu(12, 12, 1, 11)), // ends in a ReLU: stays an unfused Residual, which adds itself
        new GlobalAvgPool2d(),
        new Flatten(),
        new Dropout(0.5f, 1),
        new Linear(12, 5, new Random(12)));

    private static Sequential Fire(int c, int squeeze, int expand, int seed) => new(
        ConvBnRelu(c, squeeze, 1, seed),
        new Concat(ConvBnRelu(squeeze, expand, 1, seed + 2), ConvBnRelu(squeeze, expand, 3, seed + 4)));

    private static Sequential SqueezeNetLike() => new(
        ConvBnRelu(3, 16, 3, 1, stride: 2), new MaxPool2d(3, 2),
        Fire(16, 4, 8, 10), Fire(16, 4, 8, 20), new MaxPool2d(3, 2), Fire(16, 6, 12, 30),
        new Conv2d(24, 10, 1, new Random(40)), new ReLU(), new GlobalAvgPool2d(), new Flatten());

    public static TheoryData<string, int> Models => new() { { "resnet", 1 }, { "resnet", 2 }, { "squeezenet", 1 }, { "squeezenet", 2 } };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_fused_model_in_one_arena_equals_the_model(string name, int batch)
    {
        var model = name == "resnet" ? ResNetLike() : SqueezeNetLike();
        var fused = InferenceGraph.Fuse(model, [3, 23, 23], batch);
        var arenas = Arenas(fused.Model);
        Assert.True(arenas.Length == 1, $"{arenas.Length} arenas");
        var x = Randn(batch, batch, 3, 23, 23);
        var expected = model.Forward(x, false).Span.ToArray();
        for (int call = 0; call < 2; call++)
        {
            var y = fused.Model.Forward(x, false);
            Assert.Equal(y.Length, y.Data.Length); // the returned tensor is its writer's own
            Nn.GroupedConvTests.AssertClose(expected, y.Span.ToArray(), $"{name} batch {batch}, call {call}");
        }
    }

    [Fact]
    public void What_the_model_returns_is_never_placed()
    {
        // The ReLU's output is returned: placed, it would be a view of a slot the next call's first layer overwrites.
        var model = new Sequential(new Conv2d(3, 4, 3, new Random(1), padding: 1), new MaxPool2d(2), new ReLU());
        var fused = InferenceGraph.Fuse(model, [3, 8, 8]);
        var x = Randn(2, 1, 3, 8, 8);
        var y = fused.Model.Forward(x, false);
        Assert.Equal(y.Length, y.Data.Length);
        Assert.Equal(model.Forward(x, false).Span.ToArray(), y.Span.ToArray());
    }

    [Fact]
    public void A_returned_value_loses_its_slot()
    {
        var plan = new ActivationPlan();
        var writers = Enumerable.Range(0, 3).Select(_ => new ReLU()).ToArray();
        int v = ActivationPlan.Outside;
        foreach (var w in writers) v = plan.Add(w, v);
        plan.Return(v);
        var arena = plan.Apply();
        Assert.Equal(2, arena!.Slots);
        Assert.Equal(2, writers.Take(2).Select(w => Seat(w)).OfType<ActivationArena>().Count());
        Assert.Null(Seat(writers[2]));
    }

    [Fact]
    public void A_layer_run_at_two_places_is_not_placed()
    {
        var shared = new ReLU();
        var model = new Sequential(new Conv2d(3, 4, 3, new Random(1), padding: 1), shared, new Conv2d(4, 4, 3, new Random(2), padding: 1),
            shared, new Conv2d(4, 4, 1, new Random(3)), new ReLU(), new GlobalAvgPool2d());
        var x = Randn(3, 1, 3, 6, 6);
        var expected = model.Forward(x, false).Span.ToArray();
        Assert.NotNull(SequentialArena.Apply(model));
        Assert.Null(Seat(shared));
        Assert.NotNull(Seat(model[5]));
        Assert.Equal(expected, model.Forward(x, false).Span.ToArray());
        var graph = new Graph(["x"], [new GraphNode("a", shared, "x", "y"), new GraphNode("b", shared, "y", "z"), new GraphNode("c", new ReLU(), "z", "w")], ["w"]);
        Assert.Null(GraphArena.Apply(graph));
    }

    private static ActivationArena? Seat(Module m) =>
        (m.GetType().GetField("_seat", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            ?? m.GetType().BaseType!.GetField("_seat", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance))!
        .GetValue(m) is OutputSeat seat ? seat.Arena : null;

    private static ActivationArena[] Arenas(Module model) => model.NamedModules().Select(m => m.Module)
        .Where(m => m is IArenaOutput).Select(Seat).OfType<ActivationArena>().Distinct().ToArray();
}
