// Every layer an inference graph can hold reads a view input (a tensor over the first elements of a longer array, as an
// ActivationArena slot hands out) as it reads a tensor of its own: the same output, bit for bit, with NaN in the array's
// tail never reaching it. Small shapes take the scalar and single-thread paths; the large ones (ReLU over a 56 × 56
// activation, a 3 × 3 convolution at 28 × 28) the chunked and threaded paths. A layer that can live in an arena,
// placed in a slot whose array is longer and full of NaN, writes the view it returns and nothing past it.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Tests.Nn;

public class ViewInputTests
{
    private static Conv2d Conv(int c, int oc, int k, int stride = 1, int pad = 0, int groups = 1, bool? winograd = null, bool? entry = null)
    {
        var conv = new Conv2d(c, oc, k, new Random(c * 31 + oc), stride, pad, groups: groups) { Frozen = true };
        conv.WinogradOverride = winograd;
        conv.EntryOverride = entry;
        return conv;
    }

    private static FusedConv2d Fused(Conv2d conv, bool residual = false) => new(conv, residual, 0f, 6f);

    public static TheoryData<string> Cases => new(Layers.Keys);

    private static readonly Dictionary<string, (Func<Module> Make, int[][] Shapes)> Layers = new()
    {
        ["relu"] = (() => new ReLU(), [[2, 3, 5, 7]]),
        ["relu-threaded"] = (() => new ReLU(), [[1, 64, 56, 56]]),
        ["sigmoid"] = (() => new Sigmoid(), [[2, 3, 5, 7]]),
        ["tanh"] = (() => new Tanh(), [[2, 3, 5, 7]]),
        ["hardswish"] = (() => new HardSwish(), [[2, 3, 5, 7]]),
        ["hardsigmoid"] = (() => new HardSigmoid(), [[2, 3, 5, 7]]),
        ["leakyrelu"] = (() => new LeakyReLU(0.1f), [[2, 3, 5, 7]]),
        ["relu6"] = (() => new Hardtanh(0f, 6f), [[2, 3, 5, 7]]),
        ["softmax"] = (() => new Softmax(1), [[3, 10]]),
        ["logsoftmax"] = (() => new LogSoftmax(-1), [[3, 10]]),
        ["dropout"] = (() => new Dropout(0.5f, 1), [[2, 3, 5, 7]]),
        ["identity"] = (() => new Identity(), [[2, 3, 5, 7]]),
        ["flatten"] = (() => new Flatten(), [[2, 3, 5, 7]]),
        ["reshape"] = (() => new Reshape([0, 3, -1]), [[2, 3, 5, 7]]),
        ["shuffle"] = (() => new Permute(0, 2, 1, 3, 4), [[1, 4, 6, 5, 7]]),
        ["slice"] = (() => new Slice([1], [3], [1]), [[2, 5, 4, 3]]),
        ["pad"] = (() => new Pad([0, 0, 1, 2, 0, 0, 2, 1]), [[2, 3, 5, 7]]),
        ["maxpool"] = (() => new MaxPool2d(3, 2, 1), [[1, 8, 13, 13]]),
        ["avgpool"] = (() => new AvgPool2d(3, 2, 1, countIncludePad: false), [[1, 8, 13, 13]]),
        ["globalavgpool"] = (() => new GlobalAvgPool2d(), [[2, 8, 7, 7]]),
        ["globalmaxpool"] = (() => new GlobalMaxPool2d(), [[2, 8, 7, 7]]),
        ["lrn"] = (() => new LocalResponseNorm(5), [[1, 8, 6, 6]]),
        ["batchnorm2d"] = (() => new BatchNorm2d(8), [[2, 8, 5, 5]]),
        ["batchnorm1d"] = (() => new BatchNorm1d(12), [[3, 12]]),
        ["channelaffine"] = (() => new ChannelAffine(Enumerable.Range(1, 8).Select(i => i * 0.5f).ToArray(), new float[8], 0f, 4f), [[2, 8, 5, 5]]),
        ["reducemean"] = (() => new ReduceMean([2, 3]), [[2, 8, 5, 5]]),
        ["linear"] = (() => new Linear(20, 7, new Random(3)), [[3, 20]]),
        ["packedlinear"] = (() => new PackedLinear(new Linear(20, 7, new Random(3))), [[1, 20]]),
        ["sparselinear"] = (() => new SparseLinear(Pruned(new Linear(40, 9, new Random(4))), relu: true, batch: 1, measureSeconds: 0.001), [[1, 40]]),
        ["conv3x3"] = (() => Conv(8, 16, 3, pad: 1, winograd: false, entry: false), [[1, 8, 28, 28]]),
        ["conv3x3-winograd"] = (() => Conv(8, 16, 3, pad: 1, winograd: true), [[1, 8, 28, 28]]),
        ["conv-stem-entry"] = (() => Conv(3, 16, 3, stride: 2, pad: 1, entry: true), [[1, 3, 29, 29]]),
        ["conv1x1"] = (() => Conv(16, 24, 1, entry: false), [[2, 16, 9, 9]]),
        ["conv-grouped"] = (() => Conv(16, 16, 1, groups: 4, entry: true), [[1, 16, 14, 14]]),
        ["conv-depthwise"] = (() => Conv(16, 16, 3, stride: 2, pad: 1, groups: 16), [[1, 16, 15, 15]]),
        ["conv-small-image"] = (() => Conv(32, 40, 3, pad: 1, winograd: false), [[1, 32, 7, 7]]),
        ["fused-residual"] = (() => Fused(Conv(8, 8, 3, pad: 1, winograd: false), residual: true), [[1, 8, 12, 12], [1, 8, 12, 12]]),
        ["fused-depthwise-residual"] = (() => Fused(Conv(8, 8, 3, pad: 1, groups: 8), residual: true), [[1, 8, 12, 12], [1, 8, 12, 12]]),
        ["add"] = (() => new ElementwiseOp(ElementwiseKind.Add), [[2, 8, 5, 5], [2, 8, 5, 5]]),
        ["mul-per-channel"] = (() => new ElementwiseOp(ElementwiseKind.Mul), [[2, 8, 5, 5], [1, 8, 1, 1]]),
        ["cat"] = (() => new Cat(1), [[2, 3, 5, 5], [2, 5, 5, 5]]),
        ["residual-identity"] = (() => new Residual(new ReLU()), [[2, 3, 5, 5]]),
        ["concat-branches"] = (() => new Concat(new Identity(), new ReLU()), [[2, 3, 5, 5]]),
        ["split"] = (() => new Split(1, 3, 5), [[2, 8, 5, 5]]),
        ["to-channels-last"] = (() => new LayoutChange(toChannelsLast: true), [[2, 8, 5, 5]]),
        ["to-channels-first"] = (() => new LayoutChange(toChannelsLast: false), [[2, 5, 5, 8]]),
        ["channels-last-pointwise"] = (() => new ChannelsLastConv2d(Fused(Conv(8, 16, 1)), readsChannelsFirst: false), [[2, 5, 5, 8]]),
        ["channels-last-depthwise"] = (() => new ChannelsLastConv2d(Fused(Conv(16, 16, 3, pad: 1, groups: 16)), readsChannelsFirst: false), [[1, 9, 9, 16]]),
        ["channels-last-globalavgpool"] = (() => new ChannelsLastGlobalAvgPool(), [[2, 5, 5, 8]]),
    };

