// Dependency groups: what each coupling kind joins, what is reported and never pruned, and that physical removal
// through every coupling leaves the function unchanged when the removed channels contribute nothing.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning.Channels;

namespace Topiary.Tests.Pruning.Channels;

public class ChannelDependenciesTests
{
    private static readonly int[] Mnist = [1, 28, 28];

    [Fact]
    public void Residual_stage_group_holds_every_coupled_slice()
    {
        var deps = ChannelDependencies.Analyse(ResNet20.Create(1), Mnist);
        var stage1 = deps.Groups.Single(g => g.Producers.Contains("conv1"));
        Assert.Equal(16, stage1.Channels);
        Assert.Equal(["conv1", "layer1.0.body.conv2", "layer1.1.body.conv2", "layer1.2.body.conv2"], stage1.Producers);
        var slices = stage1.Slices[3];
        string[] rows = ["conv1", "layer1.0.body.conv2", "layer1.1.body.conv2", "layer1.2.body.conv2"];
        string[] norms = ["bn1", "layer1.0.body.bn2", "layer1.1.body.bn2", "layer1.2.body.bn2"];
        string[] inputs = ["layer1.0.body.conv1", "layer1.1.body.conv1", "layer1.2.body.conv1", "layer2.0.body.conv1", "layer2.0.shortcut.0"];
        foreach (var r in rows) Assert.Contains(slices, s => s.Layer == r && s.Kind == SliceKind.Rows && s.Role == SliceRole.Weight && s.Index == 3);
        foreach (var n in norms) Assert.Contains(slices, s => s.Layer == n && s.Role == SliceRole.NormScale && s.Index == 3);
        foreach (var i in inputs) Assert.Contains(slices, s => s.Layer == i && s.Kind == SliceKind.Columns && s.Index == 3);
        Assert.Equal(rows.Length + 2 * norms.Length + inputs.Length, slices.Count);

        // Inner channels of a block are a group of their own; the last stage feeds the classifier's columns.
        var inner = deps.Groups.Single(g => g.Name == "layer2.1.body.conv1");
        Assert.Equal(["layer2.1.body.conv1"], inner.Producers);
        Assert.Equal(32, inner.Channels);
        var stage3 = deps.Groups.Single(g => g.Producers.Contains("layer3.0.shortcut.0"));
        Assert.Contains(stage3.Slices[0], s => s.Layer == "fc" && s.Kind == SliceKind.Columns && s.Block == 1);
        // 9 inner groups + 3 stage groups (the stem's is stage 1's); the classifier's outputs are the model's.
        Assert.Equal(12, deps.Groups.Count);
        Assert.Contains(deps.Unprunable, u => u.Layer == "fc" && u.Channels == 10 && u.Reason.Contains("model output", StringComparison.Ordinal));
        Assert.Empty(deps.UnsupportedLayers);
    }

    [Fact]
    public void Depthwise_convolution_joins_its_input_and_output_channels()
    {
        var deps = ChannelDependencies.Analyse(ChannelTestModels.Mobile(1), ChannelTestModels.Input);
        var expanded = deps.Groups.Single(g => g.Name == "block1.body.0.0");
        Assert.Equal(24, expanded.Channels);
        Assert.Contains(expanded.Slices[5], s => s.Layer == "block1.body.1.0" && s.Kind == SliceKind.Rows && s.Index == 5);
        Assert.Contains(expanded.Slices[5], s => s.Layer == "block1.body.2" && s.Kind == SliceKind.Columns && s.Index == 5);
        // The residual Add joins the stem's channels with block1's projection.
        var stem = deps.Groups.Single(g => g.Producers.Contains("stem.0"));
        Assert.Equal(["stem.0", "block1.body.2"], stem.Producers);
    }

