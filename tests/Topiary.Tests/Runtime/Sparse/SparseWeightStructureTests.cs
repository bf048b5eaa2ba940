// SparseWeightStructureTests: ToDense round trips exactly for every format and pattern; counts (stored values,
// non-zeros, density) and storage bytes hand-checked on a 3×5 case; 16-bit vs 32-bit indices; format names;
// argument validation (lengths, negative sizes, bad widths, CSR16 column limit).
using Topiary.Runtime.Sparse;
using static Topiary.Tests.Runtime.Sparse.SparseTestSupport;

namespace Topiary.Tests.Runtime.Sparse;

public class SparseWeightStructureTests
{
    // Row 0: 1 at column 0; row 1: 2 at column 4 (the partial last group for widths 2 and 4); row 2 empty.
    private static readonly float[] Small = [1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0];

    [Fact]
    public void ToDense_round_trips_exactly_for_every_format_and_pattern()
    {
        foreach (var (format, options, name) in Configs)
            foreach (var (rows, cols) in Shapes)
                foreach (var (kind, build) in Matrices)
                {
                    var dense = build(rows, cols, (ulong)(rows * 100 + cols));
                    var w = SparseWeight.Create(format, dense, rows, cols, options);
                    Assert.True(dense.AsSpan().SequenceEqual(w.ToDense()), $"{name} {kind} [{rows}x{cols}]");
                    Assert.Equal(dense.Count(v => v != 0), w.NonZeroCount);
                    Assert.True(w.StoredValues >= w.NonZeroCount, $"{name} stores fewer values than non-zeros");
                    Assert.Equal((double)w.NonZeroCount / (rows * cols), w.Density, 12);
                }
    }

    [Fact]
    public void Storage_bytes_are_hand_checked_on_a_small_case()
    {
        SparseWeight Make(SparseFormat f, SparseWeightOptions? o = null) => SparseWeight.Create(f, Small, 3, 5, o);

        var dense = Make(SparseFormat.Dense);
        Assert.Equal((15L, 2L, 60L), (dense.StoredValues, dense.NonZeroCount, dense.StorageBytes));

        var csr = Make(SparseFormat.Csr);                       // 2·(4 + 4) + 4·4 pointers
        Assert.Equal((2L, 2L, 32L), (csr.StoredValues, csr.NonZeroCount, csr.StorageBytes));

        var csr16 = Make(SparseFormat.Csr16);                   // 2·(4 + 2) + 16
        Assert.Equal((2L, 2L, 28L), (csr16.StoredValues, csr16.NonZeroCount, csr16.StorageBytes));

        var g4 = (SimdGroupWeight)Make(SparseFormat.SimdGroup, new() { GroupWidth = 4 });
        // groups: row 0 [0..4), row 1 [4..8) padded → 8 values·4 + 2 indices·2 + 4 pointers·4
        Assert.Equal((2, 8L, 2L, 52L), (g4.GroupCount, g4.StoredValues, g4.NonZeroCount, g4.StorageBytes));
        Assert.Equal(2, g4.IndexBytes);

        var g2 = (SimdGroupWeight)Make(SparseFormat.SimdGroup, new() { GroupWidth = 2 });
        Assert.Equal((2, 4L, 16L + 4 + 16), (g2.GroupCount, g2.StoredValues, g2.StorageBytes));

        var b = (BlockSparseWeight)Make(SparseFormat.Block, new() { BlockRows = 2, BlockCols = 4 });
        // band 0 (rows 0-1) keeps both block columns, band 1 none: 2 blocks·8 values·4 + 2·2 + 3 pointers·4
        Assert.Equal((2, 16L, 80L), (b.BlockCount, b.StoredValues, b.StorageBytes));

        var sell = (SellWeight)Make(SparseFormat.Sell);
        // one slice × one window position; the longest row has 1 entry → 1 step = 16 slots (2 non-zeros, 14 padding):
        // 16·5 + 1 step count (one byte per slice × position)
        Assert.Equal((16L, 2L, 81L), (sell.StoredValues, sell.NonZeroCount, sell.StorageBytes));
        Assert.Equal(14.0 / 16, sell.PaddingFraction, 12);
    }

    [Fact]
    public void Sell_padding_never_lets_a_non_finite_input_into_a_row_that_does_not_store_its_column()
    {
        // 20 rows (two slices), 70 columns (three windows); row r stores only column (3r) % 70, so most slots are padding
        // and every padding slot would point at the first column of its window if it read anything.
        const int rows = 20, cols = 70;
        var dense = new float[rows * cols];
        for (int r = 0; r < rows; r++) dense[r * cols + 3 * r % cols] = r + 1;
        var sell = SparseWeight.Create(SparseFormat.Sell, dense, rows, cols);
        var x = Enumerable.Repeat(1f, cols).ToArray();
        foreach (int c in new[] { 0, 32, 64 }) x[c] = float.NaN;
        var y = new float[rows];
        sell.Multiply(x, 1, y, default, relu: false);
        for (int r = 0; r < rows; r++)
        {
            int c = 3 * r % cols;
            if (c is 0 or 32 or 64) Assert.True(float.IsNaN(y[r]), $"row {r}");
            else Assert.Equal(r + 1, y[r]);
        }
    }

