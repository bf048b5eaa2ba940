// InferenceGraph.Fuse: conv → BatchNorm → Add → ReLU/ReLU6 chains of a Graph become FusedConv2d nodes whose outputs
// equal the unfused graph's; links with a second reader, graph outputs and broadcasts other than per channel stay unfused;
// multiplications and additions by per-channel constants (Caffe's Scale layer) fold into the weights and bias; the
// source model is untouched; the fused node refuses training; Fold matches conv-then-BatchNorm. Inside Sequentials,
// conv chains fuse at any depth and Residual blocks ending in a convolution add in its epilogue (FusedResidual).
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Runtime;

public class InferenceGraphTests
{
    internal static BatchNorm2d Norm(int channels, int seed)
    {
        var bn = new BatchNorm2d(channels);
        var rng = new Random(seed);
        for (int c = 0; c < channels; c++)
        {
            bn.Weight.Value[c] = 0.5f + (float)rng.NextDouble();
            bn.Bias.Value[c] = (float)rng.NextDouble() - 0.5f;
            bn.RunningMean[c] = (float)rng.NextDouble() - 0.5f;
            bn.RunningVar[c] = 0.2f + (float)rng.NextDouble();
        }
        return bn;
    }

    // A bottleneck-like block: stem conv → BN → ReLU; branch conv → BN → + stem → ReLU; a 1x1 conv → ReLU6 (no BN);
    // a conv whose output is also a graph output; a conv whose output has two readers; a per-channel constant added.
    private static Graph Block() => new(["x"],
    [
        new GraphNode("stem", new Conv2d(3, 8, 3, new Random(1), padding: 1), "x", "s0"),
        new GraphNode("stem_bn", Norm(8, 2), "s0", "s1"),
        new GraphNode("stem_relu", new ReLU(), "s1", "s"),
        new GraphNode("branch", new Conv2d(8, 8, 3, new Random(3), padding: 1, bias: false), "s", "b0"),
        new GraphNode("branch_bn", Norm(8, 4), "b0", "b1"),
        new GraphNode("add", new ElementwiseOp(ElementwiseKind.Add), ["b1", "s"], ["r0"]),
        new GraphNode("add_relu", new ReLU(), "r0", "r"),
        new GraphNode("pw", new Conv2d(8, 6, 1, new Random(5)), "r", "p0"),
        new GraphNode("pw_relu6", Hardtanh.ReLU6(), "p0", "p"),
        new GraphNode("tap", new Conv2d(6, 4, 3, new Random(6), padding: 1), "p", "t0"),
        new GraphNode("tap_relu", new ReLU(), "t0", "t"),
        new GraphNode("twice", new Conv2d(4, 4, 1, new Random(7)), "t", "w0"),
        new GraphNode("twice_relu", new ReLU(), "w0", "w1"),
        new GraphNode("twice_sum", new ElementwiseOp(ElementwiseKind.Add), ["w0", "w1"], ["w"]),
        new GraphNode("biased", new Conv2d(4, 4, 1, new Random(8)), "w", "c0"),
        new GraphNode("biased_add", new ElementwiseOp(ElementwiseKind.Add), ["c0", "k"], ["y"]),
    ], ["y", "t0"], new Dictionary<string, Tensor> { ["k"] = Randn(9, 1, 4, 1, 1) });

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Fused_outputs_equal_the_graph_and_only_safe_links_are_taken(int batch)
    {
        var model = Block();
        var fused = InferenceGraph.Fuse(model, [3, 9, 11]);
        // stem+bn+relu, branch+bn+add+relu, pw+relu6, biased+its constant (into the bias); "tap" keeps its ReLU (t0 is
        // a graph output), "twice" its (two readers).
        Assert.Equal(2, fused.FoldedNorms);
        Assert.Equal(1, fused.FusedResiduals);
        Assert.Equal(3, fused.FusedActivations);
        Assert.Equal(1, fused.FoldedAffines);
        var graph = Assert.IsType<Graph>(fused.Model);
        Assert.Equal(16 - 7, graph.Nodes.Count);
        Assert.Equal("Fused(Conv2d(8, 8, kernel=3x3, stride=1x1, padding=1x1) + BatchNorm2d + residual → ReLU)",
            graph.Node("branch").Module.ToString());
        Assert.Equal(["s", "s"], [graph.Node("stem").Outputs[0], graph.Node("branch").Inputs[1]]);
        Assert.Contains("→ ReLU6", graph.Node("pw").Module.ToString(), StringComparison.Ordinal);
        // Unfused convolutions still run as FusedConv2d nodes (their outputs can live in the arena), with no epilogue.
        Assert.Equal("Fused(Conv2d(6, 4, kernel=3x3, stride=1x1, padding=1x1))", graph.Node("tap").Module.ToString());
        Assert.Equal("Fused(Conv2d(4, 4, kernel=1x1, stride=1x1, padding=0x0))", graph.Node("twice").Module.ToString());
        Assert.IsType<ReLU>(graph.Node("tap_relu").Module);
        Assert.IsType<ReLU>(graph.Node("twice_relu").Module);
        Assert.IsType<FusedConv2d>(graph.Node("biased").Module);
        Assert.Equal(["y"], graph.Node("biased").Outputs);
        Assert.Equal(16, model.Nodes.Count); // the source is untouched

        var x = Randn(10, batch, 3, 9, 11);
        var expected = model.Forward([x], training: false).Select(t => t.Data.ToArray()).ToArray();
        var actual = graph.Forward([x], training: false);
        for (int i = 0; i < expected.Length; i++)
            GroupedConvTests.AssertClose(expected[i], actual[i].Span.ToArray(), $"output {i}");
    }

