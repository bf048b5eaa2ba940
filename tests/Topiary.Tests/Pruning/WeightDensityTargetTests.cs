using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Tests.Pruning;

public class WeightDensityTargetTests
{
    private static PrunableLayer Conv(int seed) => PrunableLayer.Find(new Sequential(new Conv2d(6, 8, 5, new Random(seed))))[0];

    // 30 inputs in segments of 4: 7 full segments and a short tail of 2 per row.
    private static PrunableLayer Fc(int seed) => PrunableLayer.Find(new Sequential(new Linear(30, 10, new Random(seed))))[0];

    private static IEnumerable<IGranularity> Granularities() =>
        [ElementGranularity.Instance, TrailingGranularity.Vector(4), TrailingGranularity.Kernel, RowGranularity.Instance];

    public static TheoryData<double> Densities => new() { 0, 0.03, 0.1, 0.33, 0.5, 0.77, 1 };

    [Theory]
    [MemberData(nameof(Densities))]
    public void Density_counted_in_weights_is_hit_within_one_group_and_groups_stay_whole(double density)
    {
        foreach (var make in new Func<PrunableLayer>[] { () => Conv(3), () => Fc(4) })
        {
            foreach (var g in Granularities())
            {
                var layer = make();
                var groups = g.Groups(layer.Weight.Value.Shape, out int count);
                int maxSize = groups.GroupBy(x => x).Max(x => x.Count());
                new MagnitudePruner(g).Apply(layer, new WeightDensityTarget(density));
                double target = density * layer.Weight.Length;
                Assert.True(Math.Abs(layer.KeptWeights - target) <= maxSize / 2.0,
                    $"{g.Name} on {string.Join('x', layer.Weight.Value.Shape.ToArray())}: kept {layer.KeptWeights}, target {target}, group {maxSize}");
                // All-or-nothing per group; every kept group scores at least as high as every removed one.
                var mask = layer.Weight.Mask!.Data;
                var scores = Criteria.GroupScores(PruningCriterion.L1, layer.Weight.Value.Span, groups, count);
                var keptGroup = new bool?[count];
                for (int i = 0; i < groups.Length; i++)
                {
                    bool k = mask[i] != 0;
                    Assert.True(keptGroup[groups[i]] is null || keptGroup[groups[i]] == k, $"{g.Name}: group {groups[i]} is split");
                    keptGroup[groups[i]] = k;
                }
                if (keptGroup.Any(k => k == true) && keptGroup.Any(k => k == false))
                {
                    double minKept = Enumerable.Range(0, count).Where(x => keptGroup[x] == true).Min(x => scores[x]);
                    double maxRemoved = Enumerable.Range(0, count).Where(x => keptGroup[x] == false).Max(x => scores[x]);
                    Assert.True(minKept >= maxRemoved, $"{g.Name}: kept score {minKept} < removed score {maxRemoved}");
                }
            }
        }
    }

    [Fact]
    public void A_sweep_of_decreasing_densities_only_removes_and_hits_each_target()
    {
        foreach (var g in Granularities())
        {
            var layer = Fc(9);
            int maxSize = g.Groups(layer.Weight.Value.Shape, out _).GroupBy(x => x).Max(x => x.Count());
            float[]? previous = null;
            foreach (double d in new[] { 0.6, 0.35, 0.2, 0.07 })
            {
                new MagnitudePruner(g).Apply(layer, new WeightDensityTarget(d));
                Assert.True(Math.Abs(layer.KeptWeights - d * layer.Weight.Length) <= maxSize / 2.0, $"{g.Name} at {d}: kept {layer.KeptWeights}");
                var mask = layer.Weight.Mask!.Data;
                if (previous is not null)
                    for (int i = 0; i < mask.Length; i++) Assert.False(mask[i] != 0 && previous[i] == 0, $"{g.Name}: weight {i} revived");
                previous = (float[])mask.Clone();
            }
        }
    }

    [Fact]
    public void Short_tail_segments_count_their_real_size()
    {
        // One row of 6 inputs in segments of 4 → groups of 4 and 2. Scores: |1,1,1,1| = 4 and |3,3| = 6, so the tail
        // ranks first; at density 2/6 exactly the tail (2 weights) is kept, not a 4-weight group.
        var lin = new Linear(6, 1, new Random(1), bias: false);
        new float[] { 1, 1, 1, 1, 3, 3 }.CopyTo(lin.Weight.Value.Data, 0);
        var layer = PrunableLayer.Find(new Sequential(lin))[0];
        new MagnitudePruner(TrailingGranularity.Vector(4)).Apply(layer, new WeightDensityTarget(2.0 / 6));
        Assert.Equal(new float[] { 0, 0, 0, 0, 1, 1 }, layer.Weight.Mask!.Data);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Density_outside_0_1_is_rejected(double d) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightDensityTarget(d));
}
