using Topiary.Compression.Grouped;
using Topiary.Models;
using Topiary.Pruning;

namespace Topiary.Tests.Compression.Grouped;

public class GroupSparseCodecTests
{
    private static IEnumerable<IGranularity> Granularities() =>
        [ElementGranularity.Instance, TrailingGranularity.Vector(4), TrailingGranularity.Vector(3), TrailingGranularity.Kernel, RowGranularity.Instance];

    // Conv [M, C, R, S] and FC [O, I] shapes, the FC ones with a short last segment.
    private static readonly int[][] Shapes = [[6, 5, 3, 3], [4, 3, 5, 5], [7, 10], [3, 30], [40, 50]];

    // Random weights and a random group-structured mask at one of several densities (low ones force fillers).
    private static (float[] W, float[] Mask) RandomPruned(int[] shape, IGranularity g, double keep, int seed)
    {
        var rng = new Random(seed);
        var groups = g.Groups(shape, out int count);
        var keepGroup = Enumerable.Range(0, count).Select(_ => rng.NextDouble() < keep).ToArray();
        var w = new float[groups.Length];
        var m = new float[groups.Length];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)(rng.NextDouble() * 2 - 1);
            if (w[i] == 0) w[i] = 0.5f;
            m[i] = keepGroup[groups[i]] ? 1 : 0;
        }
        return (w, m);
    }

    [Fact]
    public void Float32_round_trip_restores_the_mask_and_the_values_exactly()
    {
        int seed = 0;
        foreach (var shape in Shapes)
            foreach (var g in Granularities())
                foreach (double keep in new[] { 0.0, 0.02, 0.1, 0.5, 1.0 })
                    foreach (int indexBits in new[] { 1, 2, 4 })
                    {
                        var (w, m) = RandomPruned(shape, g, keep, ++seed);
                        var enc = GroupSparseEncoder.Encode("l", w, m, shape, g, new GroupCodingOptions(32, indexBits));
                        var dec = GroupSparseDecoder.Decode(enc, g);
                        Assert.Equal(m, dec.Mask);
                        for (int i = 0; i < w.Length; i++) Assert.Equal(w[i] * m[i], dec.Values[i]);
                    }
    }

    [Fact]
    public void Quantised_round_trip_restores_the_mask_and_values_within_half_a_step()
    {
        int seed = 100;
        foreach (var shape in Shapes)
            foreach (var g in Granularities())
                foreach (int valueBits in new[] { 1, 3, 8 })
                {
                    var (w, m) = RandomPruned(shape, g, 0.3, ++seed);
                    var enc = GroupSparseEncoder.Encode("l", w, m, shape, g, new GroupCodingOptions(valueBits, 3));
                    var dec = GroupSparseDecoder.Decode(enc, g);
                    Assert.Equal(m, dec.Mask);
                    var kept = Enumerable.Range(0, w.Length).Where(i => m[i] != 0).Select(i => w[i]).ToArray();
                    if (kept.Length == 0) continue;
                    int levels = (1 << valueBits) - 1;
                    double halfStep = levels == 1 ? kept.Max() - kept.Min() : (kept.Max() - kept.Min()) / (levels - 1) / 2;
                    for (int i = 0; i < w.Length; i++)
                    {
                        if (m[i] == 0) Assert.Equal(0f, dec.Values[i]);
                        else Assert.True(Math.Abs(dec.Values[i] - w[i]) <= halfStep + 1e-6, $"{g.Name} {valueBits} bits: {w[i]} → {dec.Values[i]}");
                    }
                }
    }

    [Fact]
    public void Storage_model_equals_the_encoders_bits_for_every_granularity_and_width()
    {
        int seed = 200;
        foreach (var shape in Shapes)
            foreach (var g in Granularities())
                foreach (double keep in new[] { 0.0, 0.03, 0.2, 0.9 })
                    foreach (var (vb, ib) in new[] { (32, 1), (32, 4), (8, 2), (4, 5), (1, 3) })
                    {
                        var (w, m) = RandomPruned(shape, g, keep, ++seed);
                        var o = new GroupCodingOptions(vb, ib);
                        var enc = GroupSparseEncoder.Encode("l", w, m, shape, g, o);
                        var model = GroupStorageModel.ForLayer("l", w, m, shape, g, o);
                        Assert.Equal(enc.BitLength, model.TotalBits);
                        Assert.Equal(enc.Fillers, model.Fillers);
                        Assert.Equal(enc.KeptGroups, model.KeptGroups);
                        Assert.Equal((enc.BitLength + 7) / 8, enc.Data.Length);
                    }
    }

    [Fact]
    public void Storage_model_equals_the_encoder_on_a_pruned_lenet5()
    {
        foreach (string name in Topiary.Experiments.Mao2017.GranularityNames)
        {
            var model = ModelZoo.Create("lenet-5", 3);
            var layers = PrunableLayer.Find(model);
            var g = Topiary.Experiments.Mao2017.Granularity(name);
            foreach (var l in layers) new MagnitudePruner(g).Apply(l, new WeightDensityTarget(0.1));
            foreach (var o in new[] { new GroupCodingOptions(32, 4), new GroupCodingOptions(8, 3) })
            {
                var report = GroupStorageModel.ForModel(layers.Select(l => (l, g)), o);
                long encoded = layers.Sum(l => GroupSparseEncoder.Encode(l, g, o).BitLength);
                Assert.Equal(encoded, report.TotalBits);
                Assert.InRange(report.Density, 0.09, 0.11);
                foreach (var l in layers)
                    Assert.Equal(l.Weight.Mask!.Data, GroupSparseDecoder.Decode(GroupSparseEncoder.Encode(l, g, o), g).Mask);
            }
        }
    }

    [Fact]
    public void Hand_computed_stream_with_fillers()
    {
        // One row of 20 weights, element groups, 2-bit indices (an entry advances at most 4): kept at 1 and 12.
        // Entries: (gap 1) at 1; zero run 2..11 = 10 → 2 fillers (gap 3) at 5 and 9; (gap 2) at 12. Four entries.
        var w = new float[20];
        w[1] = 1.5f;
        w[12] = -2f;
        var o = new GroupCodingOptions(32, 2);
        var enc = GroupSparseEncoder.Encode("fc", w, default, [1, 20], ElementGranularity.Instance, o);
        Assert.Equal(2, enc.Fillers);
        Assert.Equal(32 + 4 * (2 + 32), enc.BitLength);
        var s = GroupStorageModel.ForLayer("fc", w, default, [1, 20], ElementGranularity.Instance, o);
        Assert.Equal(enc.BitLength, s.TotalBits);
        Assert.Equal(20 * 32, s.DenseBits);
        Assert.Equal((double)enc.BitLength / (20 * 32), s.StorageRatio, 12);
        // Row groups of a [2, 10] weight: only row 1 kept → one entry of gap 1 with 10 values.
        var w2 = new float[20];
        w2[15] = 1;
        var enc2 = GroupSparseEncoder.Encode("fc", w2, default, [2, 10], RowGranularity.Instance, o);
        Assert.Equal(32 + 2 + 10 * 32, enc2.BitLength);
        Assert.Equal(new float[10].Concat(Enumerable.Repeat(1f, 10)), GroupSparseDecoder.Decode(enc2, RowGranularity.Instance).Mask);
    }

    [Fact]
    public void Non_zero_values_never_take_the_zero_code()
    {
        var code = new LinearValueCode(-1f, 2f, 3);
        Assert.Equal(0u, code.Encode(0f));
        foreach (float v in new[] { -1f, -0.001f, 0.001f, 1e-30f, 2f, 5f, -7f })
            Assert.InRange(code.Encode(v), 1u, 7u);
        Assert.Equal(-1f, code.Decode(1));
        Assert.Equal(2f, code.Decode(7));
        Assert.Equal(0.5f, code.Decode(code.Encode(0.5f)));
    }

    [Fact]
    public void Corrupt_or_mismatched_streams_are_rejected()
    {
        var (w, m) = RandomPruned([6, 5, 3, 3], TrailingGranularity.Kernel, 0.5, 7);
        var enc = GroupSparseEncoder.Encode("conv", w, m, [6, 5, 3, 3], TrailingGranularity.Kernel, new GroupCodingOptions(32, 4));
        var truncated = enc with { BitLength = enc.BitLength - 5 };
        Assert.Contains("conv", Assert.Throws<InvalidDataException>(() => GroupSparseDecoder.Decode(truncated, TrailingGranularity.Kernel)).Message);
        Assert.Throws<ArgumentException>(() => GroupSparseDecoder.Decode(enc, RowGranularity.Instance));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupCodingOptions(0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupCodingOptions(8, 31));
    }
}