    [Fact]
    public void Per_channel_scales_and_shifts_fold_into_the_convolution_and_other_broadcasts_do_not()
    {
        // Caffe's BatchNorm + Scale as exported: conv → BN → Mul([C,1,1]) → Add([1,C,1,1]) → ReLU; then a scalar multiply
        // (constant first) and a width-wise add ([1,1,1,W]: not per channel) after a second convolution.
        var model = new Graph(["x"],
        [
            new GraphNode("conv", new Conv2d(3, 5, 3, new Random(1), padding: 1), "x", "c0"),
            new GraphNode("bn", Norm(5, 2), "c0", "c1"),
            new GraphNode("scale", new ElementwiseOp(ElementwiseKind.Mul), ["c1", "gamma"], ["c2"]),
            new GraphNode("shift", new ElementwiseOp(ElementwiseKind.Add), ["c2", "beta"], ["c3"]),
            new GraphNode("relu", new ReLU(), "c3", "c"),
            new GraphNode("conv2", new Conv2d(5, 4, 1, new Random(3), bias: false), "c", "d0"),
            new GraphNode("half", new ElementwiseOp(ElementwiseKind.Mul), ["two", "d0"], ["d1"]),
            new GraphNode("rows", new ElementwiseOp(ElementwiseKind.Add), ["d1", "ramp"], ["y"]),
        ], ["y"], new Dictionary<string, Tensor>
        {
            ["gamma"] = Randn(4, 5, 1, 1),
            ["beta"] = Randn(5, 1, 5, 1, 1),
            ["two"] = new Tensor([0.5f], 1),
            ["ramp"] = Randn(6, 1, 1, 1, 7),
        });
        var fused = InferenceGraph.Fuse(model, [3, 6, 7]);
        Assert.Equal(3, fused.FoldedAffines);
        var graph = Assert.IsType<Graph>(fused.Model);
        Assert.Equal(["conv", "conv2", "rows"], graph.Nodes.Select(n => n.Name));
        Assert.Equal("Fused(Conv2d(3, 5, kernel=3x3, stride=1x1, padding=1x1) + BatchNorm2d → ReLU)", graph.Node("conv").Module.ToString());
        Assert.IsType<ElementwiseOp>(graph.Node("rows").Module);
        foreach (int batch in new[] { 1, 2 })
        {
            var x = Randn(10 + batch, batch, 3, 6, 7);
            GroupedConvTests.AssertClose(model.Forward([x], training: false)[0].Data, graph.Forward([x], training: false)[0].Data, $"batch {batch}");
        }
    }