    [Fact]
    public void Concat_maps_channel_ranges_to_their_producers()
    {
        var deps = ChannelDependencies.Analyse(ChannelTestModels.Fire(1), ChannelTestModels.Input);
        var e1 = deps.Groups.Single(g => g.Name == "fire1.expand.0.expand1x1");
        var e3 = deps.Groups.Single(g => g.Name == "fire1.expand.1.expand3x3");
        Assert.Equal(6, e1.Channels);
        Assert.Equal(6, e3.Channels);
        // Channel k of the 3×3 branch is input k + 6 of the next squeeze.
        Assert.Contains(e3.Slices[2], s => s.Layer == "fire2.squeeze" && s.Kind == SliceKind.Columns && s.Index == 8);
        Assert.Contains(e1.Slices[2], s => s.Layer == "fire2.squeeze" && s.Kind == SliceKind.Columns && s.Index == 2);
    }

    [Fact]
    public void Split_cat_and_gating_couple_across_the_graph()
    {
        var deps = ChannelDependencies.Analyse(ChannelTestModels.Graph(1), ChannelTestModels.Input);
        // a's channels 0-3 feed b; 4-7 reach the Cat (and the SE gate's rows); b's channels are gated too.
        var gated = deps.Groups.Where(g => g.Producers.Contains("se.fc2")).ToList();
        Assert.Equal(2, gated.Count);
        Assert.Contains(gated, g => g.Producers.SequenceEqual(["a", "se.fc2"]) && g.Channels == 4);
        Assert.Contains(gated, g => g.Producers.SequenceEqual(["b", "se.fc2"]) && g.Channels == 6);
        Assert.Contains(deps.Groups, g => g.Producers.SequenceEqual(["a"]) && g.Channels == 4);
        var last = deps.Groups.Single(g => g.Name == "conv");
        Assert.Contains(last.Slices[1], s => s.Layer == "fc" && s.Kind == SliceKind.Columns && s.Index == 1 && s.Block == 9);
    }

    [Fact]
    public void Unsupported_couplings_are_reported_and_never_pruned()
    {
        var rng = new Random(1);
        var model = new Sequential()
            .Add("conv1", new Conv2d(2, 8, 3, rng, padding: 1))
            .Add("grouped", new Conv2d(8, 8, 3, rng, padding: 1, groups: 2))
            .Add("lrn", new LocalResponseNorm(3))
            .Add("conv3", new Conv2d(8, 6, 1, rng))
            .Add("relu", new ReLU())
            .Add("conv4", new Conv2d(6, 4, 1, rng));
        var deps = ChannelDependencies.Analyse(model, ChannelTestModels.Input);
        Assert.Contains(deps.UnsupportedLayers, u => u.Layer == "grouped" && u.Reason.Contains("groups = 2", StringComparison.Ordinal));
        Assert.Contains(deps.UnsupportedLayers, u => u.Layer == "lrn");
        Assert.Contains(deps.Unprunable, u => u.Layer == "conv1" && u.Channels == 8 && u.Reason.Contains("'grouped'", StringComparison.Ordinal));
        Assert.Equal(["conv3"], deps.Groups.Select(g => g.Name));
    }

    [Fact]
    public void A_softmax_over_classes_at_the_output_is_not_reported_but_one_inside_the_network_is()
    {
        var rng = new Random(2);
        Sequential Net(bool inside) => inside
            ? new Sequential().Add("conv1", new Conv2d(2, 8, 3, rng, padding: 1)).Add("soft", new Softmax(1)).Add("conv2", new Conv2d(8, 4, 1, rng))
            : new Sequential().Add("conv1", new Conv2d(2, 8, 3, rng, padding: 1)).Add("pool", new GlobalAvgPool2d()).Add("flatten", new Flatten())
                .Add("fc", new Linear(8, 5, rng)).Add("soft", new Softmax(1));
        var atOutput = ChannelDependencies.Analyse(Net(inside: false), ChannelTestModels.Input);
        Assert.Empty(atOutput.UnsupportedLayers);
        Assert.Contains(atOutput.Unprunable, u => u.Layer == "fc" && u.Reason.Contains("feeds the model output through 'soft'", StringComparison.Ordinal));
        Assert.Equal(["conv1"], atOutput.Groups.Select(g => g.Name));
        var inside = ChannelDependencies.Analyse(Net(inside: true), ChannelTestModels.Input);
        Assert.Contains(inside.UnsupportedLayers, u => u.Layer == "soft");
        Assert.Empty(inside.Groups);
    }

