// DepthwiseNhwcQuickSection (`quick --only depthwise-nhwc`, or `--only fma-peak,depthwise-nhwc` for % of peak): the
// channels-last depthwise kernel (DepthwiseConvNhwc, x [1, H, W, C]) against the NCHW production path
// (DepthwiseConv3x3.Forward over all C planes, as Conv2d runs a 3×3 depthwise layer at inference on one thread) on
// MobileNet-v2's depthwise layers at batch 1, one thread: 3×3, padding 1, bias, ReLU6 fused in both. The NHWC kernel runs
// twice, on an input starting at a 64-byte boundary and on one 16 bytes past it (every 16-channel vector load then
// straddles two cache lines, which the kernel avoids from 64 channels on by starting its blocks at the boundaries; .NET
// places arrays at 8-byte boundaries, so an engine's NHWC buffers should be allocated aligned). All three are timed
// INTERLEAVED (LatencyMeter.Compare: 20 ms slices of each in turn, after 50 untimed calls each) so load from other
// processes hits them alike. Medians per call; GFLOP/s = 2·C·9·OH·OW / median; speed-up = NCHW median / NHWC median.
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Benchmarks.Quick;

/// <summary>NHWC depthwise 3×3 vs the NCHW path (µs, GFLOP/s, speed-up) on MobileNet-v2's depthwise layers.</summary>
public sealed class DepthwiseNhwcQuickSection : IQuickSection
{
    private const double SecondsPerShape = 0.6;

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
            float[] packed = DepthwiseConvNhwc.PackWeights(w, c, 9), y = new float[c * g.OutH * g.OutW];
            float[] xa = PinnedAt(x.Length, 0), xm = PinnedAt(x.Length, 16), ya = PinnedAt(y.Length, 0), ym = PinnedAt(y.Length, 16);
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < size * size; p++) xa[p * c + ch] = xm[p * c + ch] = x[ch * size * size + p];
            var lat = LatencyMeter.Compare(
                [
                    () => DepthwiseConvNhwc.Forward(xa, 1, g, packed, b, 0f, 6f, ya, 1),
                    () => DepthwiseConvNhwc.Forward(xm, 1, g, packed, b, 0f, 6f, ym, 1),
                    () => DepthwiseConv3x3.Forward(x, w, b, 1, g, y, null, 0f, 6f, 0, c),
                ], SecondsPerShape * context.TimeScale, warmup: 50, sliceSeconds: 0.02);
            double alignedUs = lat[0].MedianUs, offsetUs = lat[1].MedianUs, nchwUs = lat[2].MedianUs, flops = 2.0 * c * 9 * g.OutH * g.OutW;
            string name = $"C{c} {size}x{size} s{stride}";
            rows.Add(new QuickRow(Name, $"{name} nhwc aligned", alignedUs, "us", nchwUs / alignedUs, "NCHW DepthwiseConv3x3 (speed-up)"));
            rows.Add(Gflops($"{name} nhwc aligned", flops / alignedUs / 1e3, peak1));
            rows.Add(new QuickRow(Name, $"{name} nhwc +16 B", offsetUs, "us", nchwUs / offsetUs, "NCHW DepthwiseConv3x3 (speed-up)"));
            rows.Add(new QuickRow(Name, $"{name} nchw", nchwUs, "us"));
            rows.Add(Gflops($"{name} nchw", flops / nchwUs / 1e3, peak1));
            string key = $"depthwise_nhwc.c{c}.{size}.s{stride}";
            context.Set($"{key}.nhwc.us", alignedUs);
            context.Set($"{key}.nhwc_offset16.us", offsetUs);
            context.Set($"{key}.nchw.us", nchwUs);
            context.Set($"{key}.speedup", nchwUs / alignedUs);
        }
        return rows;
    }

    private QuickRow Gflops(string name, double gflops, double peak1) => peak1 > 0
        ? new QuickRow(Name, name, gflops, "GFLOP/s", gflops / peak1, "1-core FMA peak")
        : new QuickRow(Name, name, gflops, "GFLOP/s");

    // A pinned array whose first element sits offset bytes past a 64-byte boundary (arrays tried until one does).
    private static unsafe float[] PinnedAt(int n, int offset)
    {
        var tried = new List<float[]>();
        while (true)
        {
            var a = GC.AllocateArray<float>(n, pinned: true);
            fixed (float* p = a)
                if (((nint)p & 63) == offset) return a;
            tried.Add(a); // kept until found, so the next try lands elsewhere
        }
    }

    private static float[] Fill(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
