// InferenceGraph's in-place concatenation: a Cat along the channels fed only by fused convolutions (SqueezeNet's fire
// module, an inception block) becomes a CatInPlace whose producers write their channel slices of one ConcatBuffer.
// The fused graph's output equals the unfused graph's at batch 1 and 3 (written in place, sample by sample, on every
// convolution path: pointwise, im2col, Winograd, the transposed small image, the batched small-image path); a later
// concatenation of as many channels shares an earlier one's storage only when that one is dead, and keeps one array
// across calls when the two differ in size; a Cat with an input that is not a fused
// convolution's, or is read twice, or a residual-fused producer, stays a Cat; bad uses are rejected.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Runtime;

public class ConcatInPlaceTests
{
    // squeeze 1x1 → ReLU, then expand 1x1 → ReLU and expand 3x3 → ReLU (and a strided 3x3 → ReLU6), concatenated.
    private static Graph Fire(int c, int squeeze, int expand) => new(["x"],
    [
        new GraphNode("squeeze", new Conv2d(c, squeeze, 1, new Random(1)), "x", "s0"),
        new GraphNode("squeeze_relu", new ReLU(), "s0", "s"),
        new GraphNode("e1", new Conv2d(squeeze, expand, 1, new Random(2)), "s", "a0"),
        new GraphNode("e1_relu", new ReLU(), "a0", "a"),
        new GraphNode("e3", new Conv2d(squeeze, expand, 3, new Random(3), padding: 1), "s", "b0"),
        new GraphNode("e3_relu", new ReLU(), "b0", "b"),
        new GraphNode("e5", new Conv2d(squeeze, 5, 5, new Random(4), padding: 2), "s", "d0"),
        new GraphNode("e5_relu6", Hardtanh.ReLU6(), "d0", "d"),
        new GraphNode("cat", new Cat(1), ["a", "b", "d"], ["y"]),
    ], ["y"]);

    [Theory]
    [InlineData(1, 14)]  // pointwise, Winograd/im2col, im2col 5x5, all written in place
    [InlineData(1, 7)]   // small image: the transposed product writes in place too
    [InlineData(3, 9)]   // several samples: each sample's slice written in place
    [InlineData(3, 7)]   // several small images: the batched path, copied into the slices
    public void The_concatenation_written_in_place_equals_the_graph(int batch, int size)
    {
        var model = Fire(6, 5, 7);
        var fused = InferenceGraph.Fuse(model, [6, size, size], batch);
        Assert.Equal(1, fused.ConcatsInPlace);
        var graph = Assert.IsType<Graph>(fused.Model);
        Assert.IsType<CatInPlace>(graph.Node("cat").Module);
        Assert.Equal([0, 7, 14], new[] { "e1", "e3", "e5" }.Select(n => ((FusedConv2d)graph.Node(n).Module).TargetChannel));
        var x = Randn(5, batch, 6, size, size);
        var expected = model.Forward([x], false)[0].Data.ToArray();
        for (int call = 0; call < 2; call++) // the second call reuses the buffer
            GroupedConvTests.AssertClose(expected, fused.Model.Forward(x, false).Data, $"batch {batch}, {size}x{size}, call {call}");
    }

    [Fact]
    public void Winograd_and_im2col_write_the_same_slice()
    {
        var model = Fire(8, 8, 8);
        foreach (int batch in new[] { 1, 2 }) // 2: one Winograd call per sample, each into its own slice
            foreach (bool? winograd in new bool?[] { true, false })
            {
                var fused = InferenceGraph.Fuse(model, [8, 12, 12], batch);
                var e3 = ((FusedConv2d)((Graph)fused.Model).Node("e3").Module).Conv;
                e3.WinogradOverride = winograd;
                var x = Randn(6, batch, 8, 12, 12);
                GroupedConvTests.AssertClose(model.Forward([x], false)[0].Data.ToArray(), fused.Model.Forward(x, false).Data,
                    $"batch {batch}, Winograd {winograd}");
            }
    }

