// Conv2d's inference path (Forward with training = false: in place, in column blocks, pointwise without unfold,
// transposed for small images whose channels fill the GEMM's tiles better that way, batched for small images at
// batch > 1) against the training path, which the layer's other tests check against naive loops and finite
// differences. Shapes are chosen to reach every branch: images wider than one column block (the last block partial),
// 1×1 stride 1, under 128 positions either way round, groups, bias or none.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class Conv2dInferenceTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int, bool> Shapes => new()
    {
        // batch, C, OC, H, W, kernel, stride, padding, groups, bias
        { 1, 64, 24, 21, 19, 3, 1, 1, 1, true },    // K = 576: blocks of 256 positions over 399, the last one partial
        { 2, 64, 24, 21, 19, 3, 1, 1, 1, false },   // (sample, block) work items
        { 1, 3, 16, 37, 41, 7, 2, 3, 1, true },     // a stem: stride 2, padding 3
        { 1, 40, 33, 17, 17, 1, 1, 0, 1, true },    // pointwise: the image is the column matrix
        { 3, 40, 33, 17, 17, 1, 1, 0, 1, false },
        { 1, 24, 48, 7, 7, 3, 1, 1, 1, true },      // 49 positions: transposed
        { 1, 20, 50, 12, 12, 5, 1, 0, 1, true },    // 64 positions, 50 channels (LeNet-5's conv2): W·col fills the tiles better
        { 1, 48, 70, 9, 9, 1, 1, 0, 1, true },      // pointwise and transposed
        { 4, 24, 48, 7, 7, 3, 1, 1, 1, true },      // batch > 1, small image: the batched path
        { 1, 32, 32, 18, 18, 3, 1, 1, 4, true },    // groups, blocked
        { 1, 32, 32, 6, 6, 3, 1, 1, 4, true },      // groups, transposed
        { 2, 16, 20, 15, 15, 1, 2, 0, 1, true },    // 1x1 stride 2 (unfolds: it subsamples)
        { 1, 3, 16, 75, 75, 11, 4, 0, 1, true },    // AlexNet's stem: 11x11 stride 4 (Stride4 gathers, 17 output columns)
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_frozen_layer_with_packed_weights_and_the_GEMM_epilogue_gives_the_same_bits(int n, int c, int oc, int h, int w,
        int k, int s, int p, int g, bool bias)
    {
        var live = new Conv2d(c, oc, k, new Random(1), stride: s, padding: p, bias: bias, groups: g);
        if (bias) live.Bias!.Value.CopyFrom(Randn(2, oc));
        var frozen = new Conv2d(c, oc, k, new Random(1), stride: s, padding: p, bias: bias, groups: g)
        {
            Frozen = true, WinogradOverride = false, SparseOverride = false, // im2col + GEMM: the packed path
        };
        if (bias) frozen.Bias!.Value.CopyFrom(Randn(2, oc));
        var x = Randn(3, n, c, h, w);
        var shape = live.Forward(x, training: false).Shape.ToArray();
        var residual = Randn(4, shape);
        foreach (int threads in new[] { 1, 2 })
            using (Threading.Limit(threads))
                foreach (var (res, lo, hi) in new[] { (null, float.NegativeInfinity, float.PositiveInfinity), (residual, 0f, float.PositiveInfinity), (residual, 0f, 6f), (null, 0f, 6f) })
                {
                    var expected = live.ForwardFused(x, res, lo, hi).Data.ToArray();
                    var actual = frozen.ForwardFused(x, res, lo, hi).Data;
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{live}, {threads} thread(s), residual {res is not null}, [{lo}, {hi}]");
                }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Inference_equals_the_training_forward(int n, int c, int oc, int h, int w, int k, int s, int p, int g, bool bias)
    {
        var conv = new Conv2d(c, oc, k, new Random(1), stride: s, padding: p, bias: bias, groups: g);
        if (bias) conv.Bias!.Value.CopyFrom(Randn(2, oc));
        var x = Randn(3, n, c, h, w);
        var training = conv.Forward(x, training: true).Data.ToArray();
        var inference = conv.Forward(x, training: false);
        Assert.Equal(conv.Forward(x, training: true).Shape.ToArray(), inference.Shape.ToArray());
        GroupedConvTests.AssertClose(training, inference.Data, conv.ToString());
    }

    [Fact]
    public void Inference_gives_the_same_bits_on_every_call_and_leaves_no_state_for_backward()
    {
        var conv = new Conv2d(64, 24, 3, new Random(5), padding: 1);
        var x = Randn(6, 1, 64, 21, 19);
        var first = conv.Forward(x, training: false).Data.ToArray();
        Assert.Equal(first, conv.Forward(x, training: false).Data.ToArray());
        Assert.Throws<InvalidOperationException>(() => conv.Backward(new Tensor(1, 24, 21, 19)));
    }
}
