// DepthwiseQuickSection (`quick --only depthwise`, or `--only fma-peak,depthwise` for % of peak): the depthwise 3×3
// kernels (DepthwiseConv) against their scalar twin on MobileNet-v2-like layers at batch 1, one thread
// (DepthwiseShape.MobileNetShapes; each call covers all C planes). Per shape and pass (forward, input gradient,
// weight gradient) the kernel and the twin are timed INTERLEAVED (LatencyMeter.Compare: ~5 ms slices of each in turn)
// so load from other processes hits both alike; the forward pass also interleaves the dense 1×1 Conv2d(C, C) on the
// depthwise output (MobileNet's following pointwise layer, im2col + GEMM) for context. Medians per call; GFLOP/s =
// 2·C·K·K·OH·OW (pointwise 2·C·C·OH·OW) / median; speed-up = scalar median / kernel median, same run. When the
// fma-peak section ran first, kernel and pointwise GFLOP/s are also given as a fraction of the 1-core FMA peak. Layers
// whose planes DepthwiseConv3x3 runs flat (narrow stride-1 "same" planes) also time it flat against the padded plane.
using Topiary.Benchmarks.Tensors;
using Topiary.Runtime;

namespace Topiary.Benchmarks.Quick;

/// <summary>Depthwise convolution kernels vs the scalar twin (µs, GFLOP/s, speed-up) on MobileNet shapes.</summary>
public sealed class DepthwiseQuickSection : IQuickSection
{
    private const double SecondsPerPass = 0.6;

    /// <inheritdoc/>
    public string Name => "depthwise";

    /// <inheritdoc/>
    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        context.TryGet("fma.peak.1t", out double peak1);
        double seconds = SecondsPerPass * context.TimeScale;
        var rows = new List<QuickRow>();
        foreach (var shape in DepthwiseShape.MobileNetShapes)
        {
            var ops = shape.Allocate();
            var passes = new (string Pass, Action Simd, Action Scalar)[]
            {
                ("fwd", ops.Forward, ops.ForwardScalar),
                ("dx", ops.InputGradient, ops.InputGradientScalar),
                ("dw", ops.WeightGradient, ops.WeightGradientScalar),
            };
            foreach (var (pass, simd, scalar) in passes)
            {
                bool withPointwise = pass == "fwd";
                Action[] actions = withPointwise ? [simd, scalar, ops.Pointwise] : [simd, scalar];
                var lat = LatencyMeter.Compare(actions, seconds, warmup: 3);
                double simdUs = lat[0].MedianUs, scalarUs = lat[1].MedianUs;
                double simdGflops = shape.Flops / simdUs / 1e3, scalarGflops = shape.Flops / scalarUs / 1e3;
                string n = $"{pass} {shape.Name} -> {shape.OutSize}x{shape.OutSize}";
                rows.Add(new QuickRow(Name, $"{n} simd", simdUs, "us", scalarUs / simdUs, "scalar twin (speed-up)"));
                rows.Add(Gflops($"{n} simd", simdGflops, peak1));
                rows.Add(new QuickRow(Name, $"{n} scalar", scalarUs, "us"));
                rows.Add(new QuickRow(Name, $"{n} scalar", scalarGflops, "GFLOP/s"));
                string key = $"depthwise.{pass}.c{shape.Channels}.{shape.Size}.s{shape.Stride}";
                context.Set($"{key}.simd.us", simdUs);
                context.Set($"{key}.scalar.us", scalarUs);
                context.Set($"{key}.speedup", scalarUs / simdUs);
                context.Set($"{key}.speedup_min", lat[1].MinUs / lat[0].MinUs);
                if (withPointwise && ops.RunsFlat3x3)
                {
                    // The 3×3 inference kernel on narrow planes: flat (as shipped) against the padded plane, interleaved.
                    var flat = LatencyMeter.Compare([ops.Forward3x3, ops.Forward3x3Padded], seconds, warmup: 3);
                    string f = $"fwd3x3 {shape.Name} flat";
                    rows.Add(new QuickRow(Name, f, flat[0].MedianUs, "us", flat[1].MedianUs / flat[0].MedianUs, "padded plane (speed-up)"));
                    rows.Add(new QuickRow(Name, $"fwd3x3 {shape.Name} padded", flat[1].MedianUs, "us"));
                    context.Set($"{key}.flat.us", flat[0].MedianUs);
                    context.Set($"{key}.padded.us", flat[1].MedianUs);
                }
                if (withPointwise)
                {
                    double pwUs = lat[2].MedianUs, pwGflops = shape.PointwiseFlops / pwUs / 1e3;
                    string p = $"pw1x1 C{shape.Channels}->{shape.Channels} {shape.OutSize}x{shape.OutSize}";
                    rows.Add(new QuickRow(Name, p, pwUs, "us", pwUs / simdUs, "depthwise fwd simd (time)"));
                    rows.Add(Gflops(p, pwGflops, peak1));
                    context.Set($"{key}.pointwise.us", pwUs);
                }
            }
        }
        return rows;
    }

    private QuickRow Gflops(string name, double gflops, double peak1) => peak1 > 0
        ? new QuickRow(Name, name, gflops, "GFLOP/s", gflops / peak1, "1-core FMA peak")
        : new QuickRow(Name, name, gflops, "GFLOP/s");
}
