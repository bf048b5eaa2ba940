// ShuffleReadThrough: a channel shuffle read only by a 3 × 3 depthwise convolution is read through by it. ShuffleNet's
// spelling (Reshape [N, G, C/G, H, W] → Transpose (0, 2, 1, 3, 4) → Reshape) and another exporter's (the planes
// flattened: Reshape [N, G, C/G, H·W] → Transpose (0, 2, 1, 3) → Reshape) are both found, at stride 1 and 2, and the
// rewritten graph equals the unfused one at batch 1 and 3; a permutation that moves anything but whole planes (a
// spatial transpose), a shuffle with a second reader, one returned to the caller and one before a convolution that is
// not depthwise are left as they are; the node refuses a map that is not one.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Runtime;

public class ShuffleReadThroughTests
{
    private const int Groups = 3, C = 12, Size = 8;

    // Grouped 1x1 → ReLU → shuffle → depthwise 3x3 (+ BatchNorm) → grouped 1x1 → global pool.
    private static Graph Unit(GraphNode[] shuffle, string shuffled, int stride = 1, Module? next = null, string[]? outputs = null,
        GraphNode[]? extra = null) => new(["x"],
    [
        new("g1", new Conv2d(C, C, 1, new Random(1), groups: Groups), "x", "a"),
        new("r1", new ReLU(), "a", "b"),
        .. shuffle,
        new("dw", next ?? new Conv2d(C, C, 3, new Random(2), stride: stride, padding: 1, groups: C), shuffled, "d"),
        new("bn", InferenceGraphTests.Norm(C, 3), "d", "e"),
        new("g2", new Conv2d(C, C, 1, new Random(4), groups: Groups), "e", "f"),
        new("gap", new GlobalAvgPool2d(), "f", "y"),
        .. extra ?? [],
    ], outputs ?? ["y"]);

    private static GraphNode[] FiveD(string input = "b") =>
    [
        new("split", new Reshape([0, Groups, C / Groups, Size, Size]), input, "s1"),
        new("shuffle", new Permute(0, 2, 1, 3, 4), "s1", "s2"),
        new("merge", new Reshape([0, C, Size, Size]), "s2", "s3"),
    ];

    private static GraphNode[] FourD() =>
    [
        new("split", new Reshape([0, Groups, C / Groups, Size * Size]), "b", "s1"),
        new("shuffle", new Permute(0, 2, 1, 3), "s1", "s2"),
        new("merge", new Reshape([0, C, Size, Size]), "s2", "s3"),
    ];

    private static void AssertEqual(Graph model, Module fused, int batch) =>
        GraphArenaTests.AssertOutputsEqual(model, fused, Randn(batch, batch, C, Size, Size));

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    public void A_shuffle_before_a_depthwise_convolution_is_read_through(bool fiveD, int stride)
    {
        var model = Unit(fiveD ? FiveD() : FourD(), "s3", stride);
        var fused = InferenceGraph.Fuse(model, [C, Size, Size]);
        Assert.Equal(1, fused.ShufflesReadThrough);
        var graph = (Graph)fused.Model;
        Assert.DoesNotContain(graph.Nodes, n => n.Module is Permute or Reshape);
        var dw = (FusedConv2d)graph.Node("dw").Module;
        Assert.Equal([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], dw.InputChannels!);
        Assert.Equal(["b"], graph.Node("dw").Inputs);
        Assert.EndsWith("after a channel shuffle)", dw.ToString(), StringComparison.Ordinal);
        AssertEqual(model, graph, 1);
        AssertEqual(model, InferenceGraph.Fuse(model, [C, Size, Size], batch: 3).Model, 3);
    }

    [Fact]
    public void Other_chains_stay_as_they_are()
    {
        // A spatial transpose moves values inside planes: not a channel map.
        GraphNode[] spatial = [new("t", new Permute(0, 1, 3, 2), "b", "s3")];
        // The shuffle's middle tensor has a second reader (returned), or the shuffled tensor is returned.
        var cases = new (Graph Model, string Why)[]
        {
            (Unit(spatial, "s3"), "spatial transpose"),
            (Unit(FiveD(), "s3", outputs: ["y", "s2"]), "a middle tensor returned"),
            (Unit(FiveD(), "s3", outputs: ["y", "s3"]), "the shuffled tensor returned"),
            (Unit(FiveD(), "s3", extra: [new("other", new ReLU(), "s1", "o")], outputs: ["y", "o"]), "a middle tensor read twice"),
            (Unit(FiveD(), "s3", next: new Conv2d(C, C, 3, new Random(2), padding: 1)), "a dense 3x3 after it"),
            (Unit(FiveD(), "s3", next: new Conv2d(C, C, 5, new Random(2), padding: 2, groups: C)), "a 5x5 depthwise after it"),
        };
        foreach (var (model, why) in cases)
        {
            var fused = InferenceGraph.Fuse(model, [C, Size, Size]);
            Assert.True(fused.ShufflesReadThrough == 0, why);
            Assert.Contains(((Graph)fused.Model).Nodes, n => n.Module is Permute);
            AssertEqual(model, fused.Model, 2);
        }
    }

    [Fact]
    public void The_node_refuses_maps_that_are_not_one()
    {
        var dw = new FusedConv2d(new Conv2d(4, 4, 3, new Random(1), padding: 1, groups: 4) { Frozen = true }, false);
        Assert.Throws<ArgumentException>("channels", () => dw.ReadingChannels([0, 1, 2]));
        Assert.Throws<ArgumentException>("channels", () => dw.ReadingChannels([0, 1, 2, 4]));
        var dense = new FusedConv2d(new Conv2d(4, 4, 3, new Random(1), padding: 1) { Frozen = true }, false);
        Assert.Throws<InvalidOperationException>(() => dense.ReadingChannels([0, 1, 2, 3]));
        var dilated = new FusedConv2d(new Conv2d(4, 4, 3, new Random(1), padding: 2, groups: 4, dilation: 2) { Frozen = true }, false);
        Assert.False(dilated.ReadsThroughShuffles);
    }
}
