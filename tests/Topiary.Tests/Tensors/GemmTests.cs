// GemmTests: Gemm.Sgemm against the scalar twin GemmReference on awkward sizes, every transposition,
// padded leading dimensions (padding filled with NaN so any stray read shows), alpha/beta variants
// (beta = 0 must overwrite a NaN-filled C), bitwise equality across thread counts, every SIMD tier the
// hardware supports (unsupported tiers are skipped, never emulated), and argument validation.
// Tolerance per element: 4·eps·(k+1)·(|alpha|·Σ_p|a_ip·b_pj| + |beta·c_ij|), i.e. relative error scaled by k.
// Fallback runs: on .NET 10 the AVX-512 switch is DOTNET_EnableAVX512=0 (DOTNET_EnableAVX512F is no longer
// honoured); also DOTNET_EnableAVX2=0 (Vector128 tier) and DOTNET_EnableHWIntrinsic=0 (scalar tier).
using System.Runtime.Intrinsics;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class GemmTests
{
    private static readonly int[] Awkward = [1, 2, 7, 15, 16, 17, 31, 33, 63, 65, 129];

    // (m, n, k): mixed shapes, multi-K-block (k > 256), shared-B mode (m > 256), n beyond one Nc block.
    private static readonly (int M, int N, int K)[] Mixed =
    [
        (1, 129, 7), (129, 1, 7), (7, 129, 1), (129, 7, 1), (65, 17, 129), (33, 63, 31), (2, 65, 16),
        (129, 33, 65), (17, 16, 300), (5, 40, 600), (300, 40, 20), (260, 33, 513), (261, 4100, 3),
    ];

    public static TheoryData<bool, bool> Transpositions => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Matches_reference_on_awkward_square_sizes(bool transA, bool transB)
    {
        foreach (int s in Awkward)
            Check(new Case(s, s, s, transA, transB));
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Matches_reference_on_mixed_shapes(bool transA, bool transB)
    {
        foreach (var (m, n, k) in Mixed)
            Check(new Case(m, n, k, transA, transB));
        foreach (int m in new[] { 1, 16, 33 })
            foreach (int n in new[] { 1, 31, 65 })
                foreach (int k in new[] { 2, 17, 63 })
                    Check(new Case(m, n, k, transA, transB));
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Honours_leading_dimensions_larger_than_the_width(bool transA, bool transB)
    {
        // (20, 600, 16): small k, so B panels go in groups of 8 (two whole groups, then 3 panels, the last partial).
        foreach (var (m, n, k) in new[] { (17, 33, 15), (65, 7, 129), (33, 65, 300), (300, 31, 17), (20, 600, 16) })
            Check(new Case(m, n, k, transA, transB) { PadA = 3, PadB = 5, PadC = 7 });
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(0.5f, 0f)]
    [InlineData(2f, 1f)]
    [InlineData(-1.5f, 0.25f)]
    [InlineData(1f, -1f)]
    [InlineData(0f, 2f)]
    [InlineData(0f, 0f)]
    public void Applies_alpha_and_beta(float alpha, float beta)
    {
        foreach (var (ta, tb) in new[] { (false, false), (true, true) })
        {
            foreach (var (m, n, k) in new[] { (17, 33, 15), (65, 40, 300), (300, 17, 9) })
                Check(new Case(m, n, k, ta, tb) { Alpha = alpha, Beta = beta, PadC = 2 });
        }
    }

    [Fact]
    public void Beta_zero_overwrites_nan_in_c()
    {
        foreach (var (m, n, k) in new[] { (17, 33, 15), (64, 300, 784), (300, 40, 20) })
        {
            var c = Check(new Case(m, n, k, false, true) { Beta = 0, CFill = float.NaN });
            Assert.DoesNotContain(c, float.IsNaN);
        }
        // alpha = 0 and k = 0 take the "C = beta·C" path: still no NaN.
        var c0 = Check(new Case(9, 11, 5, false, false) { Alpha = 0, Beta = 0, CFill = float.NaN });
        Assert.All(c0, v => Assert.Equal(0f, v));
        var ck = new float[6];
        Array.Fill(ck, float.NaN);
        Gemm.Sgemm(false, false, 2, 3, 0, 1f, [], 1, [], 3, 0f, ck, 3);
        Assert.All(ck, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Zero_sized_output_leaves_c_alone()
    {
        var c = new float[] { 5f };
        Gemm.Sgemm(false, false, 0, 1, 3, 1f, [], 3, new float[3], 1, 0f, c, 1);
        Gemm.Sgemm(false, false, 1, 0, 3, 1f, new float[3], 3, [], 1, 0f, c, 1);
        Assert.Equal(5f, c[0]);
    }

    [Theory]
    [MemberData(nameof(Transpositions))]
    public void Results_are_bitwise_identical_for_any_thread_count(bool transA, bool transB)
    {
        var tier = GemmTiers.Best;
        foreach (var (m, n, k) in new[] { (64, 300, 784), (300, 784, 64), (520, 97, 600), (33, 4100, 17), (129, 129, 129) })
        {
            var data = new Case(m, n, k, transA, transB) { Beta = 0.5f }.Create();
            float[] serial = data.Run(tier, 1);
            foreach (int threads in new[] { 2, 3, 4 })
            {
                float[] parallel = data.Run(tier, threads);
                int diff = FirstDifference(serial, parallel);
                Assert.True(diff < 0, $"({m},{n},{k}) tA={transA} tB={transB}: {threads} threads differ from 1 thread at flat index {diff}: {(diff >= 0 ? $"{serial[diff]:R} vs {parallel[diff]:R}" : "")}");
            }
        }
    }

    [TierFact(GemmTier.Scalar)]
    public void Scalar_bottom_tiles_equal_full_tiles_bit_for_bit() => CheckBottomTiles(GemmTier.Scalar);

    [TierFact(GemmTier.Vector128)]
    public void Vector128_bottom_tiles_equal_full_tiles_bit_for_bit() => CheckBottomTiles(GemmTier.Vector128);

    [TierFact(GemmTier.Vector256)]
    public void Vector256_bottom_tiles_equal_full_tiles_bit_for_bit() => CheckBottomTiles(GemmTier.Vector256);

    [TierFact(GemmTier.Vector512)]
    public void Vector512_bottom_tiles_equal_full_tiles_bit_for_bit() => CheckBottomTiles(GemmTier.Vector512);

    private static void CheckBottomTiles(GemmTier tier)
    {
        // M = 30 rows (five 6-row panels, two and a half 12-row ones) against its first m rows alone: every bottom-tile
        // height, in a row block of its own and after full panels, each element's sum the full tiles' to the bit.
        var full = new Case(30, 37, 300, false, false) { Beta = 0.5f }.Create();
        float[] expected = full.Run(tier, 1);
        for (int m = 1; m < 30; m++)
        {
            var data = full with { Spec = full.Spec with { M = m } };
            float[] actual = data.Run(tier, 1);
            int diff = FirstDifference(expected.AsSpan(0, m * full.Ldc).ToArray(), actual.AsSpan(0, m * full.Ldc).ToArray());
            Assert.True(diff < 0, $"{tier}, m = {m}: row {diff / full.Ldc}, column {diff % full.Ldc} differs from the 30-row product.");
        }
    }

    [TierFact(GemmTier.Vector256)]
    public void Vector256_narrow_right_edges_equal_full_tiles_bit_for_bit() => CheckRightEdges(GemmTier.Vector256);

    [TierFact(GemmTier.Vector512)]
    public void Vector512_narrow_right_edges_equal_full_tiles_bit_for_bit() => CheckRightEdges(GemmTier.Vector512);

    private static void CheckRightEdges(GemmTier tier)
    {
        // N = three panels' width against its first n = two panels + w columns alone, w = 1 … 8: every narrow right edge
        // (on AVX-512 a strip of 4 or 2 row tiles at once, the remaining tiles one by one: M = 44 is five full tiles and a
        // bottom one; K = 300 two K blocks, beta ≠ 0), each element's sum the full tiles' to the bit.
        int nr = GemmTiers.Tile(tier).Nr;
        var full = new Case(44, 3 * nr, 300, false, false) { Beta = 0.5f }.Create();
        float[] expected = full.Run(tier, 1);
        for (int w = 1; w <= 8; w++)
        {
            int n = 2 * nr + w;
            float[] actual = (full with { Spec = full.Spec with { N = n } }).Run(tier, 1);
            for (int i = 0; i < full.Spec.M; i++)
                for (int j = 0; j < n; j++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i * full.Ldc + j]) == BitConverter.SingleToInt32Bits(actual[i * full.Ldc + j]),
                        $"{tier}, n = {n}: row {i}, column {j} differs from the {3 * nr}-column product.");
        }
    }

    [Fact]
    public void Public_entry_matches_the_explicit_serial_path_bitwise()
    {
        var data = new Case(64, 300, 784, false, true).Create();
        float[] viaPublic = data.RunPublic();
        Assert.Equal(-1, FirstDifference(data.Run(GemmTiers.Best, 1), viaPublic));
    }

    [Fact]
    public void Serial_calls_do_not_allocate_in_steady_state()
    {
        foreach (var (m, n, k) in new[] { (64, 300, 784), (300, 784, 64), (7, 9, 5) })
        {
            var data = new Case(m, n, k, false, true).Create();
            var c = (float[])data.C0.Clone();
            void Call() => Gemm.Sgemm(GemmTiers.Best, 1, false, true, m, n, k, 1f, data.A, data.Lda, data.B, data.Ldb, 0f, c, data.Ldc);
            Call(); // grows the thread-static pack buffers
            // Steady state: a call that allocates nothing. A loaded CI pass once saw 7,384 bytes on the call after the
            // warm-up (the runtime's one-time work landing in it), so up to ten calls are tried; a Sgemm that
            // allocates on every call fails them all.
            long allocated = long.MaxValue;
            for (int call = 0; call < 10 && allocated != 0; call++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                Call();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.Equal(0, allocated);
        }
    }

    [TierFact(GemmTier.Scalar)]
    public void Scalar_tier_matches_reference() => CheckTier(GemmTier.Scalar);

    [TierFact(GemmTier.Vector128)]
    public void Vector128_tier_matches_reference() => CheckTier(GemmTier.Vector128);

    [TierFact(GemmTier.Vector256)]
    public void Vector256_tier_matches_reference() => CheckTier(GemmTier.Vector256);

    [TierFact(GemmTier.Vector512)]
    public void Vector512_tier_matches_reference() => CheckTier(GemmTier.Vector512);

    [Fact]
    public void Best_tier_follows_hardware_acceleration()
    {
        var expected = Vector512.IsHardwareAccelerated ? GemmTier.Vector512 :
            Vector256.IsHardwareAccelerated ? GemmTier.Vector256 :
            Vector128.IsHardwareAccelerated ? GemmTier.Vector128 : GemmTier.Scalar;
        Assert.Equal(expected, GemmTiers.Best);
        foreach (var tier in Enum.GetValues<GemmTier>().Where(t => !GemmTiers.IsSupported(t)))
        {
            var ex = Assert.Throws<ArgumentException>(() =>
                Gemm.Sgemm(tier, 1, false, false, 1, 1, 1, 1f, new float[1], 1, new float[1], 1, 0f, new float[1], 1));
            Assert.Contains(tier.ToString(), ex.Message);
        }
    }

    [Fact]
    public void Rejects_negative_dimensions()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, -1, 2, 2, 1f, new float[4], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Contains("m=-1", ex.Message);
    }

    [Fact]
    public void Rejects_leading_dimension_smaller_than_the_width()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 3, 4, 1f, new float[8], 3, new float[12], 3, 0f, new float[6], 3));
        Assert.Contains("leading dimension of A is 3; it must be at least 4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 2, 3, 4, 1f, new float[8], 4, new float[12], 3, 0f, new float[6], 3));
        Assert.Contains("leading dimension of B is 3; it must be at least 4", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 3, 4, 1f, new float[8], 4, new float[12], 3, 0f, new float[6], 2));
        Assert.Contains("leading dimension of C is 2; it must be at least 3", ex.Message);
    }

    [Fact]
    public void Rejects_spans_that_are_too_short()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(true, false, 2, 3, 4, 1f, new float[7], 2, new float[12], 3, 0f, new float[6], 3));
        Assert.Contains("operand A (4x2, ld=2) needs 8 elements; the span has 7", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 3, 4, 1f, new float[8], 4, new float[11], 3, 0f, new float[6], 3));
        Assert.Contains("operand B (4x3, ld=3) needs 12 elements; the span has 11", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 3, 4, 1f, new float[8], 4, new float[12], 3, 0f, new float[7], 5));
        Assert.Contains("operand C (2x3, ld=5) needs 8 elements; the span has 7", ex.Message);
    }

    [Fact]
    public void Rejects_thread_count_below_one()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Sgemm(GemmTier.Scalar, 0, false, false, 1, 1, 1, 1f, new float[1], 1, new float[1], 1, 0f, new float[1], 1));
        Assert.Contains("thread count", ex.Message);
    }

    private static void CheckTier(GemmTier tier)
    {
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 15, 17), (17, 33, 31), (65, 63, 129), (300, 40, 300), (33, 4100, 5) })
            {
                Check(new Case(m, n, k, ta, tb) { Tier = tier, Beta = 0.5f, PadA = 1 });
                Check(new Case(m, n, k, ta, tb) { Tier = tier, Threads = 2, CFill = float.NaN });
            }
        }
    }

    private static int FirstDifference(float[] x, float[] y)
    {
        for (int i = 0; i < x.Length; i++)
            if (BitConverter.SingleToInt32Bits(x[i]) != BitConverter.SingleToInt32Bits(y[i])) return i;
        return -1;
    }

    /// <summary>Runs one case through Gemm and the reference and asserts the tolerance; returns Gemm's C.</summary>
    private static float[] Check(Case spec)
    {
        var data = spec.Create();
        float[] actual = spec.Tier is GemmTier tier ? data.Run(tier, spec.Threads) : data.RunPublic();
        float[] expected = data.RunReference(out float[] bound);

        int first = -1;
        double largest = 0;
        int largestAt = -1;
        for (int i = 0; i < spec.M; i++)
        {
            for (int j = 0; j < spec.N; j++)
            {
                int idx = i * data.Ldc + j;
                double diff = Math.Abs((double)actual[idx] - expected[idx]);
                double tol = 4 * 1.2e-7 * (spec.K + 1) * bound[idx] + 1e-30;
                if (!(diff <= tol))
                {
                    if (first < 0) first = idx;
                    if (!(diff <= largest)) { largest = diff; largestAt = idx; }
                }
            }
        }
        if (first >= 0)
        {
            Assert.Fail($"{spec}: first difference at (row {first / data.Ldc}, col {first % data.Ldc}): " +
                $"got {actual[first]:R}, expected {expected[first]:R}; largest difference {largest:G4} at " +
                $"(row {largestAt / data.Ldc}, col {largestAt % data.Ldc}) (tolerance {4 * 1.2e-7 * (spec.K + 1) * bound[largestAt]:G3}).");
        }
        // Padding columns of C must be untouched.
        for (int i = 0; i < spec.M; i++)
            for (int j = spec.N; j < data.Ldc; j++)
                Assert.True(BitConverter.SingleToInt32Bits(actual[i * data.Ldc + j]) == BitConverter.SingleToInt32Bits(data.C0[i * data.Ldc + j]),
                    $"{spec}: padding C[{i},{j}] was written.");
        return actual;
    }

    /// <summary>One test case: shape, transposition, padding of leading dimensions, alpha/beta, tier and threads.</summary>
    private sealed record Case(int M, int N, int K, bool TransA, bool TransB)
    {
        public int PadA { get; init; }
        public int PadB { get; init; }
        public int PadC { get; init; }
        public float Alpha { get; init; } = 1.25f;
        public float Beta { get; init; }
        public float CFill { get; init; } = 0.75f;
        public GemmTier? Tier { get; init; }
        public int Threads { get; init; } = 1;

        public CaseData Create()
        {
            var rng = new Random(HashCode.Combine(M, N, K, TransA, TransB, PadA, PadB));
            int aRows = TransA ? K : M, aCols = TransA ? M : K;
            int bRows = TransB ? N : K, bCols = TransB ? K : N;
            int lda = aCols + PadA, ldb = bCols + PadB, ldc = N + PadC;
            float[] a = Matrix(rng, aRows, aCols, lda);
            float[] b = Matrix(rng, bRows, bCols, ldb);
            var c = new float[Math.Max(1, M * ldc)];
            for (int i = 0; i < c.Length; i++)
                c[i] = i % ldc < N ? (float.IsNaN(CFill) ? float.NaN : CFill * (float)(rng.NextDouble() * 2 - 1)) : -7f;
            return new CaseData(this, a, lda, b, ldb, c, ldc);
        }

        // Values in [-1, 1); padding (beyond the width) is NaN so any read of it poisons the result.
        private static float[] Matrix(Random rng, int rows, int cols, int ld)
        {
            var x = new float[Math.Max(1, (rows - 1) * ld + cols)];
            Array.Fill(x, float.NaN);
            for (int r = 0; r < rows; r++)
                for (int col = 0; col < cols; col++)
                    x[r * ld + col] = (float)(rng.NextDouble() * 2 - 1);
            return x;
        }
    }

    private sealed record CaseData(Case Spec, float[] A, int Lda, float[] B, int Ldb, float[] C0, int Ldc)
    {
        public float[] Run(GemmTier tier, int threads)
        {
            var c = (float[])C0.Clone();
            Gemm.Sgemm(tier, threads, Spec.TransA, Spec.TransB, Spec.M, Spec.N, Spec.K, Spec.Alpha, A, Lda, B, Ldb, Spec.Beta, c, Ldc);
            return c;
        }

        public float[] RunPublic()
        {
            var c = (float[])C0.Clone();
            Gemm.Sgemm(Spec.TransA, Spec.TransB, Spec.M, Spec.N, Spec.K, Spec.Alpha, A, Lda, B, Ldb, Spec.Beta, c, Ldc);
            return c;
        }

        /// <summary>Reference C, and per element the error scale |alpha|·Σ|a·b| + |beta·c|.</summary>
        public float[] RunReference(out float[] bound)
        {
            var c = (float[])C0.Clone();
            GemmReference.Sgemm(Spec.TransA, Spec.TransB, Spec.M, Spec.N, Spec.K, Spec.Alpha, A, Lda, B, Ldb, Spec.Beta, c, Ldc);
            bound = new float[C0.Length];
            float[] absA = Array.ConvertAll(A, MathF.Abs), absB = Array.ConvertAll(B, MathF.Abs);
            GemmReference.Sgemm(Spec.TransA, Spec.TransB, Spec.M, Spec.N, Spec.K, MathF.Abs(Spec.Alpha), absA, Lda, absB, Ldb, 0f, bound, Ldc);
            for (int i = 0; i < bound.Length; i++)
                bound[i] += Spec.Beta == 0 ? 0 : MathF.Abs(Spec.Beta * C0[i]);
            return c;
        }
    }

    /// <summary>A fact that is skipped (not faked) when the hardware does not accelerate the tier.</summary>
    private sealed class TierFactAttribute : FactAttribute
    {
        public TierFactAttribute(GemmTier tier)
        {
            if (!GemmTiers.IsSupported(tier))
                Skip = $"{tier} is not hardware-accelerated on this machine.";
        }
    }
}