    [Fact]
    public void A_pre_activation_chain_becomes_one_channel_affine_node()
    {
        // DenseNet's pre-activation: BN → Mul → Add → ReLU before a convolution; a second chain whose BN output has two
        // readers stays as it is (BN alone is one pass already).
        var model = new Graph(["x"],
        [
            new GraphNode("bn", Norm(3, 2), "x", "a0"),
            new GraphNode("scale", new ElementwiseOp(ElementwiseKind.Mul), ["gamma", "a0"], ["a1"]),
            new GraphNode("shift", new ElementwiseOp(ElementwiseKind.Add), ["a1", "beta"], ["a2"]),
            new GraphNode("relu", new ReLU(), "a2", "a"),
            new GraphNode("conv", new Conv2d(3, 4, 3, new Random(1), padding: 1), "a", "c"),
            new GraphNode("bn2", Norm(4, 3), "c", "d0"),
            new GraphNode("relu2", new ReLU(), "d0", "d1"),
            new GraphNode("sum", new ElementwiseOp(ElementwiseKind.Add), ["d0", "d1"], ["y"]),
        ], ["y"], new Dictionary<string, Tensor> { ["gamma"] = Randn(4, 1, 3, 1, 1), ["beta"] = Randn(5, 3, 1, 1) });
        var fused = InferenceGraph.Fuse(model, [3, 6, 5]);
        var graph = Assert.IsType<Graph>(fused.Model);
        Assert.Equal("ChannelAffine(3 → ReLU)", graph.Node("bn").Module.ToString());
        Assert.Equal(["x"], graph.Node("bn").Inputs);
        Assert.Equal(["a"], graph.Node("bn").Outputs);
        Assert.Equal(2, fused.FoldedAffines);
        // conv + bn2 fused (d0 has two readers: relu2 stays), then sum.
        Assert.Equal(["bn", "conv", "relu2", "sum"], graph.Nodes.Select(n => n.Name));
        foreach (int batch in new[] { 1, 3 })
        {
            var x = Randn(20 + batch, batch, 3, 6, 5);
            GroupedConvTests.AssertClose(model.Forward([x], training: false)[0].Data, graph.Forward([x], training: false)[0].Data, $"batch {batch}");
        }
    }

    [Fact]
    public void Affine_scales_then_shifts_the_output()
    {
        var conv = new Conv2d(2, 3, 3, new Random(4), padding: 1);
        float[] scale = [0.5f, -2f, 3f], shift = [1f, 0f, -0.25f];
        var x = Randn(12, 1, 2, 5, 5);
        var expected = conv.Forward(x, training: false).Data.ToArray();
        for (int o = 0; o < 3; o++)
            for (int p = 0; p < 25; p++) expected[o * 25 + p] = expected[o * 25 + p] * scale[o] + shift[o];
        GroupedConvTests.AssertClose(expected, InferenceGraph.Affine(conv, scale, shift).Forward(x, training: false).Data, "affine");
        Assert.Throws<ArgumentException>(() => InferenceGraph.Affine(conv, [1f, 2f], null));
    }

    [Fact]
    public void A_fused_block_wider_than_one_column_block_and_transposed_small_images_still_agree()
    {
        // 20×20 with 64 input channels: several column blocks (residual added block by block); 7×7: the transposed path.
        foreach (int size in new[] { 20, 7 })
        {
            var model = new Graph(["x"],
            [
                new GraphNode("a", new Conv2d(64, 64, 3, new Random(1), padding: 1), "x", "a0"),
                new GraphNode("a_bn", Norm(64, 2), "a0", "a1"),
                new GraphNode("add", new ElementwiseOp(ElementwiseKind.Add), ["x", "a1"], ["r"]),
                new GraphNode("relu", new ReLU(), "r", "y"),
            ], ["y"]);
            var fused = InferenceGraph.Fuse(model, [64, size, size]);
            Assert.Equal(1, fused.FusedResiduals);
            var x = Randn(11, 1, 64, size, size);
            var expected = model.Forward([x], false)[0].Data.ToArray();
            GroupedConvTests.AssertClose(expected, fused.Model.Forward(x, false).Data, $"{size}x{size}");
        }
    }

