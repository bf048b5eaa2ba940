// ChannelsLastRewrite (through InferenceGraph.Fuse): a depthwise-separable stack runs channels last and gives the
// channels-first plan's outputs — MobileNet-v2 from the zoo whole (its stem reading the channels-first input), a stack
// that starts with a depthwise layer (a LayoutChange in front), batch 1 and 3, one and two threads; what may not run
// channels last stays as it was (no depthwise layer, a residual with a shortcut layer, a grouped convolution).
// In a Graph (an imported model): MobileNet-v2 exported to ONNX and imported runs channels last with ONNX Runtime's
// outputs; in a hand-built graph a tensor a channels-first reader (a graph output) also needs is transposed back, and a
// residual from outside the group is transposed in. ChannelsLastConv2d and LayoutChange reject what they cannot run
// with specific errors.
using Topiary.Models;
using Topiary.Onnx;
using Topiary.Tests.IO;
using Topiary.Tests.Models;
using Topiary.Tests.Onnx;
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;
using Topiary.Tests.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Runtime;

public class ChannelsLastRewriteTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    public void MobileNet_v2_runs_channels_last_with_the_channels_first_outputs(int batch, int threads)
    {
        var model = MobileNetV2.Create(seed: 3);
        var first = InferenceGraph.Fuse(model, [1, 28, 28], channelsLast: false);
        var last = InferenceGraph.Fuse(model, [1, 28, 28]);
        // Every convolution runs channels last: the stem, the 17 blocks' and the 1×1 head.
        int convs = model.NamedModules().Count(m => m.Module is Conv2d);
        Assert.Equal(0, first.ChannelsLastConvs);
        Assert.Equal(convs, last.ChannelsLastConvs);
        // Parents first: the whole of features is one run of the top Sequential, its stem reading the input; the
        // pooling after it pools channels last (no transpose back).
        var top = Assert.IsType<Sequential>(last.Model);
        Assert.Equal(["features", "avgpool", "flatten", "classifier"], top.NamedChildren().Select(c => c.Name));
        Assert.IsType<ChannelsLastGlobalAvgPool>(top[1]);
        Assert.DoesNotContain(last.Model.NamedModules(), m => m.Module is LayoutChange);
        var stem = Assert.IsType<ChannelsLastConv2d>(Assert.IsType<Sequential>(Assert.IsType<Sequential>(top[0])[0])[0]);
        Assert.True(stem.ReadsChannelsFirst);
        var x = Randn(11, batch, 1, 28, 28);
        float[] expected, actual;
        using (Threading.Limit(threads))
        {
            expected = first.Model.Forward(x, false).Data.ToArray();
            actual = last.Model.Forward(x, false).Data.ToArray();
        }
        GroupedConvTests.AssertClose(expected, actual, $"batch {batch}, {threads} thread(s)");
    }

    [Fact]
    public void A_stack_starting_with_a_depthwise_layer_transposes_in_front_and_keeps_the_outputs()
    {
        var model = new Sequential(
            new Conv2d(16, 16, 3, new Random(1), stride: 2, padding: 1, groups: 16, bias: false), Norm(16, 2), Hardtanh.ReLU6(),
            new Conv2d(16, 24, 1, new Random(3), bias: false), Norm(24, 4),
            new Residual(new Sequential(new Conv2d(24, 24, 1, new Random(5)), new ReLU(),
                new Conv2d(24, 24, 3, new Random(6), padding: 1, groups: 24), Norm(24, 8), new Conv2d(24, 24, 1, new Random(7)), Norm(24, 9))),
            new GlobalAvgPool2d());
        var fused = InferenceGraph.Fuse(model, [16, 9, 7]);
        Assert.Equal(5, fused.ChannelsLastConvs);
        var top = Assert.IsType<Sequential>(fused.Model);
        Assert.Equal(["0_to_channels_last", "0", "3", "5", "6"], top.NamedChildren().Select(c => c.Name));
        Assert.IsType<ChannelsLastGlobalAvgPool>(top[4]);
        Assert.True(Assert.IsType<BandedSeparableBlock>(top[3]).Residual); // expand → depthwise → project + input, by bands
        var x = Randn(12, 2, 16, 9, 7);
        GroupedConvTests.AssertClose(model.Forward(x, false).Data.ToArray(), fused.Model.Forward(x, false).Data, "depthwise first");
    }

    [Fact]
    public void Imported_MobileNet_v2_runs_channels_last_with_onnx_runtime_outputs()
    {
        using var dir = new TempDirectory();
        var model = MobileNetV2.Create(seed: 5);
        ZooModels.RandomizeBatchNormStatistics(model, seed: 6);
        string path = dir.File("mobilenet-v2.onnx");
        OnnxExporter.Export(model, [1, 28, 28], path);
        var (imported, _) = OnnxImporter.Import(path);
        var fused = InferenceGraph.Fuse(imported, [1, 28, 28]);
        Assert.Equal(model.NamedModules().Count(m => m.Module is Conv2d), fused.ChannelsLastConvs);
        var graph = Assert.IsType<Graph>(fused.Model);
        // The stem reads the input channels first; the last 1×1 layer's output is pooled channels last.
        Assert.DoesNotContain(graph.Nodes, n => n.Module is LayoutChange);
        Assert.Single(graph.Nodes, n => n.Module is ChannelsLastGlobalAvgPool);
        Assert.Equal(16, graph.Nodes.Count(n => n.Module is BandedSeparableBlock)); // every block with an expansion
        Assert.Single(graph.Nodes, n => n.Module is ChannelsLastConv2d { ReadsChannelsFirst: true });
        foreach (int batch in new[] { 1, 3 })
        {
            int[] shape = [batch, 1, 28, 28];
            float[] x = OnnxTestSupport.RandomInput(batch, batch * 784);
            OnnxTestSupport.AssertClose(OnnxTestSupport.RunOrt(path, x, shape), OnnxTestSupport.RunOurs(fused.Model, x, shape), $"batch {batch}");
        }
    }

    [Fact]
    public void In_a_graph_outputs_read_channels_first_go_back_and_outside_residuals_come_in()
    {
        // stem (3×3, the entry) → s → depthwise → d → pointwise + t → y, where the residual t comes channels first from a
        // 3×3 convolution outside any group (a max-pool reads it). s and y are graph outputs.
        var graph = new Graph(["x"],
        [
            new GraphNode("stem", new Conv2d(3, 8, 3, new Random(1), padding: 1), "x", "s0"),
            new GraphNode("stem_relu", new ReLU(), "s0", "s"),
            new GraphNode("dw", new Conv2d(8, 8, 3, new Random(2), padding: 1, groups: 8), "s", "d1"),
            new GraphNode("dw_relu", Hardtanh.ReLU6(), "d1", "d"),
            new GraphNode("side", new Conv2d(3, 8, 3, new Random(3), padding: 1, groups: 1), "x", "t0"),
            new GraphNode("side_bn", Norm(8, 4), "t0", "t1"),
            new GraphNode("side_max", new MaxPool2d(1), "t1", "t"),
            new GraphNode("pw", new Conv2d(8, 8, 1, new Random(5)), "d", "p0"),
            new GraphNode("pw_add", new ElementwiseOp(ElementwiseKind.Add), ["p0", "t"], ["y"]),
        ], ["y", "s"]);
        var fused = InferenceGraph.Fuse(graph, [3, 6, 5]);
        Assert.Equal(3, fused.ChannelsLastConvs);
        var names = Assert.IsType<Graph>(fused.Model).Nodes.Select(n => n.Name).ToArray();
        Assert.Contains("s_to_channels_first", names);
        Assert.Contains("t_to_channels_last", names);
        Assert.Contains("y_to_channels_first", names);
        var x = Randn(14, 2, 3, 6, 5);
        var expected = graph.Forward([x], false).Select(t => t.Data.ToArray()).ToArray();
        var actual = ((Graph)fused.Model).Forward([x], false);
        for (int k = 0; k < 2; k++) GroupedConvTests.AssertClose(expected[k], actual[k].Data, $"output {k}");
    }

    [Theory]
    [InlineData(1, 1, 1, true)]
    [InlineData(1, 1, 2, true)] // one image cut between two threads
    [InlineData(3, 1, 2, true)]
    [InlineData(1, 2, 1, true)]
    [InlineData(3, 2, 2, true)]
    [InlineData(1, 1, 1, false)] // no expansion: the depthwise layer reads the block's input rows in place
    [InlineData(1, 1, 2, false)]
    [InlineData(3, 2, 2, false)]
    [InlineData(1, 1, 2, true, 7)] // a 7-row image: two parts would expand 9 rows, so each layer runs on both threads
    [InlineData(1, 2, 2, true, 14)]
    [InlineData(2, 1, 2, true, 7)]
    public void A_banded_block_gives_its_layers_bits(int batch, int stride, int threads, bool expands, int height = 83)
    {
        // 96 hidden channels of 83 × 41: about 40 expanded rows per band of 640 KB, so several bands (and more with two
        // threads, which take their own rows each).
        int cin = expands ? 24 : 96, hidden = 96;
        bool residual = stride == 1;
        var expand = expands ? new ChannelsLastConv2d(new FusedConv2d(new Conv2d(cin, hidden, 1, new Random(1)), false, 0f, 6f), false) : null;
        var depthwise = new ChannelsLastConv2d(
            new FusedConv2d(new Conv2d(hidden, hidden, 3, new Random(2), stride: stride, padding: 1, groups: hidden), false, 0f, 6f), false);
        var project = new ChannelsLastConv2d(new FusedConv2d(new Conv2d(hidden, cin, 1, new Random(3)), residual), false);
        var block = new BandedSeparableBlock(expand, depthwise, project, residual);
        var x = Randn(15, batch, height, 41, cin);
        float[] expected, actual;
        using (Threading.Limit(threads))
        {
            var d = depthwise.Forward([expand is null ? x : expand.Forward([x], false)[0]], false)[0];
            expected = project.Forward(residual ? [d, x] : [d], false)[0].Data.ToArray();
            actual = block.Forward(x, false).Data;
        }
        Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(0, expected.Length)), $"batch {batch}, stride {stride}, {threads} thread(s)");
        Assert.Throws<ArgumentException>("input", () => block.Forward(new Tensor(1, 5, 5, 8), false));
        Assert.Throws<ArgumentException>("expand", () => new BandedSeparableBlock(depthwise, depthwise, project, residual));
        Assert.Throws<ArgumentException>("expand", () => new BandedSeparableBlock(expand, depthwise, project, !residual));
    }

    [Fact]
    public void Stacks_without_a_depthwise_layer_or_with_shortcut_layers_stay_channels_first()
    {
        // ResNet-20: 3×3 convolutions and residuals with projection shortcuts, no depthwise layer.
        Assert.Equal(0, InferenceGraph.Fuse(ResNet20.Create(1), [1, 28, 28]).ChannelsLastConvs);
        // A residual whose shortcut is a layer, and a grouped (not depthwise) 1×1 convolution, break the run.
        var model = new Sequential(
            new Conv2d(8, 8, 3, new Random(1), padding: 1, groups: 8), Norm(8, 1), new Conv2d(8, 8, 1, new Random(2), groups: 2), Norm(8, 2),
            new Residual(new Sequential(new Conv2d(8, 8, 3, new Random(3), padding: 1, groups: 8), Norm(8, 3)), new Conv2d(8, 8, 1, new Random(4))),
            new Conv2d(8, 8, 1, new Random(5)), Norm(8, 4));
        var fused = InferenceGraph.Fuse(model, [8, 5, 5]);
        Assert.Equal(0, fused.ChannelsLastConvs);
        Assert.DoesNotContain(fused.Model.NamedModules(), m => m.Module is ChannelsLastConv2d or LayoutChange);
    }

    [Fact]
    public void ChannelsLastConv2d_rejects_what_it_cannot_run()
    {
        var grouped = new FusedConv2d(new Conv2d(8, 8, 1, new Random(1), groups: 2), false);
        var depthwiseResidual = new FusedConv2d(new Conv2d(8, 8, 3, new Random(2), padding: 1, groups: 8), true);
        var entryResidual = new FusedConv2d(new Conv2d(3, 8, 3, new Random(3), padding: 1), true);
        var spatial = new FusedConv2d(new Conv2d(8, 8, 3, new Random(4), padding: 1), false);
        Assert.Contains("no channels-last form", Assert.Throws<ArgumentException>("fused", () => new ChannelsLastConv2d(grouped, false)).Message);
        Assert.Throws<ArgumentException>("fused", () => new ChannelsLastConv2d(depthwiseResidual, false));
        Assert.Throws<ArgumentException>("fused", () => new ChannelsLastConv2d(entryResidual, true));
        Assert.Contains("reading channels first", Assert.Throws<ArgumentException>("fused", () => new ChannelsLastConv2d(depthwiseResidual, true)).Message);
        Assert.Throws<ArgumentException>("fused", () => new ChannelsLastConv2d(spatial, false)); // 3×3 reads channels first only
        Assert.True(ChannelsLastConv2d.Supports(spatial, readsChannelsFirst: true));

        var pointwise = new ChannelsLastConv2d(new FusedConv2d(new Conv2d(8, 4, 1, new Random(5)), true), false);
        var wrongChannels = Assert.Throws<ArgumentException>("input", () => pointwise.Forward([new Tensor(1, 5, 5, 4), new Tensor(1, 5, 5, 4)], false));
        Assert.Contains("[N, H, W, 8]", wrongChannels.Message);
        var residual = Assert.Throws<ArgumentException>("inputs", () => pointwise.Forward([new Tensor(1, 5, 5, 8), new Tensor(1, 5, 4, 4)], false));
        Assert.Contains("the residual is [1, 5, 4, 4]; the output is [1, 5, 5, 4]", residual.Message);
        Assert.Throws<ArgumentException>("tensors", () => pointwise.Forward([new Tensor(1, 5, 5, 8)], false));
        Assert.Throws<NotSupportedException>(() => pointwise.Forward([new Tensor(1, 5, 5, 8), new Tensor(1, 5, 5, 4)], true));
        var entry = new ChannelsLastConv2d(spatial, true);
        Assert.Contains("[N, 8, H, W]", Assert.Throws<ArgumentException>("input", () => entry.Forward([new Tensor(1, 5, 5, 8)], false)).Message);
    }

    [Fact]
    public void Channels_last_pooling_is_the_mean_of_every_channel()
    {
        var x = Randn(16, 2, 5, 3, 20);
        var pooled = new ChannelsLastGlobalAvgPool().Forward(x, false);
        Assert.Equal([2, 20, 1, 1], pooled.Shape);
        var expected = new GlobalAvgPool2d().Forward(new LayoutChange(toChannelsLast: false).Forward(x, false), false);
        GroupedConvTests.AssertClose(expected.Data, pooled.Data, "pooled");
        Assert.Throws<ArgumentException>("input", () => new ChannelsLastGlobalAvgPool().Forward(new Tensor(2, 3), false));
        Assert.Throws<NotSupportedException>(() => new ChannelsLastGlobalAvgPool().Forward(x, true));
    }

    [Fact]
    public void LayoutChange_transposes_both_ways_bit_for_bit()
    {
        var x = Randn(13, 2, 5, 17, 3);
        var last = new LayoutChange(toChannelsLast: true).Forward(x, false);
        Assert.Equal([2, 17, 3, 5], last.Shape);
        Assert.Equal(x.Data[((1 * 5 + 4) * 17 + 16) * 3 + 2], last.Data[((1 * 17 + 16) * 3 + 2) * 5 + 4]);
        var back = new LayoutChange(toChannelsLast: false).Forward(last, false);
        Assert.Equal(x.Shape, back.Shape);
        Assert.True(x.Data.AsSpan().SequenceEqual(back.Data));
        Assert.Throws<ArgumentException>("input", () => new LayoutChange(true).Forward(new Tensor(2, 3), false));
        Assert.Throws<NotSupportedException>(() => new LayoutChange(true).Forward(x, true));
    }

    private static BatchNorm2d Norm(int channels, int seed) => InferenceGraphTests.Norm(channels, seed);
}
