// Graph, ElementwiseOp, Cat, Split: finite-difference gradient checks (fan-out, joins, constants, multi-output),
// broadcast forward values against a naive index loop, the construction errors, and the architecture round trip.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.IO;

namespace Topiary.Tests.Nn;

public sealed class GraphTests
{
    private static readonly int[][][] BroadcastPairs =
    [
        [[2, 3, 4], [2, 3, 4]],
        [[2, 3, 4], [3, 1]],
        [[1], [2, 3]],
        [[2, 1, 4], [1, 3, 1]],
        [[4], [2, 3, 4]],
        [[2, 3, 2, 2], [1, 3, 1, 1]],
        [[2, 2, 2, 3], [3]],
        [[3, 1], [1, 1]],
    ];

    public static TheoryData<ElementwiseKind, int> KindsAndPairs()
    {
        var data = new TheoryData<ElementwiseKind, int>();
        foreach (var k in Enum.GetValues<ElementwiseKind>())
            for (int p = 0; p < BroadcastPairs.Length; p++) data.Add(k, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndPairs))]
    public void Elementwise_gradients_match_finite_differences(ElementwiseKind kind, int pair)
    {
        var a = GradientChecker.Randn(1 + pair, BroadcastPairs[pair][0]);
        var b = Positive(GradientChecker.Randn(50 + pair, BroadcastPairs[pair][1]));
        GradientChecker.CheckOp(new ElementwiseOp(kind), [a, b]);
        // Swapped operand order exercises the other broadcast direction.
        GradientChecker.CheckOp(new ElementwiseOp(kind), [Positive(a.Clone()), b.Clone()]);
    }

    [Theory]
    [MemberData(nameof(KindsAndPairs))]
    public void Elementwise_forward_matches_a_naive_broadcast_loop(ElementwiseKind kind, int pair)
    {
        int[] sa = BroadcastPairs[pair][0], sb = BroadcastPairs[pair][1];
        var a = GradientChecker.Randn(3, sa);
        var b = Positive(GradientChecker.Randn(4, sb));
        var y = new ElementwiseOp(kind).Forward([a, b], training: false)[0];
        int rank = Math.Max(sa.Length, sb.Length);
        var outShape = new int[rank];
        for (int d = 0; d < rank; d++) outShape[d] = Math.Max(DimAt(sa, d, rank), DimAt(sb, d, rank));
        Assert.Equal(outShape, y.Shape.ToArray());
        var index = new int[rank];
        for (int flat = 0; flat < y.Length; flat++)
        {
            int rest = flat;
            for (int d = rank - 1; d >= 0; d--) { index[d] = rest % outShape[d]; rest /= outShape[d]; }
            float va = a.Data[Offset(sa, index)], vb = b.Data[Offset(sb, index)];
            float expected = kind switch
            {
                ElementwiseKind.Add => va + vb,
                ElementwiseKind.Sub => va - vb,
                ElementwiseKind.Mul => va * vb,
                _ => va / vb,
            };
            Assert.True(Math.Abs(expected - y.Data[flat]) <= 1e-6f * Math.Max(1, Math.Abs(expected)),
                $"{kind} {Tensor.ShapeString(sa)} ∘ {Tensor.ShapeString(sb)} at {flat}: expected {expected}, got {y.Data[flat]}");
        }
    }

    [Fact]
    public void Elementwise_rejects_shapes_that_do_not_broadcast()
    {
        var e = Assert.Throws<ArgumentException>(() => new ElementwiseOp(ElementwiseKind.Add).Forward([new Tensor(2, 3), new Tensor(2, 4)], false));
        Assert.Contains("dim 1: 3 vs 4", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Cat_gradients_match_finite_differences(int axis)
    {
        int[] s1 = [2, 3, 4], s2 = [2, 3, 4];
        int a = axis < 0 ? axis + 3 : axis;
        s2[a] = 2;
        var y = new Cat(axis).Forward([GradientChecker.Randn(1, s1), GradientChecker.Randn(2, s2)], false)[0];
        Assert.Equal(s1[a] + s2[a], y.Dim(a));
        GradientChecker.CheckOp(new Cat(axis), [GradientChecker.Randn(1, s1), GradientChecker.Randn(2, s2), GradientChecker.Randn(3, s1)]);
    }

    [Fact]
    public void Cat_then_Split_gives_the_inputs_back()
    {
        var a = GradientChecker.Randn(1, 2, 3, 5);
        var b = GradientChecker.Randn(2, 2, 4, 5);
        var y = new Cat(1).Forward([a, b], false)[0];
        var parts = new Split(1, 3, 4).Forward([y], false);
        Assert.Equal(a.Data, parts[0].Data);
        Assert.Equal(b.Data, parts[1].Data);
        var e = Assert.Throws<ArgumentException>(() => new Split(1, 3, 3).Forward([y], false));
        Assert.Contains("add up to 6", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Split_gradients_match_finite_differences(int axis) =>
        GradientChecker.CheckOp(new Split(axis, 1, 0, 2, 3), [GradientChecker.Randn(4, 2, 6, 3, 6)]);

    [Fact]
    public void Graph_with_fan_out_joins_constants_and_splits_has_correct_gradients()
    {
        var g = SampleGraph(7);
        GradientChecker.Check(g, GradientChecker.Randn(11, 2, 2, 5, 5));
    }

    [Fact]
    public void Graph_with_two_inputs_and_two_outputs_has_correct_gradients()
    {
        var rng = new Random(3);
        var g = new Graph(["a", "b"],
            [
                new GraphNode("fc", new Linear(4, 4, rng), "a", "fa"),
                new GraphNode("sum", new ElementwiseOp(ElementwiseKind.Add), ["fa", "b"], ["s"]),
                new GraphNode("prod", new ElementwiseOp(ElementwiseKind.Mul), ["s", "a"], ["p"]),
                new GraphNode("unused", new Linear(4, 2, rng), "a", "dead"),
            ],
            ["p", "s"]);
        GradientChecker.CheckOp(g, [GradientChecker.Randn(1, 3, 4), GradientChecker.Randn(2, 3, 4)]);
    }

    [Fact]
    public void Backward_never_writes_into_the_callers_gradient()
    {
        // x read by two Identity nodes whose outputs are both graph outputs: the first gradient is kept by reference
        // and must be copied, not added into, when the second arrives.
        var g = new Graph(["x"], [new GraphNode("i1", new Identity(), "x", "y1"), new GraphNode("i2", new Identity(), "x", "y2")], ["y1", "y2"]);
        var x = GradientChecker.Randn(1, 2, 3);
        g.Forward([x], training: true);
        var d1 = GradientChecker.Randn(2, 2, 3);
        var d2 = GradientChecker.Randn(3, 2, 3);
        var before = d1.Clone();
        var dx = g.Backward([d1, d2])[0];
        Assert.Equal(before.Data, d1.Data);
        for (int i = 0; i < dx.Length; i++) Assert.Equal(d1.Data[i] + d2.Data[i], dx.Data[i], 6);
    }

    [Fact]
    public void Nodes_are_ordered_topologically_and_errors_name_the_problem()
    {
        var rng = new Random(1);
        var g = new Graph(["x"], [new GraphNode("b", new ReLU(), "h", "y"), new GraphNode("a", new Linear(3, 3, rng), "x", "h")], ["y"]);
        Assert.Equal(["a", "b"], g.Nodes.Select(n => n.Name));
        Assert.Equal("a", g.Producer("h")!.Name);
        Assert.Single(g.Consumers("h"));

        Assert.Contains("cycle", Assert.Throws<ArgumentException>(() => new Graph(["x"],
            [new GraphNode("p", new ElementwiseOp(ElementwiseKind.Add), ["x", "q"], ["p"]), new GraphNode("q", new ReLU(), "p", "q")], ["q"])).Message,
            StringComparison.Ordinal);
        Assert.Contains("reads tensor 'nowhere'", Assert.Throws<ArgumentException>(() => new Graph(["x"],
            [new GraphNode("r", new ReLU(), "nowhere", "y")], ["y"])).Message, StringComparison.Ordinal);
        Assert.Contains("defined twice", Assert.Throws<ArgumentException>(() => new Graph(["x"],
            [new GraphNode("r", new ReLU(), "x", "y"), new GraphNode("s", new ReLU(), "x", "y")], ["y"])).Message, StringComparison.Ordinal);
        Assert.Contains("2 tensors", Assert.Throws<ArgumentException>(() => new Graph(["x"],
            [new GraphNode("r", new ReLU(), ["x"], ["y", "z"])], ["y"])).Message, StringComparison.Ordinal);
        Assert.Contains("buffer 'a.weight' has the name of another parameter", Assert.Throws<ArgumentException>(() => new Graph(["x"],
            [new GraphNode("a", new Linear(3, 3, rng), "x", "h"), new GraphNode("a.weight", new ElementwiseOp(ElementwiseKind.Add), ["h", "x"], ["y"])], ["y"],
            [new KeyValuePair<string, Tensor>("a.weight", new Tensor(1))])).Message, StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(() => g.Forward(new Tensor(2, 4), training: false));
        Assert.Contains("Graph node 'a'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Graph_saves_and_reloads_through_ModelFile()
    {
        using var dir = new TempDirectory();
        var g = SampleGraph(5);
        var x = GradientChecker.Randn(2, 3, 2, 5, 5);
        var expected = g.Forward(x, training: false).Clone();
        string path = Path.Combine(dir.Path, "graph.safetensors");
        ModelFile.Save(path, "custom-graph", g);
        var loaded = ModelFile.Load(path).Network;
        Assert.IsType<Graph>(loaded);
        Assert.Equal(expected.Data, loaded.Forward(x, training: false).Data);
        Assert.Equal(g.NamedParameters().Select(p => p.Name), loaded.NamedParameters().Select(p => p.Name));
        Assert.Contains("scale", loaded.NamedBuffers().Select(b => b.Name));
    }

    // x → conv → (+shift) → ×conv (fan-out of the conv) → Cat with x → Split → ÷scale, −x → Cat → flatten → fc.
    internal static Graph SampleGraph(int seed)
    {
        var rng = new Random(seed);
        var shift = GradientChecker.Randn(seed, 1, 3, 1, 1);
        var scale = Positive(GradientChecker.Randn(seed + 1, 3, 1, 1));
        return new Graph(["x"],
            [
                new GraphNode("layer1.conv", new Conv2d(2, 3, 3, rng, padding: 1), "x", "c"),
                new GraphNode("shift", new ElementwiseOp(ElementwiseKind.Add), ["c", "shift"], ["s"]),
                new GraphNode("square", new ElementwiseOp(ElementwiseKind.Mul), ["s", "c"], ["m"]),
                new GraphNode("cat", new Cat(1), ["m", "x"], ["cat"]),
                new GraphNode("split", new Split(1, 2, 3), ["cat"], ["p0", "p1"]),
                new GraphNode("div", new ElementwiseOp(ElementwiseKind.Div), ["p1", "scale"], ["d"]),
                new GraphNode("sub", new ElementwiseOp(ElementwiseKind.Sub), ["p0", "x"], ["q"]),
                new GraphNode("cat2", new Cat(-3), ["d", "q"], ["cat2"]),
                new GraphNode("flatten", new Flatten(), "cat2", "f"),
                new GraphNode("fc", new Linear(125, 4, rng), "f", "y"),
            ],
            ["y"],
            [new("shift", shift), new("scale", scale)]);
    }

    private static Tensor Positive(Tensor t)
    {
        for (int i = 0; i < t.Length; i++) t.Data[i] = 0.5f + Math.Abs(t.Data[i]);
        return t;
    }

    private static int DimAt(int[] shape, int d, int rank) => d - (rank - shape.Length) >= 0 ? shape[d - (rank - shape.Length)] : 1;

    private static int Offset(int[] shape, int[] index)
    {
        int rank = index.Length, offset = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            int i = shape[d] == 1 ? 0 : index[d + rank - shape.Length];
            offset = offset * shape[d] + i;
        }
        return offset;
    }
}