    [Fact]
    public void Two_convolution_chains_meeting_at_one_add_fuse_it_once()
    {
        // A ResNet downsampling block: main branch conv → BN and shortcut conv → BN, summed, then ReLU.
        var model = new Graph(["x"],
        [
            new GraphNode("shortcut", new Conv2d(4, 6, 1, new Random(1), stride: 2), "x", "s0"),
            new GraphNode("shortcut_bn", Norm(6, 2), "s0", "s"),
            new GraphNode("main", new Conv2d(4, 6, 3, new Random(3), stride: 2, padding: 1), "x", "m0"),
            new GraphNode("main_bn", Norm(6, 4), "m0", "m"),
            new GraphNode("sum", new ElementwiseOp(ElementwiseKind.Add), ["m", "s"], ["r"]),
            new GraphNode("relu", new ReLU(), "r", "y"),
        ], ["y"]);
        var fused = InferenceGraph.Fuse(model, [4, 9, 9]);
        Assert.Equal((2, 1, 1), (fused.FoldedNorms, fused.FusedResiduals, fused.FusedActivations));
        Assert.Equal(2, ((Graph)fused.Model).Nodes.Count);
        var x = Randn(5, 2, 4, 9, 9);
        GroupedConvTests.AssertClose(model.Forward([x], false)[0].Data.ToArray(), fused.Model.Forward(x, false).Data, "block");
    }

    [Theory]
    [InlineData(1, 14)]
    [InlineData(2, 9)]
    public void A_frozen_convolution_on_Winograd_keeps_bias_residual_and_clamp(int batch, int size)
    {
        var conv = new Conv2d(6, 10, 3, new Random(1), padding: 1);
        conv.Bias!.Value.CopyFrom(Randn(2, 10));
        var x = Randn(3, batch, 6, size, size);
        var residual = Randn(4, batch, 10, size, size);
        var expected = conv.Forward(x, training: true).Data.ToArray();
        for (int i = 0; i < expected.Length; i++) expected[i] = Math.Clamp(expected[i] + residual.Data[i], 0f, 6f);
        conv.Frozen = true;
        conv.WinogradOverride = true;
        GroupedConvTests.AssertClose(expected, conv.ForwardFused(x, residual, 0f, 6f).Data, "winograd");
        conv.WinogradOverride = null; // measured: either algorithm, the same values
        GroupedConvTests.AssertClose(expected, conv.ForwardFused(x, residual, 0f, 6f).Data, "measured");
        GroupedConvTests.AssertClose(expected, conv.ForwardFused(x, residual, 0f, 6f).Data, "measured, cached choice");
    }

    [Fact]
    public void Fold_equals_the_convolution_followed_by_its_BatchNorm()
    {
        var conv = new Conv2d(5, 7, (3, 2), new Random(1), stride: (2, 1), padding: (1, 0), groups: 1);
        var bn = Norm(7, 2);
        var x = Randn(3, 2, 5, 8, 9);
        var expected = bn.Forward(conv.Forward(x, false), false).Data.ToArray();
        GroupedConvTests.AssertClose(expected, InferenceGraph.Fold(conv, bn).Forward(x, false).Data, "folded");
        Assert.Throws<ArgumentException>(() => InferenceGraph.Fold(conv, Norm(6, 3)));
    }

    [Fact]
    public void The_fused_node_refuses_training_and_a_residual_of_the_wrong_shape()
    {
        var node = new FusedConv2d(new Conv2d(2, 3, 1, new Random(1)), hasResidual: true, 0f);
        var x = Randn(1, 1, 2, 4, 4);
        Assert.Throws<NotSupportedException>(() => node.Forward([x, new Tensor(1, 3, 4, 4)], training: true));
        Assert.Throws<NotSupportedException>(() => node.Backward([new Tensor(1, 3, 4, 4)]));
        var e = Assert.Throws<ArgumentException>(() => node.Forward([x, new Tensor(1, 3, 4, 5)], training: false));
        Assert.Contains("residual", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new FusedConv2d(new Conv2d(2, 3, 1, new Random(1)), false, 1f, 0f));
    }

