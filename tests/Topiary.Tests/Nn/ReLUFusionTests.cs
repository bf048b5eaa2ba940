// A BatchNorm or a Residual followed by a ReLU inside a Sequential runs as one layer in training (IFusesReLU). Against
// the same two layers run apart: the output, the input gradient, dγ, dβ and the running statistics (a residual block:
// every parameter gradient) are bit for bit the same, in training, and in evaluation (where Sequential runs them apart
// and BatchNorm's own fused evaluation pass is called directly), at 1 and 2 threads, for shapes whose spans
// end in every vector tail and tensors longer than one chunk of the parallel additions, with channels whose outputs are
// all zero (γ = 0) or flipped (γ < 0) so the ReLU mask matters; pairs that are not fusable (a BatchNorm last, a
// LeakyReLU after it) run as before; a second Backward without a Forward is refused.
using Topiary.Nn;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Topiary.Tensors;

namespace Topiary.Tests.Nn;

public class ReLUFusionTests
{
    private static BatchNorm2d Norm(int channels)
    {
        var bn = new BatchNorm2d(channels);
        for (int c = 0; c < channels; c++)
        {
            bn.Weight.Value.Data[c] = c % 3 == 0 ? 0f : c % 3 == 1 ? 1.3f : -0.7f; // zero, positive and negative γ
            bn.Bias.Value.Data[c] = 0.1f * (c - 1);
        }
        return bn;
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}: first difference at [{i}]: expected {expected[i]:R}, got {actual[i]:R}.");
    }

    [Theory]
    [InlineData(4, 5, 1, 1, 1)]
    [InlineData(3, 4, 5, 7, 1)]
    [InlineData(8, 6, 9, 9, 2)]
    [InlineData(2, 3, 28, 28, 2)]
    public void The_fused_pair_equals_the_two_layers_apart_bit_for_bit(int n, int c, int h, int w, int threads)
    {
        using var limit = Threading.Limit(threads);
        var rng = new Random(n * 100 + c * 10 + h);
        var x = Tensor.RandomUniform(rng, 2f, n, c, h, w);
        var dy = Tensor.RandomUniform(rng, 1f, n, c, h, w);
        BatchNorm2d fusedNorm = Norm(c), apartNorm = Norm(c);
        var fused = new Sequential(fusedNorm, new ReLU());
        var relu = new ReLU();
        bool masked = false;
        for (int step = 0; step < 2; step++) // a second step: running statistics and accumulated gradients
        {
            var yFused = fused.Forward(x, true);
            var yApart = relu.Forward(apartNorm.Forward(x, true), true);
            AssertBits(yApart.Data, yFused.Data, $"training output, step {step}");
            masked |= yFused.Data.Contains(0f);
            var dxFused = fused.Backward(dy);
            var dxApart = apartNorm.Backward(relu.Backward(dy));
            AssertBits(dxApart.Data, dxFused.Data, $"input gradient, step {step}");
            AssertBits(apartNorm.Weight.Grad.Data, fusedNorm.Weight.Grad.Data, $"dγ, step {step}");
            AssertBits(apartNorm.Bias.Grad.Data, fusedNorm.Bias.Grad.Data, $"dβ, step {step}");
            AssertBits(apartNorm.RunningMean.Data, fusedNorm.RunningMean.Data, $"running mean, step {step}");
            AssertBits(apartNorm.RunningVar.Data, fusedNorm.RunningVar.Data, $"running var, step {step}");
        }
        Assert.True(masked, "the ReLU masked nothing");
        var evaluated = relu.Forward(apartNorm.Forward(x, false), false).Data;
        AssertBits(evaluated, fused.Forward(x, false).Data, "evaluation output");
        AssertBits(evaluated, ((IFusesReLU)fusedNorm).Forward(x, false, relu: true).Data, "BatchNorm's fused evaluation pass");
    }

    // A ResNet basic block: conv → BN → ReLU → conv → BN, plus the input (or a 1×1 conv + BN), then a ReLU.
    private static Sequential Block(int channels, bool projection, int seed)
    {
        var rng = new Random(seed);
        var body = new Sequential(new Conv2d(channels, channels, 3, rng, padding: 1, bias: false), Norm(channels), new ReLU(),
            new Conv2d(channels, channels, 3, rng, padding: 1, bias: false), Norm(channels));
        var shortcut = projection ? new Sequential(new Conv2d(channels, channels, 1, rng, bias: false), Norm(channels)) : null;
        return new Sequential(new Residual(body, shortcut), new ReLU());
    }

    [Theory]
    [InlineData(2, 4, 6, false, 1)]
    [InlineData(3, 5, 50, true, 2)] // 37,500 values: two chunks of the additions
    public void A_residual_block_with_its_ReLUs_fused_equals_the_layers_apart_bit_for_bit(int n, int c, int hw, bool projection, int threads)
    {
        using var limit = Threading.Limit(threads);
        var rng = new Random(hw);
        var x = Tensor.RandomUniform(rng, 2f, n, c, hw, hw);
        var dy = Tensor.RandomUniform(rng, 1f, n, c, hw, hw);
        var fused = Block(c, projection, 9);
        var apart = Block(c, projection, 9);
        // Apart: every child run on its own (no Sequential sees a fusable pair).
        var leaves = new List<Module>();
        var residual = (Residual)apart[0];
        Tensor RunApart(Tensor input, bool training)
        {
            var body = (Sequential)residual.Body;
            var b = input;
            for (int i = 0; i < body.Count; i++) b = body[i].Forward(b, training);
            var s = input;
            if (residual.Shortcut is Sequential sc) for (int i = 0; i < sc.Count; i++) s = sc[i].Forward(s, training);
            var sum = new Tensor(b.Shape.ToArray());
            TensorPrimitives.Add(b.Span, s.Span, sum.Span);
            return apart[1].Forward(sum, training);
        }
        Tensor BackApart(Tensor g)
        {
            g = apart[1].Backward(g);
            var body = (Sequential)residual.Body;
            var gb = g;
            for (int i = body.Count - 1; i >= 0; i--) gb = body[i].Backward(gb);
            var gs = g;
            if (residual.Shortcut is Sequential sc) for (int i = sc.Count - 1; i >= 0; i--) gs = sc[i].Backward(gs);
            var dx = new Tensor(gb.Shape.ToArray());
            TensorPrimitives.Add(gb.Span, gs.Span, dx.Span);
            return dx;
        }
        for (int step = 0; step < 2; step++)
        {
            AssertBits(RunApart(x, true).Data, fused.Forward(x, true).Data, $"output, step {step}");
            AssertBits(BackApart(dy).Data, fused.Backward(dy).Data, $"input gradient, step {step}");
            var pa = apart.NamedParameters().ToArray();
            var pf = fused.NamedParameters().ToArray();
            for (int i = 0; i < pa.Length; i++) AssertBits(pa[i].Parameter.Grad.Data, pf[i].Parameter.Grad.Data, $"{pa[i].Name} gradient, step {step}");
        }
        AssertBits(RunApart(x, false).Data, fused.Forward(x, false).Data, "evaluation output");
    }

    [Fact]
    public void Other_neighbours_run_as_before()
    {
        var rng = new Random(3);
        var x = Tensor.RandomUniform(rng, 2f, 2, 3, 4, 4);
        var dy = Tensor.RandomUniform(rng, 1f, 2, 3, 4, 4);
        foreach (var makeTail in new Func<Module?>[] { () => null, () => new LeakyReLU(0.1f) })
        {
            BatchNorm2d a = Norm(3), b = Norm(3);
            var tailA = makeTail();
            var tailB = makeTail();
            var seq = tailA is null ? new Sequential(a) : new Sequential(a, tailA);
            var y = seq.Forward(x, true);
            var expected = b.Forward(x, true);
            if (tailB is not null) expected = tailB.Forward(expected, true);
            AssertBits(expected.Data, y.Data, $"output, tail {tailA}");
            var g = tailB is null ? dy : tailB.Backward(dy);
            AssertBits(b.Backward(g).Data, seq.Backward(dy).Data, $"input gradient, tail {tailA}");
        }
    }

    [Fact]
    public void Backward_needs_its_own_forward()
    {
        var seq = new Sequential(Norm(2), new ReLU());
        var x = Tensor.RandomUniform(new Random(1), 1f, 2, 2, 3, 3);
        seq.Forward(x, true);
        seq.Backward(x);
        Assert.Throws<InvalidOperationException>(() => seq.Backward(x));
    }
}
