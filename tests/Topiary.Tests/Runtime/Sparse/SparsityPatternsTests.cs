// SparsityPatternsTests: masks remove exactly round(sparsity·units) aligned units, the same seed gives the
// same mask, different seeds differ, and RandomMatrix is non-zero exactly where the mask keeps.
using Topiary.Runtime.Sparse;

namespace Topiary.Tests.Runtime.Sparse;

public class SparsityPatternsTests
{
    [Fact]
    public void Element_mask_removes_exactly_the_requested_count()
    {
        var m = SparsityPatterns.Mask(7, 13, SparsityPattern.Element, 0.3, 5);
        Assert.Equal((int)Math.Round(0.3 * 91, MidpointRounding.AwayFromZero), m.Count(v => v == 0));
        Assert.All(m, v => Assert.True(v is 0 or 1));
        Assert.Equal(m, SparsityPatterns.Mask(7, 13, SparsityPattern.Element, 0.3, 5));
        Assert.NotEqual(m, SparsityPatterns.Mask(7, 13, SparsityPattern.Element, 0.3, 6));
        Assert.All(SparsityPatterns.Mask(3, 4, SparsityPattern.Element, 1, 1), v => Assert.Equal(0f, v));
        Assert.All(SparsityPatterns.Mask(3, 4, SparsityPattern.Element, 0, 1), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Group_mask_removes_whole_aligned_groups()
    {
        const int rows = 5, cols = 21, w = 8; // 3 groups per row, the last one 5 wide
        var m = SparsityPatterns.Mask(rows, cols, SparsityPattern.Group(w), 0.4, 9);
        int removed = 0;
        for (int r = 0; r < rows; r++)
            for (int g = 0; g * w < cols; g++)
            {
                var unit = m.AsSpan(r * cols + g * w, Math.Min(w, cols - g * w)).ToArray();
                Assert.True(unit.All(v => v == 0) || unit.All(v => v == 1), $"row {r} group {g} is split");
                if (unit[0] == 0) removed++;
            }
        Assert.Equal(6, removed); // round(0.4·15)
    }

    [Fact]
    public void Block_mask_removes_whole_aligned_blocks()
    {
        const int rows = 10, cols = 9;  // 4×4 blocks: 3 bands × 3 block columns, edges partial
        var m = SparsityPatterns.Mask(rows, cols, SparsityPattern.Block(4, 4), 0.5, 2);
        int removed = 0;
        for (int br = 0; br * 4 < rows; br++)
            for (int bc = 0; bc * 4 < cols; bc++)
            {
                var vals = new List<float>();
                for (int r = br * 4; r < Math.Min(rows, br * 4 + 4); r++)
                    for (int c = bc * 4; c < Math.Min(cols, bc * 4 + 4); c++) vals.Add(m[r * cols + c]);
                Assert.True(vals.All(v => v == 0) || vals.All(v => v == 1), $"block {br},{bc} is split");
                if (vals[0] == 0) removed++;
            }
        Assert.Equal(5, removed); // round(0.5·9) away from zero
    }

    [Fact]
    public void Random_matrix_is_non_zero_exactly_where_the_mask_keeps()
    {
        var p = SparsityPattern.Group(4);
        var mask = SparsityPatterns.Mask(6, 11, p, 0.5, 3);
        var a = SparsityPatterns.RandomMatrix(6, 11, p, 0.5, 3);
        for (int i = 0; i < a.Length; i++) Assert.Equal(mask[i] != 0, a[i] != 0);
        Assert.Equal("group4", p.ToString());
        Assert.Equal("block4x8", SparsityPattern.Block(4, 8).ToString());
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPatterns.Mask(2, 2, SparsityPattern.Element, 1.5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPatterns.Mask(2, 2, SparsityPattern.Element, double.NaN, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPatterns.Mask(-1, 2, SparsityPattern.Element, 0.5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPattern.Group(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparsityPattern.Block(0, 4));
    }
}