    [Fact]
    public void Chains_inside_sequentials_fuse_at_any_depth()
    {
        // conv → BN → ReLU6, a residual block whose body is conv → BN → ReLU → conv → BN, then conv → ReLU and a bare
        // conv (nothing to fuse), as the zoo's MobileNet/ResNet blocks nest them.
        var body = new Sequential(new Conv2d(4, 4, 3, new Random(3), padding: 1, bias: false), Norm(4, 4), new ReLU(),
            new Conv2d(4, 4, 3, new Random(5), padding: 1, bias: false), Norm(4, 6));
        var model = new Sequential(new Conv2d(2, 4, 3, new Random(1), padding: 1), Norm(4, 2), Hardtanh.ReLU6(),
            new Residual(body), new Conv2d(4, 3, 1, new Random(7)), new ReLU(), new Conv2d(3, 3, 1, new Random(8)));
        var fused = InferenceGraph.Fuse(model, [2, 7, 9]);
        Assert.Equal((3, 1, 3), (fused.FoldedNorms, fused.FusedResiduals, fused.FusedActivations));
        var top = Assert.IsType<Sequential>(fused.Model);
        Assert.Equal(4, top.Count);
        Assert.Contains("→ ReLU6", top[0].ToString(), StringComparison.Ordinal);
        var block = Assert.IsType<FusedResidual>(top[1]);
        Assert.Single(Assert.IsType<Sequential>(block.Prefix).NamedChildren());
        Assert.True(Assert.IsType<FusedConv2d>(block.Last).HasResidual);
        Assert.IsType<Conv2d>(top[3]);
        Assert.Equal(7, model.Count); // the source is untouched
        var x = Randn(2, 3, 2, 7, 9);
        GroupedConvTests.AssertClose(model.Forward(x, false).Data.ToArray(), fused.Model.Forward(x, false).Data, "nested");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Residual_blocks_in_sequentials_add_in_their_last_convolution(int batch)
    {
        // A downsampling block (shortcut conv → BN) followed by a ReLU, an identity block whose body is one conv → BN
        // (no prefix), and a block whose body ends in a ReLU (its add stays a pass of its own).
        var down = new Residual(
            new Sequential(new Conv2d(3, 6, 3, new Random(1), stride: 2, padding: 1, bias: false), Norm(6, 2), new ReLU(),
                new Conv2d(6, 6, 3, new Random(3), padding: 1, bias: false), Norm(6, 4)),
            new Sequential(new Conv2d(3, 6, 1, new Random(5), stride: 2, bias: false), Norm(6, 6)));
        var single = new Residual(new Sequential(new Conv2d(6, 6, 1, new Random(7)), Norm(6, 8)));
        var unfusable = new Residual(new Sequential(new Conv2d(6, 6, 1, new Random(9)), new ReLU()));
        var model = new Sequential(down, new ReLU(), single, Hardtanh.ReLU6(), unfusable);
        var fused = InferenceGraph.Fuse(model, [3, 9, 11]);
        var top = Assert.IsType<Sequential>(fused.Model);
        Assert.Equal(3, top.Count);
        Assert.Equal(2, fused.FusedResiduals);
        var first = Assert.IsType<FusedResidual>(top[0]);
        Assert.Contains("→ ReLU)", first.Last.ToString(), StringComparison.Ordinal);
        Assert.NotNull(first.Shortcut);
        var second = Assert.IsType<FusedResidual>(top[1]);
        Assert.Null(second.Prefix);
        Assert.Contains("→ ReLU6", second.Last.ToString(), StringComparison.Ordinal);
        Assert.IsType<Residual>(top[2]);
        var x = Randn(11, batch, 3, 9, 11);
        GroupedConvTests.AssertClose(model.Forward(x, false).Data.ToArray(), fused.Model.Forward(x, false).Data, "residual blocks");
        Assert.Throws<NotSupportedException>(() => first.Forward(x, training: true));
        Assert.Throws<ArgumentException>(() => new FusedResidual(null, new FusedConv2d(new Conv2d(2, 2, 1, new Random(1)), false), null));
    }
}
