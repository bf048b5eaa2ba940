// EntryConvQuickSection (`quick --only entry-nhwc`, or `--only fma-peak,entry-nhwc` for % of peak): the entry of a
// channels-last stack (input [N, C, H, W], output [N, OH, OW, OC]) at batch 1, one thread — the direct kernel
// (EntryConvNhwc) against the route it replaces in ChannelsLastConv2d (per image im2col into a [C·KH·KW, OH·OW] column
// matrix, or the image itself for a 1×1 stride-1 layer, then colᵀ · Wᵀ by the GEMM with Wᵀ pre-packed, bias per column
// and clamp in the epilogue) — timed INTERLEAVED (LatencyMeter.Compare), medians per call; both with bias and ReLU6.
// Shapes: the stems of MobileNet-v2 and EfficientNet-B0 (3 → 32, 3×3, stride 2, 224²: the same layer), ResNet (3 → 64,
// 7×7, stride 2, 224²) and the zoo's MNIST MobileNet-v2 (1 → 16, 3×3, stride 1, 28²), then entries with more input
// channels (the rule for which layers the kernel takes, C·KH·KW ≤ EntryConvNhwc.MaxDepth). GFLOP/s = 2·C·KH·KW·OC·OH·OW
// / median; speed-up = im2col+GEMM median / direct median, same run.
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Benchmarks.Quick;

/// <summary>Direct entry convolution vs im2col + GEMM (µs, GFLOP/s, speed-up) on network stems.</summary>
public sealed class EntryConvQuickSection : IQuickSection
{
    private const double SecondsPerShape = 0.6;

    private static readonly (string Name, int C, int OC, int Size, int K, int Stride, int Pad)[] Shapes =
    [
        ("mobilenet-v2 stem", 3, 32, 224, 3, 2, 1),
        ("resnet stem", 3, 64, 224, 7, 2, 3),
        ("efficientnet-b0 stem", 3, 32, 224, 3, 2, 1),
        ("zoo mobilenet-v2 stem (mnist)", 1, 16, 28, 3, 1, 1),
        ("3x3 C8", 8, 32, 56, 3, 1, 1),
        ("3x3 C16", 16, 32, 56, 3, 1, 1),
        ("3x3 C28", 28, 64, 28, 3, 1, 1),
        ("1x1 C4", 4, 32, 56, 1, 1, 0),
        ("1x1 C64", 64, 64, 56, 1, 1, 0),
    ];

    /// <inheritdoc/>
    public string Name => "entry-nhwc";

    /// <inheritdoc/>
    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        context.TryGet("fma.peak.1t", out double peak);
        double seconds = SecondsPerShape * context.TimeScale;
        var rows = new List<QuickRow>();
        foreach (var s in Shapes)
        {
            var g = new Conv2dGeometry(s.C, s.Size, s.Size, s.K, s.K, s.Stride, s.Stride, s.Pad, s.Pad);
            var rng = new Random(s.C * 100 + s.OC);
            float[] x = Fill(rng, g.ImageSize), w = Fill(rng, s.OC * g.ColumnRows), bias = Fill(rng, s.OC);
            var y = new float[g.OutH * g.OutW * s.OC];
            var direct = EntryConvNhwc.PackWeights(w, s.OC, g.ColumnRows);
            var route = new Im2ColGemm(g, w, s.OC, bias);
            var lat = LatencyMeter.Compare(
                [() => EntryConvNhwc.Forward(x, 1, g, direct, s.OC, bias, 0f, 6f, y, 1), () => route.Forward(x, y)], seconds, warmup: 3);
            double flops = 2.0 * g.ColumnRows * s.OC * g.OutH * g.OutW;
            string n = $"{s.Name} {s.C}->{s.OC} {s.K}x{s.K} s{s.Stride} {s.Size}x{s.Size}";
            rows.Add(new QuickRow(Name, $"{n} direct", lat[0].MedianUs, "us", lat[1].MedianUs / lat[0].MedianUs, "im2col+gemm (speed-up)"));
            rows.Add(Rate($"{n} direct", flops / lat[0].MedianUs / 1e3, peak));
            rows.Add(new QuickRow(Name, $"{n} im2col+gemm", lat[1].MedianUs, "us"));
            rows.Add(Rate($"{n} im2col+gemm", flops / lat[1].MedianUs / 1e3, peak));
            string key = $"entry.c{s.C}.oc{s.OC}.k{s.K}.s{s.Stride}.{s.Size}";
            context.Set($"{key}.direct.us", lat[0].MedianUs);
            context.Set($"{key}.im2col_gemm.us", lat[1].MedianUs);
        }
        return rows;
    }

    // ChannelsLastConv2d's entry before the direct kernel, on one thread.
    private sealed unsafe class Im2ColGemm(Conv2dGeometry g, float[] w, int oc, float[] bias)
    {
        private readonly GemmPackedB _packed = Gemm.PackB(transB: true, oc, g.ColumnRows, w, g.ColumnRows);
        private readonly bool _pointwise = g.KernelH == 1 && g.KernelW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadTop == 0 && g.PadLeft == 0;
        private readonly float[] _columns = new float[g.ColumnRows * g.OutH * g.OutW];

        public void Forward(float[] x, float[] y)
        {
            int positions = g.OutH * g.OutW;
            float[] columns = _pointwise ? x : _columns;
            if (!_pointwise) Im2Col.Unfold(x, g, columns, positions);
            fixed (float* pBias = bias)
            {
                var epilogue = new GemmEpilogue(pBias, null, 0, 0f, 6f, biasPerColumn: true);
                Gemm.Sgemm(1, true, positions, 1f, columns.AsSpan(0, g.ColumnRows * positions), positions, _packed, 0f, y, oc, epilogue);
            }
        }
    }

    private QuickRow Rate(string name, double gflops, double peak) => peak > 0
        ? new QuickRow(Name, name, gflops, "GFLOP/s", gflops / peak, "1-core FMA peak")
        : new QuickRow(Name, name, gflops, "GFLOP/s");

    private static float[] Fill(Random rng, int length) => Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
