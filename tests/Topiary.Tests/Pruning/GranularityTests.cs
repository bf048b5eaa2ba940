using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Tests.Pruning;

public class GranularityTests
{
    public static TheoryData<int[]> Shapes => new() { new[] { 3, 10 }, new[] { 1, 1 }, new[] { 5, 16 }, new[] { 4, 3, 5, 5 }, new[] { 2, 7, 3, 2 }, new[] { 7, 33 } };

    private static IEnumerable<IGranularity> All() =>
    [
        ElementGranularity.Instance, RowGranularity.Instance, TrailingGranularity.Vector(), TrailingGranularity.Vector(3),
        TrailingGranularity.Kernel, new SimdGroupGranularity(1), new SimdGroupGranularity(2), new SimdGroupGranularity(8), new SimdGroupGranularity(16),
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_weight_is_in_exactly_one_group_and_every_group_is_used_and_contiguous(int[] shape)
    {
        foreach (var gran in All())
        {
            var groups = gran.Groups(shape, out int count);
            Assert.Equal(shape.Aggregate(1, (a, b) => a * b), groups.Length);
            var seen = new bool[count];
            int last = -1;
            foreach (int g in groups)
            {
                Assert.InRange(g, 0, count - 1);
                // Groups are runs of consecutive weights in row-major order, numbered in order of appearance.
                Assert.True(g == last || g == last + 1, $"{gran.Name} {string.Join('x', shape)}: group {g} after {last}");
                seen[g] = true;
                last = g;
            }
            Assert.All(seen, Assert.True);
        }
    }

    [Fact]
    public void Simd_groups_are_aligned_to_the_width_within_each_row_and_never_cross_rows()
    {
        var groups = new SimdGroupGranularity(4).Groups([3, 10], out int count);
        Assert.Equal(9, count); // ceil(10/4) = 3 per row
        int[] row0 = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2];
        Assert.Equal(row0, groups[..10]);
        Assert.Equal(row0.Select(g => g + 3), groups[10..20]);
        // Conv filters are flattened: [2, 3, 2, 2] has rows of 12 → 3 groups of 4 per filter.
        var conv = new SimdGroupGranularity(4).Groups([2, 3, 2, 2], out int convCount);
        Assert.Equal(6, convCount);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i / 4), conv);
    }

    [Fact]
    public void Vector_and_kernel_granularities_follow_mao_et_al()
    {
        // W[C=2, K=3, R=2, S=4]: vector = W[c,k,r,:] → 12 groups of 4; kernel = W[c,k,:,:] → 6 groups of 8.
        var vec = TrailingGranularity.Vector().Groups([2, 3, 2, 4], out int vc);
        Assert.Equal(12, vc);
        Assert.Equal(Enumerable.Range(0, 48).Select(i => i / 4), vec);
        var ker = TrailingGranularity.Kernel.Groups([2, 3, 2, 4], out int kc);
        Assert.Equal(6, kc);
        Assert.Equal(Enumerable.Range(0, 48).Select(i => i / 8), ker);
        // FC: a vector is a row segment (the last one shorter), a kernel is a whole row.
        var fc = TrailingGranularity.Vector(4).Groups([2, 6], out int fcCount);
        Assert.Equal(4, fcCount);
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3 }, fc);
        TrailingGranularity.Kernel.Groups([2, 6], out int rows);
        Assert.Equal(2, rows);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimdGroupGranularity(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrailingGranularity.Vector(0));
        var e = Assert.Throws<ArgumentException>(() => new SimdGroupGranularity(8).Groups([5], out _));
        Assert.Contains("rank 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Simd_aware_rms_pruning_keeps_or_removes_whole_aligned_groups()
    {
        var linear = new Linear(37, 11, new Random(5));
        var layer = new PrunableLayer("fc", linear, linear.Weight, linear.Bias, LayerKind.Fc);
        var original = linear.Weight.Value.Data.ToArray();
        var pruner = new MagnitudePruner(new SimdGroupGranularity(8), PruningCriterion.Rms);
        pruner.Apply(layer, new SparsityTarget(0.6));
        var mask = linear.Weight.Mask!.Data;
        int keptGroups = 0;
        double minKept = double.MaxValue, maxRemoved = 0;
        for (int o = 0; o < 11; o++)
            for (int c0 = 0; c0 < 37; c0 += 8)
            {
                var g = mask.AsSpan(o * 37 + c0, Math.Min(8, 37 - c0));
                bool kept = g[0] != 0;
                foreach (float m in g) Assert.Equal(kept ? 1f : 0f, m);
                var o0 = original.AsSpan(o * 37 + c0, g.Length);
                double rms = Math.Sqrt(o0.ToArray().Sum(v => (double)v * v) / g.Length);
                if (kept) { keptGroups++; minKept = Math.Min(minKept, rms); }
                else maxRemoved = Math.Max(maxRemoved, rms);
            }
        Assert.Equal(11 * 5 - (int)Math.Round(0.6 * 55), keptGroups);
        Assert.True(maxRemoved <= minKept, $"a removed group (RMS {maxRemoved}) outscored a kept one ({minKept})");
        Assert.All(linear.Weight.Value.Data.Where((v, i) => mask[i] == 0), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Rms_criterion_divides_by_group_size_so_a_short_tail_group_is_not_penalised()
    {
        // Row of 10 with width 8: group 0 = eight 1s (RMS 1), group 1 = two 1s (RMS 1; L2 would give 2.83 vs 1.41).
        var scores = Criteria.GroupScores(PruningCriterion.Rms, Enumerable.Repeat(1f, 10).ToArray(),
            new SimdGroupGranularity(8).Groups([1, 10], out int n), n);
        Assert.Equal(new[] { 1.0, 1.0 }, scores);
    }
}
