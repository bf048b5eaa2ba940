// SparseConvQuickSection (`quick --only fma-peak,sparse-conv`): the direct sparse convolution (DirectSparseConv) against
// Conv2d's dense inference algorithms on paper layers at batch 1, one thread — AlexNet conv3 at Han et al.'s 35%,
// VGG-16 conv3_2 / conv4_2 / conv5_2 at 30% kept, element-wise (Han) and in Mao et al.'s kernel-row vectors — timed
// INTERLEAVED on three frozen copies of one pruned layer (im2col + GEMM, Winograd where the shape allows, sparse; the
// algorithm forced). The sparse rate counts the multiplies it does (2 · stored weights · output positions), so it is
// compared with the 1-core FMA peak; the speed-ups are same-run ratios against im2col + GEMM and the faster dense one.
using Topiary.Experiments;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Benchmarks.Quick;

/// <summary>Direct sparse convolution vs dense algorithms on pruned paper layers.</summary>
public sealed class SparseConvQuickSection : IQuickSection
{
    private const double SecondsPerShape = 0.8;

    /// <inheritdoc/>
    public string Name => "sparse-conv";

    /// <inheritdoc/>
    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        context.TryGet("fma.peak.1t", out double peak);
        var rows = new List<QuickRow>();
        using (Threading.Limit(1)) // one thread, against the 1-core peak
        {
            (string Name, int C, int OC, int Size, double Kept, string Granularity)[] shapes =
            [
                ("alexnet conv3", 256, 384, 13, 0.35, "fine"),
                ("vgg16 conv3_2", 256, 256, 56, 0.30, "fine"),
                ("vgg16 conv3_2", 256, 256, 56, 0.30, "vector"),
                ("vgg16 conv4_2", 512, 512, 28, 0.30, "vector"),
                ("vgg16 conv5_2", 512, 512, 14, 0.30, "vector"),
            ];
            foreach (var s in shapes) Measure(s.Name, s.C, s.OC, s.Size, s.Kept, s.Granularity, SecondsPerShape * context.TimeScale, peak, rows);
        }
        return rows;
    }

    private void Measure(string layer, int c, int oc, int size, double kept, string granularity, double seconds, double peak, List<QuickRow> rows)
    {
        var source = new Conv2d(c, oc, 3, new Random(1), padding: 1);
        new MagnitudePruner(Mao2017.Granularity(granularity)).Apply(PrunableLayer.Find(new Sequential(source))[0], new SparsityTarget(1 - kept));
        Conv2d Copy(bool? winograd, bool? sparse)
        {
            var copy = new Conv2d(c, oc, 3, new Random(1), padding: 1) { Frozen = true, WinogradOverride = winograd, SparseOverride = sparse };
            source.Weight.Value.Data.CopyTo(copy.Weight.Value.Data, 0);
            source.Bias!.Value.Data.CopyTo(copy.Bias!.Value.Data, 0);
            return copy;
        }
        var im2col = Copy(false, false);
        var winograd = Copy(true, false);
        var sparse = Copy(false, true);
        var x = Tensor.RandomUniform(new Random(2), 1f, [1, c, size, size]);
        var lat = LatencyMeter.Compare([() => im2col.Forward(x, false), () => winograd.Forward(x, false), () => sparse.Forward(x, false)], seconds, warmup: 3);
        long stored = source.Weight.Value.Data.Count(v => v != 0);
        double denseBest = Math.Min(lat[0].MedianUs, lat[1].MedianUs);
        string n = $"{layer} {granularity} {kept:P0} kept ({c}->{oc}, {size}x{size})";
        rows.Add(new QuickRow(Name, $"{n} im2col+gemm", lat[0].MedianUs, "us"));
        rows.Add(new QuickRow(Name, $"{n} winograd", lat[1].MedianUs, "us"));
        rows.Add(new QuickRow(Name, $"{n} sparse", lat[2].MedianUs, "us", lat[0].MedianUs / lat[2].MedianUs, "im2col+gemm (speed-up)"));
        rows.Add(new QuickRow(Name, $"{n} sparse vs best dense", denseBest / lat[2].MedianUs, "x"));
        double gflops = 2.0 * stored * size * size / lat[2].MedianUs / 1e3;
        rows.Add(peak > 0
            ? new QuickRow(Name, $"{n} sparse (multiplies done)", gflops, "GFLOP/s", gflops / peak, "1-core FMA peak")
            : new QuickRow(Name, $"{n} sparse (multiplies done)", gflops, "GFLOP/s"));
    }
}
