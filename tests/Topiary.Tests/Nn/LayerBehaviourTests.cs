// Forward semantics against direct reference loops, buffers/naming, errors, determinism, Dropout.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class LayerBehaviourTests
{
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tol = 1e-4f)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = -1;
        float maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = Math.Abs(expected[i] - actual[i]);
            if (d > maxDiff || float.IsNaN(d)) { maxDiff = float.IsNaN(d) ? float.PositiveInfinity : d; worst = i; }
        }
        if (worst >= 0 && !(maxDiff <= tol * Math.Max(1, Math.Abs(expected[worst]))))
            Assert.Fail($"largest difference {maxDiff} at index {worst}: expected {expected[worst]}, got {actual[worst]}");
    }

    private static Tensor ReferenceConv(Tensor x, Conv2d conv)
    {
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3), oc = conv.OutChannels;
        var (kh, kw) = conv.KernelSize;
        var (sh, sw) = conv.Stride;
        var (ph, pw) = conv.Padding;
        var (oh, ow) = conv.OutputSize(h, w);
        var y = new Tensor(n, oc, oh, ow);
        var wt = conv.Weight.Value.Data;
        for (int i = 0; i < n; i++)
        for (int o = 0; o < oc; o++)
        for (int a = 0; a < oh; a++)
        for (int b = 0; b < ow; b++)
        {
            double s = conv.Bias?.Value.Data[o] ?? 0;
            for (int ch = 0; ch < c; ch++)
            for (int u = 0; u < kh; u++)
            for (int v = 0; v < kw; v++)
            {
                int iy = a * sh - ph + u, ix = b * sw - pw + v;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s += (double)wt[((o * c + ch) * kh + u) * kw + v] * x.Data[((i * c + ch) * h + iy) * w + ix];
            }
            y.Data[((i * oc + o) * oh + a) * ow + b] = (float)s;
        }
        return y;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    public void Conv2d_matches_direct_convolution_including_mostly_zero_weights(double sparsity)
    {
        var conv = new Conv2d(5, 7, (3, 2), new Random(1), (2, 1), (1, 1));
        var rng = new Random(2);
        var wt = conv.Weight.Value.Data;
        for (int i = 0; i < wt.Length; i++) if (rng.NextDouble() < sparsity) wt[i] = 0;
        var x = Randn(3, 11, 5, 9, 8);
        AssertClose(ReferenceConv(x, conv).Data, conv.Forward(x, training: false).Data);
    }

    [Fact]
    public void Conv2d_results_do_not_depend_on_thread_count()
    {
        Tensor Run(int threads, out float[] dw)
        {
            using (Threading.Limit(threads))
            {
                var conv = new Conv2d(4, 6, 3, new Random(4), padding: 1);
                var x = Randn(5, 13, 4, 6, 6);
                var y = conv.Forward(x, true).Clone();
                var dx = conv.Backward(Randn(6, y.Shape.ToArray())).Clone();
                dw = conv.Weight.Grad.Data.ToArray();
                return new Tensor(y.Data.Concat(dx.Data).ToArray(), y.Length + dx.Length);
            }
        }
        var one = Run(1, out var dw1);
        var two = Run(2, out var dw2);
        Assert.Equal(one.Data, two.Data);
        Assert.Equal(dw1, dw2);
    }

    [Fact]
    public void Linear_matches_definition_and_uses_pytorch_default_init()
    {
        var fc = new Linear(6, 4, new Random(7));
        float bound = 1f / MathF.Sqrt(6);
        Assert.All(fc.Weight.Value.Data, v => Assert.InRange(v, -bound, bound));
        Assert.All(fc.Bias!.Value.Data, v => Assert.InRange(v, -bound, bound));
        Assert.Equal(new[] { 4, 6 }, fc.Weight.Value.Shape.ToArray());
        Assert.Equal((6, 4), (fc.InFeatures, fc.OutFeatures));
        var x = Randn(8, 3, 6);
        var y = fc.Forward(x, false);
        var expected = new float[12];
        for (int i = 0; i < 3; i++)
            for (int o = 0; o < 4; o++)
            {
                double s = fc.Bias.Value.Data[o];
                for (int j = 0; j < 6; j++) s += (double)x[i, j] * fc.Weight.Value[o, j];
                expected[i * 4 + o] = (float)s;
            }
        AssertClose(expected, y.Data);
    }

    [Fact]
    public void Backward_accumulates_parameter_gradients()
    {
        var fc = new Linear(3, 2, new Random(9));
        var x = Randn(10, 4, 3);
        var gy = Randn(11, 4, 2);
        fc.Forward(x, true);
        fc.Backward(gy);
        var once = fc.Weight.Grad.Data.ToArray();
        fc.Forward(x, true);
        fc.Backward(gy);
        AssertClose(once.Select(v => 2 * v).ToArray(), fc.Weight.Grad.Data);
    }

    [Fact]
    public void Backward_requires_a_training_forward_and_runs_once()
    {
        var modules = new Module[]
        {
            new Linear(3, 2, new Random(1)), new ReLU(), new Identity(), new Flatten(), new Dropout(0.5f, 1),
            new BatchNorm1d(3), new Sequential(new ReLU()), new Residual(new ReLU()), new Concat(new ReLU()),
        };
        foreach (var m in modules)
        {
            var name = m.ToString();
            Assert.Throws<InvalidOperationException>(() => m.Backward(new Tensor(2, 3)));
            var y = m.Forward(Randn(1, 2, 3), training: false);
            Assert.Throws<InvalidOperationException>(() => m.Backward(new Tensor(y.Shape.ToArray())));
            y = m.Forward(Randn(1, 2, 3), training: true);
            m.Backward(new Tensor(y.Shape.ToArray()));
            var ex = Assert.Throws<InvalidOperationException>(() => m.Backward(new Tensor(y.Shape.ToArray())));
            Assert.Contains("training-mode Forward", ex.Message);
        }
        var conv = new Conv2d(1, 1, 1, new Random(1));
        Assert.Throws<InvalidOperationException>(() => conv.Backward(new Tensor(1, 1, 2, 2)));
    }

    [Fact]
    public void Shape_errors_name_the_layer_and_the_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Linear(4, 3, new Random(1)).Forward(new Tensor(2, 5), false));
        Assert.Contains("Linear(4, 3", ex.Message);
        Assert.Contains("[N, 4]", ex.Message);
        Assert.Contains("[2, 5]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => new Conv2d(3, 8, 5, new Random(1)).Forward(new Tensor(1, 1, 28, 28), false));
        Assert.Contains("Conv2d(3, 8", ex.Message);
        Assert.Contains("[N, 3, H, W]", ex.Message);
        Assert.Contains("[1, 1, 28, 28]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => new Conv2d(1, 8, 5, new Random(1)).Forward(new Tensor(1, 1, 4, 4), false));
        Assert.Contains("[1, 1, 4, 4]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => new BatchNorm2d(4).Forward(new Tensor(2, 3, 2, 2), true));
        Assert.Contains("BatchNorm2d(4", ex.Message);
        Assert.Contains("[2, 3, 2, 2]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => new MaxPool2d(3).Forward(new Tensor(1, 2, 2, 2), false));
        Assert.Contains("MaxPool2d", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(new Tensor(1, 3), true));
        Assert.Contains("more than 1 value", ex.Message);

        var fc = new Linear(2, 2, new Random(1));
        fc.Forward(new Tensor(3, 2), true);
        ex = Assert.Throws<ArgumentException>(() => fc.Backward(new Tensor(3, 3)));
        Assert.Contains("gradOutput", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => new Residual(new Linear(2, 3, new Random(1))).Forward(new Tensor(1, 2), false));
        Assert.Contains("shortcut", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => new Concat(new Identity(), new Flatten()).Forward(new Tensor(1, 2, 3), false));
        Assert.Contains("branch 1", ex.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d(2, padding: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5f, 1));
    }

    [Fact]
    public void Forward_reuses_its_output_buffer_when_the_shape_is_unchanged()
    {
        var conv = new Conv2d(2, 3, 3, new Random(1));
        var a = conv.Forward(Randn(1, 2, 2, 5, 5), true);
        var da = conv.Backward(Randn(2, a.Shape.ToArray()));
        var b = conv.Forward(Randn(3, 2, 2, 5, 5), true);
        var db = conv.Backward(Randn(4, b.Shape.ToArray()));
        Assert.Same(a, b);
        Assert.Same(da, db);
        Assert.NotSame(a, conv.Forward(Randn(5, 3, 2, 5, 5), false));
    }

    [Fact]
    public void MaxPool_routes_the_gradient_to_the_argmax()
    {
        // One 4x4 plane, 2x2 windows; maxima at known places.
        var x = new Tensor(new float[]
        {
            1, 9, 2, 3,
            4, 5, 8, 1,
            7, 0, 1, 1,
            2, 6, 3, 9,
        }, 1, 1, 4, 4);
        var pool = new MaxPool2d(2);
        var y = pool.Forward(x, true);
        Assert.Equal(new float[] { 9, 8, 7, 9 }, y.Data);
        var dx = pool.Backward(new Tensor(new float[] { 10, 20, 30, 40 }, 1, 1, 2, 2));
        Assert.Equal(new float[]
        {
            0, 10, 0, 0,
            0, 0, 20, 0,
            30, 0, 0, 0,
            0, 0, 0, 40,
        }, dx.Data);

        // Overlapping windows (stride 1) accumulate into the shared maximum; padding is never selected.
        var pool2 = new MaxPool2d(3, 1, 1);
        var x2 = new Tensor(new float[] { -5, -4, -3, -1 }, 1, 1, 2, 2);
        var y2 = pool2.Forward(x2, true);
        Assert.All(y2.Data, v => Assert.Equal(-1f, v));
        var dx2 = pool2.Backward(new Tensor(new float[] { 1, 1, 1, 1 }, 1, 1, 2, 2));
        Assert.Equal(new float[] { 0, 0, 0, 4 }, dx2.Data);
    }

    [Fact]
    public void AvgPool_counts_padding_in_the_divisor()
    {
        var pool = new AvgPool2d(3, 1, 1);
        var x = new Tensor(2, 2);
        x.Fill(9f);
        var y = pool.Forward(x.Reshape(1, 1, 2, 2), false);
        Assert.All(y.Data, v => Assert.Equal(4f, v)); // 4 real values of 9 over 9 slots
        var g = new GlobalAvgPool2d().Forward(Randn(1, 2, 3, 4, 5), false);
        Assert.Equal(new[] { 2, 3, 1, 1 }, g.Shape.ToArray());
    }

    [Fact]
    public void LocalResponseNorm_matches_pytorch_formula()
    {
        int n = 2, c = 6, s = 3;
        const float alpha = 0.4f, beta = 0.75f, k = 1.5f;
        foreach (int size in new[] { 2, 3, 4 })
        {
            var x = Randn(size, n, c, 1, s);
            var y = new LocalResponseNorm(size, alpha, beta, k).Forward(x, false);
            var expected = new float[x.Length];
            for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < s; p++)
            {
                double sum = 0;
                for (int j = ch - size / 2; j <= ch + (size - 1) / 2; j++)
                    if (j >= 0 && j < c) sum += Math.Pow(x.Data[(i * c + j) * s + p], 2);
                double v = x.Data[(i * c + ch) * s + p];
                expected[(i * c + ch) * s + p] = (float)(v / Math.Pow(k + alpha / size * sum, beta));
            }
            AssertClose(expected, y.Data);
        }
    }

    [Fact]
    public void BatchNorm_normalises_with_batch_statistics_and_updates_running_stats_like_pytorch()
    {
        var bn = new BatchNorm2d(2, momentum: 0.1f);
        var x = new Tensor(new float[] { 1, 2, 3, 4, 10, 20, 30, 40 }, 2, 2, 1, 2); // channel 0: 1,2,10,20; channel 1: 3,4,30,40
        var y = bn.Forward(x, true);
        double mean0 = 33 / 4.0, var0 = (Math.Pow(1 - mean0, 2) + Math.Pow(2 - mean0, 2) + Math.Pow(10 - mean0, 2) + Math.Pow(20 - mean0, 2)) / 4;
        Assert.Equal((float)((1 - mean0) / Math.Sqrt(var0 + 1e-5)), y.Data[0], 4);
        Assert.Equal((float)(0.1 * mean0), bn.RunningMean.Data[0], 4);
        Assert.Equal((float)(0.9 + 0.1 * var0 * 4 / 3), bn.RunningVar.Data[0], 3);
        var names = bn.NamedBuffers().Select(b => b.Name).ToArray();
        Assert.Equal(new[] { "running_mean", "running_var" }, names);
        // Evaluation uses the running statistics.
        var ye = bn.Forward(x, false);
        Assert.Equal((float)((1 - bn.RunningMean.Data[0]) / Math.Sqrt(bn.RunningVar.Data[0] + 1e-5)), ye.Data[0], 4);
    }

    [Fact]
    public void Dropout_is_identity_in_evaluation_and_deterministic_per_seed_in_training()
    {
        var x = new Tensor(4000);
        x.Fill(1f);
        var d = new Dropout(0.3f, 42);
        Assert.Same(x, d.Forward(x, false));

        float[][] Masks(int seed)
        {
            var layer = new Dropout(0.3f, seed);
            return Enumerable.Range(0, 3).Select(_ => layer.Forward(x, true).Data.ToArray()).ToArray();
        }
        var a = Masks(42);
        var b = Masks(42);
        var c = Masks(43);
        for (int i = 0; i < 3; i++) Assert.Equal(a[i], b[i]);
        Assert.NotEqual(a[0], a[1]);
        Assert.NotEqual(a[0], c[0]);
        float keep = 1f / 0.7f;
        Assert.All(a[0], v => Assert.True(v == 0f || v == keep));
        double kept = a[0].Count(v => v != 0) / 4000.0;
        Assert.InRange(kept, 0.65, 0.75);

        // Backward applies the same mask and scale: dx = dy ⊙ (y / x) with x = 1.
        var y = d.Forward(x, true).Data.ToArray();
        var gy = Randn(5, 4000);
        var dx = d.Backward(gy);
        for (int i = 0; i < 4000; i++) Assert.Equal(gy.Data[i] * y[i], dx.Data[i]);

        d.P = 0f;
        Assert.Equal(x.Data, d.Forward(x, true).Data);
        d.P = 1f;
        Assert.All(d.Forward(x, true).Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Containers_name_children_like_pytorch()
    {
        var rng = new Random(1);
        var seq = new Sequential(new Linear(2, 3, rng), new ReLU(), new Linear(3, 1, rng, bias: false));
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight" }, seq.NamedParameters().Select(p => p.Name).ToArray());
        Assert.IsType<ReLU>(seq["1"]);
        Assert.Equal(3, seq.Count);
        Assert.Throws<KeyNotFoundException>(() => seq["x"]);
        Assert.Throws<ArgumentException>(() => seq.Add("1", new ReLU()));

        var named = new Sequential().Add("fc1", new Linear(2, 2, rng)).Add("bn", new BatchNorm1d(2));
        Assert.Equal(new[] { "fc1.weight", "fc1.bias", "bn.weight", "bn.bias" }, named.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(new[] { "bn.running_mean", "bn.running_var" }, named.NamedBuffers().Select(p => p.Name).ToArray());

        var res = new Residual(new Conv2d(1, 1, 1, rng), new Conv2d(1, 1, 1, rng, bias: false));
        Assert.Equal(new[] { "body.weight", "body.bias", "shortcut.weight" }, res.NamedParameters().Select(p => p.Name).ToArray());
        var cat = new Concat(new Conv2d(1, 1, 1, rng, bias: false), new Conv2d(1, 2, 1, rng, bias: false));
        Assert.Equal(new[] { "0.weight", "1.weight" }, cat.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(new[] { 2, 3, 4, 5 }, cat.Forward(new Tensor(2, 1, 4, 5), false).Shape.ToArray());
    }

    [Fact]
    public void Initialisers_follow_their_formulas()
    {
        var w = new Tensor(50, 20, 5, 5);
        Init.XavierUniform(w, new Random(1));
        float bound = MathF.Sqrt(3f / 500);
        Assert.All(w.Data, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Data.Max() > 0.9f * bound);

        Init.KaimingNormal(w, new Random(2));
        double std = Math.Sqrt(w.Data.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.95 * Math.Sqrt(2.0 / 500), 1.05 * Math.Sqrt(2.0 / 500));

        Init.KaimingUniform(w, new Random(3), mode: FanMode.FanOut);
        float kb = MathF.Sqrt(2f) * MathF.Sqrt(3f / 1250);
        Assert.All(w.Data, v => Assert.InRange(v, -kb, kb));

        Init.Constant(w, 0.25f);
        Assert.All(w.Data, v => Assert.Equal(0.25f, v));

        var a = new Conv2d(3, 4, 3, new Random(9));
        var b = new Conv2d(3, 4, 3, new Random(9));
        Assert.Equal(a.Weight.Value.Data, b.Weight.Value.Data);
        Assert.Equal(a.Bias!.Value.Data, b.Bias!.Value.Data);
    }
}