    private static Linear Pruned(Linear linear)
    {
        var w = linear.Weight.Value.Data;
        for (int i = 0; i < w.Length; i++) if (i % 5 != 0) w[i] = 0f;
        return linear;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_view_input_gives_the_outputs_of_a_tensor_of_its_own(string name)
    {
        var (make, shapes) = Layers[name];
        var random = new Random(name.Length);
        var own = shapes.Select(s => Tensor.RandomUniform(random, 2f, s)).ToArray();
        var views = own.Select(t =>
        {
            float[] longer = new float[t.Length + 37];
            Array.Fill(longer, float.NaN);
            t.Span.CopyTo(longer);
            return Tensor.View(longer, t.Shape.ToArray());
        }).ToArray();
        var layer = make(); // one instance: a layer that picks its kernel by timing (SparseLinear) keeps its pick
        float[][] expected = Run(layer, own), actual = Run(layer, views);
        Assert.Equal(expected.Length, actual.Length);
        for (int o = 0; o < expected.Length; o++)
        {
            Assert.DoesNotContain(actual[o], float.IsNaN);
            Assert.Equal(expected[o], actual[o]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_layer_placed_in_an_arena_writes_its_view_of_the_slot_and_nothing_past_it(string name)
    {
        var (make, shapes) = Layers[name];
        if (make() is not IArenaOutput { Placeable: true }) return; // it passes its input on (a view) or is never placed
        var random = new Random(name.Length + 1);
        var inputs = shapes.Select(s => Tensor.RandomUniform(random, 2f, s)).ToArray();
        var placed = make();
        var expected = Run(placed, inputs); // before it is placed: its own output
        var arena = new ActivationArena(1);
        float[] slot = arena.Storage(0, expected[0].Length + 41);
        Array.Fill(slot, float.NaN);
        ((IArenaOutput)placed).Place(arena, 0);
        IReadOnlyList<Tensor> outs = placed is GraphOp op ? op.Forward(inputs, training: false) : [placed.Forward(inputs[0], training: false)];
        var y = Assert.Single(outs);
        Assert.Same(slot, y.Data);
        Assert.Equal(expected[0], y.Span.ToArray());
        Assert.All(slot.Skip(y.Length), v => Assert.True(float.IsNaN(v)));
        // Training writes the layer's own tensor (its backward pass reads it), never the slot.
        Tensor trained;
        try
        {
            trained = placed is GraphOp op2 ? op2.Forward(inputs, training: true)[0] : placed.Forward(inputs[0], training: true);
        }
        catch (NotSupportedException)
        {
            return; // an inference-only layer
        }
        Assert.NotSame(slot, trained.Data);
    }

    // The layer's outputs, copied (its buffers are overwritten by the next call); twice, so paths chosen on the first
    // call (a Frozen convolution's measurement) and the path kept afterwards both read the view.
    private static float[][] Run(Module layer, Tensor[] inputs)
    {
        float[][] result = [];
        for (int call = 0; call < 2; call++)
        {
            IReadOnlyList<Tensor> outs = layer is GraphOp op ? op.Forward(inputs, training: false) : [layer.Forward(inputs[0], training: false)];
            result = outs.Select(t => t.Span.ToArray()).ToArray();
        }
        return result;
    }
}
