// IGemmKernel.RunPanels (a row of full tiles in one call) against RunColumns on each tile, bit for bit, for the kernels
// this host runs: every epilogue the Vector256 kernel stores through a kind fixed at JIT time (bias per row or per
// column, with or without the residual, with or without the clamp) and the ones it leaves to the general per-row path
// (no bias, β ≠ 0, an upper bound of −0 that needs the IEEE clamp, the initial values not added), alpha 1 and not, A
// packed and read in place, inputs with NaN, ±∞ and signed zeros (a zero row of A and −0 biases and residuals, so a
// sum of −0 reaches the clamp, whose native form must give +0 there).
using System.Runtime.Intrinsics;
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public unsafe class GemmKernelPanelsTests
{
    public static TheoryData<bool, bool, bool, float, float, float, float, bool> Epilogues
    {
        get
        {
            var data = new TheoryData<bool, bool, bool, float, float, float, float, bool>();
            foreach (bool perColumn in new[] { false, true })
                foreach (bool residual in new[] { false, true })
                    foreach (var (lo, hi) in new[] { (float.NegativeInfinity, float.PositiveInfinity), (0f, 6f), (-1f, -0f) })
                    {
                        data.Add(perColumn, true, residual, lo, hi, 1f, 0f, true);   // the hoisted kinds (and their IEEE-clamp twin)
                        data.Add(perColumn, true, residual, lo, hi, -1f, 0f, true);  // ... with −0 products (A's zero row, alpha −1)
                        data.Add(perColumn, true, residual, lo, hi, 0.5f, 1f, true); // β ≠ 0: the general path
                    }
            data.Add(false, false, false, 0f, 6f, 1f, 0f, true);  // no bias
            data.Add(true, true, true, 0f, 6f, 1f, 1f, false);    // initial values written earlier: clamp only
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Epilogues))]
    public void A_row_of_tiles_equals_each_tile_alone_bit_for_bit(bool perColumn, bool withBias, bool withResidual, float lo, float hi,
        float alpha, float beta, bool addInitial)
    {
        if (Vector256.IsHardwareAccelerated)
            Check<GemmKernel256>(perColumn, withBias, withResidual, lo, hi, alpha, beta, addInitial);
        if (Vector512.IsHardwareAccelerated)
            Check<GemmKernel512>(perColumn, withBias, withResidual, lo, hi, alpha, beta, addInitial);
    }

    [Theory]
    [MemberData(nameof(Epilogues))]
    public void A_right_edge_strip_equals_each_tile_alone_bit_for_bit(bool perColumn, bool withBias, bool withResidual, float lo, float hi,
        float alpha, float beta, bool addInitial)
    {
        if (!Vector512.IsHardwareAccelerated) return; // the strips are the AVX-512 kernel's (CI's first pass runs them)
        int mr = GemmKernel512.Mr, nr = GemmKernel512.Nr;
        for (int cols = 1; cols <= GemmKernel512.StripColumns; cols++)
        {
            int tiles = 2 * GemmKernel512.StripTiles(cols), m = tiles * mr, ldc = cols + 5, ldr = cols + 3;
            var rng = new Random(cols);
            float[] bias = Values(rng, perColumn ? cols : m), residual = Values(rng, m * ldr);
            for (int i = 0; i < bias.Length; i += 3) bias[i] = -0f;
            if (withResidual)
                for (int i = 0; i < residual.Length; i += 2) residual[i] = -0f;
            foreach (int kc in new[] { 1, 7, 33 })
            {
                // Packed A panels (row 1 of each a zero row), one B panel whose columns past the edge are not zero.
                float[] a = Values(rng, m * kc), b = Values(rng, kc * nr);
                for (int t = 0; t < tiles; t++)
                    for (int p = 0; p < kc; p++) a[t * mr * kc + p * mr + 1] = p % 2 == 0 ? 0f : -0f;
                float[] c0 = Values(rng, m * ldc), expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
                fixed (float* pa = a, pb = b, pbias = bias, pres = residual, pe = expected, pc = actual)
                {
                    var epilogue = new GemmEpilogue(withBias ? pbias : null, withResidual ? pres : null, ldr, lo, hi, biasPerColumn: perColumn);
                    var e = &epilogue;
                    for (int t = 0; t < tiles; t++)
                        GemmKernel512.RunColumns(kc, pa + t * mr * kc, 0, false, pb, pe + t * mr * ldc, ldc, alpha, beta, e, t * mr, 0, addInitial, cols);
                    GemmKernel512.RunStrip(kc, pa, tiles, pb, pc, ldc, alpha, beta, e, 0, 0, addInitial, cols);
                }
                Assert.True(Same(expected, actual, out int at),
                    $"{cols} columns, kc {kc}, bias {(withBias ? perColumn ? "per column" : "per row" : "none")}, residual {withResidual}, [{lo}, {hi}], alpha {alpha}, beta {beta}: first difference at {at}");
            }
        }
    }

    [Fact]
    public void Without_an_epilogue_a_row_of_tiles_equals_each_tile_alone()
    {
        if (Vector256.IsHardwareAccelerated) CheckPlain<GemmKernel256>();
        if (Vector512.IsHardwareAccelerated) CheckPlain<GemmKernel512>();
    }

    private static void Check<TK>(bool perColumn, bool withBias, bool withResidual, float lo, float hi, float alpha, float beta, bool addInitial)
        where TK : struct, IGemmKernel
    {
        int mr = TK.Mr, nr = TK.Nr, count = 3, n = count * nr, ldc = n + 5, ldr = n + 3;
        var rng = new Random(perColumn ? 7 : 11);
        float[] bias = Values(rng, perColumn ? n : mr), residual = Values(rng, mr * ldr);
        for (int i = 0; i < bias.Length; i += 3) bias[i] = -0f; // −0 + −0 is the one sum the native clamp's fix must turn into +0
        if (withResidual)
            for (int i = 0; i < residual.Length; i += 2) residual[i] = -0f;
        foreach (int kc in new[] { 1, 7, 16, 33 })
            foreach (bool rowsA in new[] { false, true })
            {
                var (a, lda, b) = Operands<TK>(rng, kc, count, rowsA);
                float[] c0 = Values(rng, mr * ldc), expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
                fixed (float* pa = a, pb = b, pbias = bias, pres = residual, pe = expected, pc = actual)
                {
                    var epilogue = new GemmEpilogue(withBias ? pbias : null, withResidual ? pres : null, ldr, lo, hi, biasPerColumn: perColumn);
                    var e = &epilogue;
                    for (int t = 0; t < count; t++)
                        TK.RunColumns(kc, pa, lda, rowsA, pb + (nint)t * kc * nr, pe + t * nr, ldc, alpha, beta, e, 0, t * nr, addInitial, nr);
                    // With lines to prefetch (here B's own): a hint, so the same bits.
                    TK.RunPanels(kc, pa, lda, rowsA, pb, count, pc, ldc, alpha, beta, e, 0, 0, addInitial, (nint)pb, ((nint)(pb + b.Length) - 1) & ~(nint)63);
                }
                Assert.True(Same(expected, actual, out int at),
                    $"{typeof(TK).Name} kc {kc}, A {(rowsA ? "in place" : "packed")}, bias {(withBias ? perColumn ? "per column" : "per row" : "none")}, residual {withResidual}, [{lo}, {hi}], alpha {alpha}, beta {beta}: first difference at {at}");
            }
    }

    private static void CheckPlain<TK>() where TK : struct, IGemmKernel
    {
        int mr = TK.Mr, nr = TK.Nr, count = 2, ldc = count * nr;
        var rng = new Random(5);
        foreach (bool rowsA in new[] { false, true })
        {
            var (a, lda, b) = Operands<TK>(rng, 9, count, rowsA);
            float[] expected = Values(rng, mr * ldc), actual = (float[])expected.Clone();
            fixed (float* pa = a, pb = b, pe = expected, pc = actual)
            {
                for (int t = 0; t < count; t++)
                    TK.RunColumns(9, pa, lda, rowsA, pb + (nint)t * 9 * nr, pe + t * nr, ldc, 2f, 0.5f, null, 0, t * nr, false, nr);
                TK.RunPanels(9, pa, lda, rowsA, pb, count, pc, ldc, 2f, 0.5f, null, 0, 0, false, 0, 0);
            }
            Assert.True(Same(expected, actual, out int at), $"{typeof(TK).Name}, A {(rowsA ? "in place" : "packed")}: first difference at {at}");
        }
    }

    // A: Mr rows of kc (row-major with lda = kc + 3 when read in place, else a packed panel: kc steps of Mr); B: `count`
    // consecutive panels of kc steps of Nr.
    private static (float[] A, nint Lda, float[] B) Operands<TK>(Random rng, int kc, int count, bool rowsA) where TK : struct, IGemmKernel
    {
        int mr = TK.Mr, nr = TK.Nr, lda = rowsA ? kc + 3 : 0;
        float[] a = Values(rng, rowsA ? mr * lda : mr * kc), b = Values(rng, count * kc * nr);
        // Row 1 of A is zeros: its products sum to +0, −0 after alpha −1.
        for (int p = 0; p < kc; p++) a[rowsA ? lda + p : p * mr + 1] = p % 2 == 0 ? 0f : -0f;
        return (a, lda, b);
    }

    // Mostly ordinary values, some NaN, ±∞, ±0.
    private static float[] Values(Random rng, int length)
    {
        var v = new float[length];
        for (int i = 0; i < length; i++)
            v[i] = rng.Next(40) switch
            {
                0 => float.NaN,
                1 => float.PositiveInfinity,
                2 => float.NegativeInfinity,
                3 => 0f,
                4 => -0f,
                _ => (float)(rng.NextDouble() * 4 - 2),
            };
        return v;
    }

    private static bool Same(float[] x, float[] y, out int at)
    {
        for (at = 0; at < x.Length; at++)
            if (BitConverter.SingleToInt32Bits(x[at]) != BitConverter.SingleToInt32Bits(y[at])) return false;
        at = -1;
        return true;
    }
}
