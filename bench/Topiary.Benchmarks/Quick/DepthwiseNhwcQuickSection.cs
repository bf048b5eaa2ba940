// DepthwiseNhwcQuickSection (`quick --only depthwise-nhwc`, or `--only fma-peak,depthwise-nhwc` for % of peak): the
// channels-last depthwise kernel (DepthwiseConvNhwc, x [1, H, W, C]) against the NCHW production path
// (DepthwiseConv3x3.Forward over all C planes, as Conv2d runs a 3×3 depthwise layer at inference) on MobileNet-v2's
// depthwise layers at batch 1, one thread: 3×3, padding 1, bias, ReLU6 fused in both. The two are timed INTERLEAVED
// (LatencyMeter.Compare: 20 ms slices of each in turn, after 50 untimed calls each) so load from other processes hits both alike. Medians per call;
// GFLOP/s = 2·C·9·OH·OW / median; speed-up = NCHW median / NHWC median, same run.
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Benchmarks.Quick;

/// <summary>NHWC depthwise 3×3 vs the NCHW path (µs, GFLOP/s, speed-up) on MobileNet-v2's depthwise layers.</summary>
public sealed class DepthwiseNhwcQuickSection : IQuickSection
{
    private const double SecondsPerShape = 0.4;

    /// <summary>MobileNet-v2's depthwise layers: (channels, input side, stride).</summary>
    private static readonly (int C, int Size, int Stride)[] Shapes =
    [
        (32, 112, 1), (96, 112, 2), (144, 56, 1), (144, 56, 2), (192, 28, 1),
        (192, 28, 2), (384, 14, 1), (576, 14, 1), (576, 14, 2), (960, 7, 1),
    ];

    /// <inheritdoc/>
    public string Name => "depthwise-nhwc";

    /// <inheritdoc/>
    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        context.TryGet("fma.peak.1t", out double peak1);
        var rows = new List<QuickRow>();
        foreach (var (c, size, stride) in Shapes)
        {
            var g = new Conv2dGeometry(c, size, size, 3, 3, stride, stride, 1, 1);
            var rng = new Random(42);
            float[] x = Fill(rng, c * size * size), w = Fill(rng, c * 9), b = Fill(rng, c);
            float[] xh = new float[x.Length], packed = DepthwiseConvNhwc.PackWeights(w, c, 9);
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < size * size; p++) xh[p * c + ch] = x[ch * size * size + p];
            float[] y = new float[c * g.OutH * g.OutW], yh = new float[y.Length];
            var lat = LatencyMeter.Compare(
                [
                    () => DepthwiseConvNhwc.Forward(xh, 1, g, packed, b, 0f, 6f, yh, 1),
                    () => DepthwiseConv3x3.Forward(x, w, b, 1, g, y, null, 0f, 6f, 0, c),
                ], SecondsPerShape * context.TimeScale, warmup: 50, sliceSeconds: 0.02);
            double nhwcUs = lat[0].MedianUs, nchwUs = lat[1].MedianUs, flops = 2.0 * c * 9 * g.OutH * g.OutW;
            string name = $"C{c} {size}x{size} s{stride}";
            rows.Add(new QuickRow(Name, $"{name} nhwc", nhwcUs, "us", nchwUs / nhwcUs, "NCHW DepthwiseConv3x3 (speed-up)"));
            rows.Add(Gflops($"{name} nhwc", flops / nhwcUs / 1e3, peak1));
            rows.Add(new QuickRow(Name, $"{name} nchw", nchwUs, "us"));
            rows.Add(Gflops($"{name} nchw", flops / nchwUs / 1e3, peak1));
            string key = $"depthwise_nhwc.c{c}.{size}.s{stride}";
            context.Set($"{key}.nhwc.us", nhwcUs);
            context.Set($"{key}.nchw.us", nchwUs);
            context.Set($"{key}.speedup", nchwUs / nhwcUs);
        }
        return rows;
    }

    private QuickRow Gflops(string name, double gflops, double peak1) => peak1 > 0
        ? new QuickRow(Name, name, gflops, "GFLOP/s", gflops / peak1, "1-core FMA peak")
        : new QuickRow(Name, name, gflops, "GFLOP/s");

    private static float[] Fill(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