    [Fact]
    public void Only_concatenations_of_sole_fused_convolution_outputs_are_rewritten()
    {
        // "b" is also a graph output (two readers); the second Cat takes the raw input: neither is rewritten.
        var model = new Graph(["x"],
        [
            new GraphNode("p", new Conv2d(3, 4, 1, new Random(1)), "x", "p0"),
            new GraphNode("p_relu", new ReLU(), "p0", "a"),
            new GraphNode("q", new Conv2d(3, 4, 3, new Random(2), padding: 1), "x", "q0"),
            new GraphNode("q_relu", new ReLU(), "q0", "b"),
            new GraphNode("cat", new Cat(1), ["a", "b"], ["y"]),
            new GraphNode("r", new Conv2d(3, 2, 1, new Random(3)), "x", "r0"),
            new GraphNode("r_relu", new ReLU(), "r0", "c"),
            new GraphNode("cat2", new Cat(1), ["c", "x"], ["z"]),
        ], ["y", "z", "b"]);
        var fused = InferenceGraph.Fuse(model, [3, 6, 6]);
        Assert.Equal(0, fused.ConcatsInPlace);
        var graph = (Graph)fused.Model;
        Assert.IsType<Cat>(graph.Node("cat").Module);
        Assert.IsType<Cat>(graph.Node("cat2").Module);
        var x = Randn(7, 1, 3, 6, 6);
        var expected = model.Forward([x], false).Select(t => t.Data.ToArray()).ToArray();
        var actual = graph.Forward([x], false);
        for (int i = 0; i < expected.Length; i++) GroupedConvTests.AssertClose(expected[i], actual[i].Data, $"output {i}");
    }

    // Two fire modules in a row (19 channels in and out), the first one's concatenation read by the second's squeeze, or
    // also by a last concatenation of both, or also returned; the second's read by a last ReLU (or that concatenation).
    private static Graph TwoFires(bool firstReadAtTheEnd, bool firstReturned, bool poolBetween = false)
    {
        GraphNode[] Fire(string p, string input, string output) =>
        [
            new(p + "squeeze", new Conv2d(19, 5, 1, new Random(p.Length + 1)), input, p + "s"),
            new(p + "e1", new Conv2d(5, 7, 1, new Random(p.Length + 2)), p + "s", p + "a0"),
            new(p + "e1_relu", new ReLU(), p + "a0", p + "a"),
            new(p + "e3", new Conv2d(5, 12, 3, new Random(p.Length + 3), padding: 1), p + "s", p + "b0"),
            new(p + "e3_relu", new ReLU(), p + "b0", p + "b"),
            new(p + "cat", new Cat(1), [p + "a", p + "b"], [output]),
        ];
        var nodes = Fire("f1_", "x", "y1").ToList();
        if (poolBetween) nodes.Add(new GraphNode("pool", new MaxPool2d(2), "y1", "p1"));
        nodes.AddRange(Fire("f2_", poolBetween ? "p1" : "y1", "y2"));
        string[] outputs = firstReadAtTheEnd ? ["y"] : firstReturned ? ["z", "y1"] : ["z"];
        if (firstReadAtTheEnd) nodes.Add(new GraphNode("last", new Cat(1), ["y1", "y2"], ["y"]));
        else nodes.Add(new GraphNode("head", new ReLU(), "y2", "z")); // a returned concatenation keeps storage of its own
        return new Graph(["x"], nodes, outputs);
    }

