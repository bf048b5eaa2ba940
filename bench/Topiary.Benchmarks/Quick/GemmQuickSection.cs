// GemmQuickSection: SGEMM GFLOP/s for square 128³/512³/1024³ on one thread and on all threads
// (as a fraction of the FMA peak measured earlier in the same run), and for the LeNet training
// GEMMs through the public entry point (automatic threading) against the scalar twin.
using Topiary.Benchmarks.Tensors;

namespace Topiary.Benchmarks.Quick;

/// <summary>GEMM throughput and % of measured FMA peak.</summary>
public sealed class GemmQuickSection : IQuickSection
{
    public string Name => "gemm";

    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        var rows = new List<QuickRow>();
        context.TryGet("fma.peak.1t", out double peak1);
        context.TryGet("fma.peak.mt", out double peakN);
        double sample = 0.03 * context.TimeScale;

        foreach (int size in new[] { 128, 512, 1024 })
        {
            var shape = GemmShape.Square(size);
            var ops = shape.Allocate();
            foreach (int threads in new[] { 1, context.Threads })
            {
                double gflops = shape.Flops / QuickTimer.BestSeconds(() => ops.Run(threads), sample) / 1e9;
                double peak = threads == 1 ? peak1 : peakN;
                string name = $"sgemm {shape.Name}, {threads} thread{(threads == 1 ? "" : "s")}";
                rows.Add(peak > 0
                    ? new QuickRow(Name, name, gflops, "GFLOP/s", gflops / peak, threads == 1 ? "1-core FMA peak" : "all-core FMA peak")
                    : new QuickRow(Name, name, gflops, "GFLOP/s"));
                context.Set($"gemm.{size}.{threads}t", gflops);
            }
            if (size == 128)
            {
                double refGflops = shape.Flops / QuickTimer.BestSeconds(ops.RunReference, sample, 3) / 1e9;
                rows.Add(new QuickRow(Name, $"scalar twin {shape.Name}", refGflops, "GFLOP/s"));
            }
        }

        foreach (var shape in GemmShape.LeNetShapes)
        {
            var ops = shape.Allocate();
            double gflops = shape.Flops / QuickTimer.BestSeconds(ops.Run, sample) / 1e9;
            double refGflops = shape.Flops / QuickTimer.BestSeconds(ops.RunReference, sample / 2, 3) / 1e9;
            rows.Add(new QuickRow(Name, $"lenet {shape.Name}", gflops, "GFLOP/s", gflops / refGflops, "scalar twin"));
        }
        return rows;
    }
}
