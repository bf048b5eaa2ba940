// ConvQuickSection (`quick --only conv`, or `--only fma-peak,conv` for % of peak): Conv2d's inference algorithms on
// ResNet-50's 3×3 stride-1 layers at batch 1, one thread — im2col + GEMM (in place, column blocks)
// against Winograd F(2×2, 3×3) — timed INTERLEAVED (LatencyMeter.Compare) on one frozen layer with the algorithm
// forced, medians per call; GFLOP/s counts the direct convolution's 2·C·OC·9·OH·OW for both (so Winograd's figure is
// an effective rate, not compared with the FMA peak: it does fewer multiplies). Also the stride-2 gather (Stride2) against
// its scalar twin on a 56-wide row pair of a 112-wide image. Speed-ups are same-run ratios.
using System.Runtime.InteropServices;
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Benchmarks.Quick;

/// <summary>im2col + GEMM vs Winograd on ResNet-50's 3×3 layers, and the stride-2 gather vs its twin.</summary>
public sealed class ConvQuickSection : IQuickSection
{
    private const double SecondsPerShape = 0.6;

    /// <inheritdoc/>
    public string Name => "conv";

    /// <inheritdoc/>
    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        context.TryGet("fma.peak.1t", out double peak);
        double seconds = SecondsPerShape * context.TimeScale;
        var rows = new List<QuickRow>();
        using (Threading.Limit(1)) // one thread, against the 1-core peak
        {
            Measure(seconds, peak, rows);
        }
        return rows;
    }

    private void Measure(double seconds, double peak, List<QuickRow> rows)
    {
        foreach (var (c, size) in new[] { (64, 56), (128, 28), (256, 14), (512, 7) })
        {
            var direct = Layer(c, forceWinograd: false);
            var winograd = Layer(c, forceWinograd: true);
            var x = Tensor.RandomUniform(new Random(2), 1f, [1, c, size, size]);
            var lat = LatencyMeter.Compare([() => direct.Forward(x, false), () => winograd.Forward(x, false)], seconds, warmup: 3);
            double flops = 2.0 * c * c * 9 * size * size;
            string n = $"3x3 C{c} {size}x{size}";
            rows.Add(Rate($"{n} im2col+gemm", flops / lat[0].MedianUs / 1e3, peak));
            rows.Add(new QuickRow(Name, $"{n} im2col+gemm", lat[0].MedianUs, "us"));
            rows.Add(new QuickRow(Name, $"{n} winograd", lat[1].MedianUs, "us", lat[0].MedianUs / lat[1].MedianUs, "im2col+gemm (speed-up)"));
            rows.Add(new QuickRow(Name, $"{n} winograd (effective)", flops / lat[1].MedianUs / 1e3, "GFLOP/s",
                Note: "direct-convolution flops / time: Winograd does 2.25x fewer multiplies, so this may exceed the peak"));
        }
        var source = Tensor.RandomUniform(new Random(3), 1f, [112 * 64]).Data;
        var dst = new float[56 * 64];
        var gather = LatencyMeter.Compare(
            [() => Gather(source, dst, Stride2.Gather), () => Gather(source, dst, Stride2.GatherScalar)], seconds, warmup: 3);
        rows.Add(new QuickRow(Name, "stride-2 gather, 64 rows of 112 -> 56", gather[0].MedianUs, "us", gather[1].MedianUs / gather[0].MedianUs, "scalar twin (speed-up)"));
    }

    private static Conv2d Layer(int channels, bool forceWinograd) =>
        new(channels, channels, 3, new Random(1), padding: 1) { Frozen = true, WinogradOverride = forceWinograd };

    private delegate void GatherRow(ReadOnlySpan<float> src, Span<float> dst);

    private static void Gather(float[] source, float[] dst, GatherRow gather)
    {
        for (int r = 0; r < 64; r++) gather(source.AsSpan(r * 112, 112), dst.AsSpan(r * 56, 56));
    }

    private QuickRow Rate(string name, double gflops, double peak) => peak > 0
        ? new QuickRow(Name, name, gflops, "GFLOP/s", gflops / peak, "1-core FMA peak")
        : new QuickRow(Name, name, gflops, "GFLOP/s");
}