    [Theory]
    [InlineData(false, false, true)]   // fire2 writes where fire1's output was: it is dead once fire2's squeeze has run
    [InlineData(true, false, false)]   // fire1's output is read after fire2's parts are written: storage of its own
    [InlineData(false, true, false)]   // fire1's output is returned: storage of its own
    public void A_concatenation_shares_the_storage_of_an_earlier_one_only_when_that_one_is_dead(bool readAtTheEnd, bool returned, bool shares)
    {
        var model = TwoFires(readAtTheEnd, returned);
        var fused = InferenceGraph.Fuse(model, [19, 9, 9]);
        var graph = (Graph)fused.Model;
        Assert.Equal(2, graph.Nodes.Count(n => n.Module is CatInPlace));
        var x = Randn(3, 1, 19, 9, 9);
        var expected = model.Forward([x], false).Select(t => t.Data.ToArray()).ToArray();
        for (int call = 0; call < 2; call++)
        {
            var actual = graph.Forward([x], false);
            for (int i = 0; i < expected.Length; i++) GroupedConvTests.AssertClose(expected[i], actual[i].Data, $"output {i}, call {call}");
        }
        var first = ((CatInPlace)graph.Node("f1_cat").Module).Buffer.Tensor;
        var second = ((CatInPlace)graph.Node("f2_cat").Module).Buffer.Tensor;
        Assert.Equal(shares, ReferenceEquals(first!.Data, second!.Data));
    }

    // SqueezeNet's fire4 (256 channels at 54 × 54) and fire5 (256 at 27 × 27): a pool between the two fires, so the
    // second shares the first's storage at a quarter of its size. The shared array is kept across calls (it used to be
    // reallocated twice a call, 60 MB a pass at batch 16), the second concatenation a view of its first elements.
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Sharers_of_different_sizes_keep_one_array_across_calls(int batch)
    {
        var model = TwoFires(firstReadAtTheEnd: false, firstReturned: false, poolBetween: true);
        var fused = InferenceGraph.Fuse(model, [19, 10, 10], batch);
        var graph = (Graph)fused.Model;
        var x = Randn(4, batch, 19, 10, 10);
        var expected = model.Forward([x], false)[0].Data.ToArray();
        float[]? storage = null;
        for (int call = 0; call < 3; call++)
        {
            var actual = graph.Forward([x], false)[0];
            GroupedConvTests.AssertClose(expected, actual.Data.AsSpan(0, actual.Length).ToArray(), $"batch {batch}, call {call}");
            var first = ((CatInPlace)graph.Node("f1_cat").Module).Buffer.Tensor!;
            var second = ((CatInPlace)graph.Node("f2_cat").Module).Buffer.Tensor!;
            Assert.Same(first.Data, second.Data);
            Assert.Equal([batch, 19, 5, 5], second.Shape.ToArray());
            storage ??= first.Data;
            Assert.Same(storage, first.Data);
        }
    }

    [Fact]
    public void Bad_uses_are_rejected()
    {
        var conv = new Conv2d(3, 4, 1, new Random(1));
        var node = new FusedConv2d(conv, hasResidual: false, 0f, float.PositiveInfinity);
        var buffer = new ConcatBuffer(6);
        Assert.Throws<ArgumentOutOfRangeException>(() => node.WritingInto(buffer, 3)); // channels 3..7 of 6
        Assert.Throws<InvalidOperationException>(() => new FusedConv2d(conv, hasResidual: true).WritingInto(buffer, 0));
        var x = Randn(2, 2, 3, 5, 5);
        Assert.Throws<ArgumentException>(() => conv.ForwardFusedInto(x, 0f, 1f, new float[1000], 0, 99)); // samples of 100 overlap
        Assert.Throws<ArgumentException>(() => conv.ForwardFusedInto(x, 0f, 1f, new float[299], 0, 200)); // the second ends at 300
        Assert.Throws<ArgumentException>(() => conv.ForwardFusedInto(Randn(3, 1, 3, 5, 5), 0f, 1f, new float[99], 10, 100)); // 100 outputs from 10
        var cat = new CatInPlace(buffer);
        Assert.Throws<InvalidOperationException>(() => cat.Forward([Randn(4, 1, 6, 2, 2)], false)); // not the buffer
        Assert.Throws<NotSupportedException>(() => cat.Forward([buffer.Ensure(1, 2, 2)], true));
        Assert.Throws<ArgumentException>(() => buffer.CopyIn(Randn(5, 1, 4, 2, 2), 3));
    }
}