    [Fact]
    public void Wide_matrices_use_32_bit_group_indices_and_csr16_refuses_them()
    {
        const int cols = 65537;
        var dense = new float[cols];
        dense[0] = 1;
        dense[cols - 1] = 3;
        var g = (SimdGroupWeight)SparseWeight.Create(SparseFormat.SimdGroup, dense, 1, cols, new() { GroupWidth = 8 });
        Assert.Equal(4, g.IndexBytes);
        Assert.Equal(dense, g.ToDense());
        var x = new float[cols];
        x[0] = 2;
        x[cols - 1] = 5;
        var y = new float[1];
        g.Multiply(x, 1, y, default, false);
        Assert.Equal(17f, y[0]);
        var b = (BlockSparseWeight)SparseWeight.Create(SparseFormat.Block, dense, 1, cols, new() { BlockRows = 2, BlockCols = 16 });
        Assert.Equal(4, b.IndexBytes);
        b.Multiply(x, 1, y, default, false);
        Assert.Equal(17f, y[0]);

        var e = Assert.Throws<ArgumentException>(() => SparseWeight.Create(SparseFormat.Csr16, dense, 1, cols));
        Assert.Contains("65536", e.Message);
        Assert.Contains("65537", e.Message);
        Assert.Equal(2, ((SimdGroupWeight)SparseWeight.Create(SparseFormat.SimdGroup, new float[65536], 1, 65536)).IndexBytes);
        Assert.NotNull(SparseWeight.Create(SparseFormat.Csr16, new float[65536], 1, 65536));
    }

    [Fact]
    public void Default_options_use_the_host_lanes()
    {
        var g = (SimdGroupWeight)SparseWeight.Create(SparseFormat.SimdGroup, Small, 3, 5, null);
        Assert.Equal(SparseWeightOptions.HostLanes, g.Width);
        var b = (BlockSparseWeight)SparseWeight.Create(SparseFormat.Block, Small, 3, 5, null);
        Assert.Equal((4, SparseWeightOptions.HostLanes), (b.BlockRows, b.BlockCols));
        Assert.Contains(SparseWeightOptions.HostLanes, new[] { 4, 8, 16 });
    }

    [Fact]
    public void Format_names_round_trip()
    {
        Assert.Equal(["dense", "csr", "csr16", "simd-group", "block", "sell"], SparseFormatNames.All.Select(f => f.ToName()));
        foreach (var f in SparseFormatNames.All) Assert.Equal(f, SparseFormatNames.Parse(f.ToName().ToUpperInvariant()));
        var e = Assert.Throws<ArgumentException>(() => SparseFormatNames.Parse("coo"));
        Assert.Contains("coo", e.Message);
    }

    [Fact]
    public void Arguments_are_validated_with_the_offending_name()
    {
        var e = Assert.Throws<ArgumentException>(() => SparseWeight.Create(SparseFormat.Csr, Small, 3, 4));
        Assert.Equal("dense", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseWeight.Create(SparseFormat.Csr, Small, -1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseWeight.Create(SparseFormat.SimdGroup, Small, 3, 5, new() { GroupWidth = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseWeight.Create(SparseFormat.Block, Small, 3, 5, new() { BlockRows = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseWeight.Create(SparseFormat.Block, Small, 3, 5, new() { BlockCols = 32 }));

        foreach (var (format, options, name) in Configs)
        {
            var w = SparseWeight.Create(format, Small, 3, 5, options);
            var x = new float[10];
            var y = new float[6];
            Assert.Equal("x", Assert.Throws<ArgumentException>(() => w.Multiply(x.AsSpan(0, 9), 2, y, default, false)).ParamName);
            Assert.Equal("y", Assert.Throws<ArgumentException>(() => w.Multiply(x, 2, y.AsSpan(0, 5), default, false)).ParamName);
            Assert.Equal("bias", Assert.Throws<ArgumentException>(() => w.Multiply(x, 2, y, new float[2], false)).ParamName);
            Assert.Equal("n", Assert.Throws<ArgumentException>(() => w.MultiplyScalar(x, -1, y, default, false)).ParamName);
            var msg = Assert.Throws<ArgumentException>(() => w.Multiply(x.AsSpan(0, 9), 2, y, default, false)).Message;
            Assert.Contains("10", msg);

            var b = new float[5 * 4];
            var c = new float[3 * 4];
            Assert.Equal("b", Assert.Throws<ArgumentException>(() => w.MultiplyColumns(b.AsSpan(0, 19), 4, 4, c, 4, default, false)).ParamName);
            Assert.Equal("c", Assert.Throws<ArgumentException>(() => w.MultiplyColumns(b, 4, 4, c.AsSpan(0, 11), 4, default, false)).ParamName);
            Assert.Equal("ldb", Assert.Throws<ArgumentException>(() => w.MultiplyColumns(b, 3, 4, c, 4, default, false)).ParamName);
            Assert.Equal("ldc", Assert.Throws<ArgumentException>(() => w.MultiplyColumnsScalar(b, 4, 4, c, 3, default, false)).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => w.MultiplyColumns(b, 4, -1, c, 4, default, false)).ParamName);
            Assert.Equal(name.Split(' ')[0], w.Format.ToName());
        }
    }
}
