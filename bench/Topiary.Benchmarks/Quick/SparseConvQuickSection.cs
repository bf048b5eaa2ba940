// SparseConvQuickSection (`quick --only fma-peak,sparse-conv`): the direct sparse convolution (DirectSparseConv) against
// Conv2d's dense inference algorithms on paper layers at batch 1, one thread — AlexNet conv1 (11×11 stride 4), conv2
// (5×5, 2 groups), conv3 and conv4 (2 groups) at Han et al.'s 84/38/35/37%, VGG-16 conv3_2 / conv4_2 / conv5_2 at 30%
// kept, element-wise (Han) and in Mao et al.'s kernel-row vectors — timed
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
            Layer[] layers =
            [
                new("alexnet conv1", 3, 96, 227, 11, 4, 0, 1, 0.84, "fine"),
                new("alexnet conv2", 96, 256, 27, 5, 1, 2, 2, 0.38, "fine"),
                new("alexnet conv3", 256, 384, 13, 3, 1, 1, 1, 0.35, "fine"),
                new("alexnet conv4", 384, 384, 13, 3, 1, 1, 2, 0.37, "fine"),
                new("vgg16 conv3_2", 256, 256, 56, 3, 1, 1, 1, 0.30, "fine"),
                new("vgg16 conv3_2", 256, 256, 56, 3, 1, 1, 1, 0.30, "vector"),
                new("vgg16 conv4_2", 512, 512, 28, 3, 1, 1, 1, 0.30, "vector"),
                new("vgg16 conv5_2", 512, 512, 14, 3, 1, 1, 1, 0.30, "vector"),
            ];
            foreach (var l in layers) Measure(l, SecondsPerShape * context.TimeScale, peak, rows);
        }
        return rows;
    }

    // A pruned paper layer: square kernel, stride and padding, at `Kept` of its weights in `Granularity`.
    private sealed record Layer(string Name, int C, int OC, int Size, int Kernel, int Stride, int Pad, int Groups, double Kept, string Granularity);

    private void Measure(Layer l, double seconds, double peak, List<QuickRow> rows)
    {
        int c = l.C, oc = l.OC, size = l.Size;
        var source = new Conv2d(c, oc, l.Kernel, new Random(1), l.Stride, l.Pad, groups: l.Groups);
        new MagnitudePruner(Mao2017.Granularity(l.Granularity)).Apply(PrunableLayer.Find(new Sequential(source))[0], new SparsityTarget(1 - l.Kept));
        Conv2d Copy(bool? winograd, bool? sparse)
        {
            var copy = new Conv2d(c, oc, l.Kernel, new Random(1), l.Stride, l.Pad, groups: l.Groups) { Frozen = true, WinogradOverride = winograd, SparseOverride = sparse };
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
        string n = $"{l.Name} {l.Granularity} {l.Kept:P0} kept ({c}->{oc}, {size}x{size})";
        rows.Add(new QuickRow(Name, $"{n} im2col+gemm", lat[0].MedianUs, "us"));
        rows.Add(new QuickRow(Name, $"{n} winograd", lat[1].MedianUs, "us"));
        rows.Add(new QuickRow(Name, $"{n} sparse", lat[2].MedianUs, "us", lat[0].MedianUs / lat[2].MedianUs, "im2col+gemm (speed-up)"));
        rows.Add(new QuickRow(Name, $"{n} sparse vs best dense", denseBest / lat[2].MedianUs, "x"));
        var g = source.Geometry(size, size);
        double gflops = 2.0 * stored * g.OutH * g.OutW / lat[2].MedianUs / 1e3;
        rows.Add(peak > 0
            ? new QuickRow(Name, $"{n} sparse (multiplies done)", gflops, "GFLOP/s", gflops / peak, "1-core FMA peak")
            : new QuickRow(Name, $"{n} sparse (multiplies done)", gflops, "GFLOP/s"));
    }
}