    [Fact]
    public void Protected_layers_keep_their_channels()
    {
        var deps = ChannelDependencies.Analyse(ChannelTestModels.Chain(1), ChannelTestModels.Input, ["stem"]);
        Assert.Equal(["conv2"], deps.Groups.Select(g => g.Name));
        Assert.Contains(deps.Unprunable, u => u.Layer == "conv1" && u.Reason.Contains("protected", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => ChannelDependencies.Analyse(ChannelTestModels.Chain(1), ChannelTestModels.Input, ["nope"]));
    }

    public static TheoryData<string> Kinds => ["chain", "resnet", "mobile", "fire", "graph"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Removing_channels_with_zero_contribution_leaves_outputs_unchanged(string kind)
    {
        var (model, shape) = kind switch
        {
            "chain" => (ChannelTestModels.Chain(3), ChannelTestModels.Input),
            "resnet" => (ChannelTestModels.Randomise(ResNet20.Create(3), 3), Mnist),
            "mobile" => (ChannelTestModels.Mobile(3), ChannelTestModels.Input),
            "fire" => (ChannelTestModels.Fire(3), ChannelTestModels.Input),
            _ => (ChannelTestModels.Graph(3), ChannelTestModels.Input),
        };
        ChannelTestModels.AssertRemovalPreservesFunction(model, shape, ChannelTestModels.EveryOther, kind);
    }

    [Theory]
    [InlineData(-1L)] // [-1, 80]: exporters that fold the shape with an inferred batch
    [InlineData(0L)]  // [0, 80]: the batch copied, the size folded (the importer's form of ONNX zoo ResNet-50's [1, 2048])
    public void A_flatten_reshape_with_an_explicit_size_is_a_flatten_and_is_rewritten_to_infer_it(long batchEntry)
    {
        var rng = new Random(5);
        var reshape = new Reshape([batchEntry, 5 * 4 * 4]);
        var g = new Graph(["x"],
        [
            new GraphNode("conv1", new Conv2d(2, 6, 3, rng, padding: 1), "x", "a"),
            new GraphNode("relu", new ReLU(), "a", "b"),
            new GraphNode("conv2", new Conv2d(6, 5, 3, rng, stride: 2, padding: 1), "b", "h"),
            new GraphNode("flatten", reshape, "h", "k"),
            new GraphNode("fc", new Linear(5 * 4 * 4, 3, rng), "k", "y"),
        ], ["y"]);
        var model = ChannelTestModels.Randomise(g, 5);
        var deps = ChannelDependencies.Analyse(model, ChannelTestModels.Input);
        Assert.Empty(deps.UnsupportedLayers);
        Assert.Contains(deps.Groups, grp => grp.Name == "conv2");
        ChannelTestModels.AssertRemovalPreservesFunction(model, ChannelTestModels.Input, ChannelTestModels.EveryOther, "explicit flatten");
        Assert.Equal([0L, -1L], reshape.Shape);
    }

    [Fact]
    public void Removal_rejects_bad_requests()
    {
        var deps = ChannelDependencies.Analyse(ChannelTestModels.Chain(1), ChannelTestModels.Input);
        var g = deps.Groups[0];
        var all = Enumerable.Range(0, g.Channels).ToArray();
        var e = Assert.Throws<ArgumentException>(() => ChannelRemover.Remove(deps, new Dictionary<ChannelGroup, IReadOnlyCollection<int>> { [g] = all }));
        Assert.Contains("keep at least one", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => ChannelRemover.Remove(deps, new Dictionary<ChannelGroup, IReadOnlyCollection<int>> { [g] = [g.Channels] }));
        Assert.Contains("outside", e.Message, StringComparison.Ordinal);
    }
}
