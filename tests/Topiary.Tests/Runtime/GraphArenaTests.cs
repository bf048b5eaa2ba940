// GraphArena: a fused graph's activations share one arena by liveness. A chain runs in two slots, and its outputs
// equal the unfused graph's over two calls; a value read through a node that passes its input on (Dropout at
// inference, a Reshape) keeps its slot until that node's readers have run; a tensor the caller gets back (a graph
// output, or a view of one) is never placed, so no later node overwrites it; a node writing into a concatenation stays
// there; a value over 8 MiB goes to its layer's own tensor; a layer instance two nodes run is never placed (one seat
// cannot hold two values); a LayerProfile of the placed graph times every node on the values just written.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Runtime;

public class GraphArenaTests
{
    private static GraphNode Conv(string name, int c, int oc, string input, string output, int seed) =>
        new(name, new Conv2d(c, oc, 3, new Random(seed), padding: 1), input, output);

    // The placed nodes' arena (all share one), or null when none was placed.
    private static ActivationArena? ArenaOf(Graph graph) => graph.Nodes.Select(n => n.Module switch
    {
        FusedConv2d f => Seat(f),
        _ => null,
    }).FirstOrDefault(a => a is not null);

    private static ActivationArena? Seat(FusedConv2d node) =>
        typeof(FusedConv2d).GetField("_seat", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(node) is OutputSeat seat ? seat.Arena : null;

    // The fused graph's outputs equal the model's on x, over two calls (the second reuses every slot and buffer).
    internal static void AssertOutputsEqual(Graph model, Module fused, Tensor x)
    {
        var expected = model.Forward([x], false).Select(t => t.Span.ToArray()).ToArray();
        for (int call = 0; call < 2; call++)
        {
            var actual = ((Graph)fused).Forward([x], false);
            for (int i = 0; i < expected.Length; i++)
                Nn.GroupedConvTests.AssertClose(expected[i], actual[i].Span.ToArray(), $"batch {x.Dim(0)}, output {i}, call {call}");
        }
    }

    [Fact]
    public void A_chain_runs_in_two_slots_and_equals_the_graph()
    {
        var model = new Graph(["x"],
        [
            Conv("c1", 3, 8, "x", "a", 1), new("r1", new ReLU(), "a", "b"),
            new("pool", new MaxPool2d(3, 2, 1), "b", "p"),
            Conv("c2", 8, 8, "p", "c", 2),
            new("avg", new AvgPool2d(3, 1, 1), "c", "d"),
            Conv("c3", 8, 8, "d", "e", 3),
            new("gap", new GlobalAvgPool2d(), "e", "y"),
        ], ["y"]);
        var fused = InferenceGraph.Fuse(model, [3, 12, 12]);
        var graph = (Graph)fused.Model;
        Assert.Equal(2, ArenaOf(graph)!.Slots);
        AssertOutputsEqual(model, graph, Randn(4, 1, 3, 12, 12));
    }

    [Fact]
    public void A_value_read_through_a_node_that_passes_it_on_keeps_its_slot()
    {
        // "d" is "a" itself (Dropout at inference): "a" must live until the add. Were "a" freed after the dropout,
        // c2 would write into its slot (the latest freed) and the add would read c2's output.
        var model = new Graph(["x"],
        [
            Conv("c1", 4, 6, "x", "a", 1),
            new("drop", new Dropout(0.5f, 1), "a", "d"),
            Conv("c2", 6, 6, "d", "b", 2),
            Conv("c3", 6, 6, "b", "c", 3),
            new("add", new ElementwiseOp(ElementwiseKind.Add), ["d", "c"], ["s"]),
            new("relu", new ReLU(), "s", "t"),
            new("shape", new Reshape([0, 6, -1]), "t", "v"),
            new("exp", new Sigmoid(), "v", "y"),
        ], ["y"]);
        var fused = InferenceGraph.Fuse(model, [4, 9, 9]);
        Assert.NotNull(ArenaOf((Graph)fused.Model));
        AssertOutputsEqual(model, fused.Model, Randn(5, 2, 4, 9, 9));
    }

    [Fact]
    public void A_tensor_the_caller_gets_back_is_never_overwritten()
    {
        // "a" is returned (directly, and through a Reshape and a Dropout): placed, c3 would write into its slot.
        var model = new Graph(["x"],
        [
            Conv("c1", 4, 6, "x", "a", 1),
            new("view", new Reshape([0, -1]), "a", "flat"),
            new("drop", new Dropout(0.5f, 1), "flat", "kept"),
            Conv("c2", 6, 6, "a", "b", 2),
            Conv("c3", 6, 6, "b", "c", 3),
            Conv("c4", 6, 6, "c", "y", 4),
        ], ["y", "a", "kept"]);
        var fused = InferenceGraph.Fuse(model, [4, 7, 7]);
        var graph = (Graph)fused.Model;
        Assert.Null(Seat((FusedConv2d)graph.Node("c1").Module));
        Assert.Null(Seat((FusedConv2d)graph.Node("c4").Module));
        Assert.NotNull(Seat((FusedConv2d)graph.Node("c3").Module));
        AssertOutputsEqual(model, graph, Randn(6, 1, 4, 7, 7));
    }

    [Fact]
    public void A_channel_shuffle_reads_its_convolution_through_views()
    {
        // ShuffleNet's unit: grouped 1x1 → Reshape → Transpose → Reshape → depthwise 3x3 → grouped 1x1 + residual.
        var model = new Graph(["x"],
        [
            new("g1", new Conv2d(12, 12, 1, new Random(1), groups: 3), "x", "a"),
            new("r1", new ReLU(), "a", "b"),
            new("split", new Reshape([0, 3, 4, 6, 6]), "b", "c"),
            new("shuffle", new Permute(0, 2, 1, 3, 4), "c", "d"),
            new("merge", new Reshape([0, 12, 6, 6]), "d", "e"),
            new("dw", new Conv2d(12, 12, 3, new Random(2), padding: 1, groups: 12), "e", "f"),
            new("g2", new Conv2d(12, 12, 1, new Random(3), groups: 3), "f", "g"),
            new("add", new ElementwiseOp(ElementwiseKind.Add), ["g", "x"], ["h"]),
            new("r2", new ReLU(), "h", "i"),
            new("pool", new GlobalAvgPool2d(), "i", "y"),
        ], ["y"]);
        var fused = InferenceGraph.Fuse(model, [12, 6, 6]);
        var graph = (Graph)fused.Model;
        Assert.NotNull(Seat((FusedConv2d)graph.Node("g1").Module));
        AssertOutputsEqual(model, graph, Randn(7, 2, 12, 6, 6));
        var rows = LayerProfile.Measure(graph, Randn(7, 1, 12, 6, 6), 0.001);
        Assert.Equal(graph.Nodes.Select(n => n.Name), rows.Select(r => r.Name));
        Assert.All(rows.Where(r => r.Macs > 0), r => Assert.True(r.InNetworkUs > 0, $"{r.Name}: no time inside the passes")); // whole passes ran on the arena too
        AssertOutputsEqual(model, graph, Randn(7, 2, 12, 6, 6)); // and left the graph as it was
    }

    [Fact]
    public void A_value_larger_than_a_slot_may_hold_is_written_into_the_layers_own_tensor()
    {
        var relu = new ReLU();
        var arena = new ActivationArena(1);
        ((IArenaOutput)relu).Place(arena, 0);
        var small = relu.Forward(Tensor.RandomUniform(new Random(1), 1f, 4, 1000), false);
        Assert.Same(arena.Storage(0, 0), small.Data);
        var large = Tensor.RandomUniform(new Random(2), 1f, 1, (int)ActivationArena.MaxSlotFloats + 16);
        var y = relu.Forward(large, false);
        Assert.NotSame(arena.Storage(0, 0), y.Data);
        Assert.Equal(y.Length, y.Data.Length);
        Assert.Equal(large.Span.ToArray().Select(v => Math.Max(v, 0f)), y.Span.ToArray());
    }

    [Fact]
    public void A_layer_two_nodes_run_is_not_placed()
    {
        var shared = new ReLU();
        var graph = new Graph(["x"],
        [
            new GraphNode("a", shared, "x", "y"), new GraphNode("b", shared, "y", "z"), new GraphNode("c", new ReLU(), "z", "w"),
            new GraphNode("d", new Sigmoid(), "w", "v"),
        ], ["v"]);
        Assert.NotNull(GraphArena.Apply(graph));
        Assert.Null(SeatOf(shared));
        Assert.NotNull(SeatOf(graph.Node("c").Module));
    }

    private static ActivationArena? SeatOf(Module m) =>
        typeof(PointwiseActivation).GetField("_seat", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(m) is OutputSeat seat ? seat.Arena : null;

    [Fact]
    public void A_convolution_writing_into_a_concatenation_is_not_placed()
    {
        var conv = new FusedConv2d(new Conv2d(3, 4, 1, new Random(1)) { Frozen = true }, false).WritingInto(new ConcatBuffer(8), 0);
        var node = (IArenaOutput)conv;
        Assert.False(node.Placeable);
        Assert.Throws<InvalidOperationException>(() => node.Place(new ActivationArena(1), 0));
        var graph = new Graph(["x"], [new GraphNode("c", conv, "x", "y"), new GraphNode("r", new ReLU(), "y", "z")], ["z"]);
        Assert.Null(GraphArena.Apply(graph));
    }
}
