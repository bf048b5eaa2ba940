// GemmKernel512, right-edge strips: a right edge of at most 8 columns (a 14 × 14 image's 196 positions leave 4, a 7 × 7
// image's 49 one) computed for several row tiles at once with A's panels as the vectors — eight rows a Vector256 — and B's
// few columns broadcast: per k step 4 loads of A and up to 4 broadcasts for 16 FMAs (4 tiles, up to 4 columns), or 2 and
// up to 8 for 16 (2 tiles, 5-8 columns). The 8 x 16 kernel spends a load of B and 8 broadcasts per step on such an edge
// whatever its width, 9 loads (on a core that issues one a cycle) for 4 useful columns: a 4-column edge ran at a ninth of
// the peak. Every element is the same in-order sum of fused multiply-adds (lane r of a panel's vector is the row's A,
// the broadcast its B), stored through StoreMasked as the 8 x 16 kernel stores it: the same bits.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

internal readonly unsafe partial struct GemmKernel512
{
    /// <summary>Widest right edge <see cref="RunStrip"/> takes.</summary>
    public static int StripColumns => 8;

    /// <summary>Row tiles a strip of <paramref name="cols"/> columns computes at once (RunStrip takes a multiple of it).</summary>
    public static int StripTiles(int cols) => cols <= 4 ? 4 : 2;

    /// <summary>
    /// A right-edge strip (see <see cref="IGemmKernel.RunStrip"/>): <paramref name="tiles"/> packed A panels (a multiple of
    /// <see cref="StripTiles"/>) against the first <paramref name="cols"/> columns of one B panel, each row stored as
    /// <see cref="RunColumns"/> stores it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunStrip(int kc, float* a, int tiles, float* b, float* c, nint ldc, float alpha, float beta, GemmEpilogue* epilogue,
        int i0, int j0, bool addInitial, int cols)
    {
        int step = StripTiles(cols), width = cols <= 4 ? 4 : 8;
        float* sums = stackalloc float[4 * 8 * 4];
        float* row = stackalloc float[16];
        Vector512<float>.Zero.Store(row);
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).AsSingle();
        Vector512<float> va = Vector512.Create(alpha);
        for (int t0 = 0; t0 < tiles; t0 += step)
        {
            float* at = a + (nint)t0 * 8 * kc;
            switch (cols)
            {
                case 1: Four<One>(kc, at, b, sums); break;
                case 2: Four<Two2>(kc, at, b, sums); break;
                case 3: Four<Three>(kc, at, b, sums); break;
                case 4: Four<Four4>(kc, at, b, sums); break;
                default: Two8<Eight>(kc, at, b, sums); break;
            }
            for (int t = 0; t < step; t++)
                for (int r = 0; r < 8; r++)
                {
                    for (int j = 0; j < cols; j++) row[j] = sums[(t * width + j) * 8 + r];
                    int i = (t0 + t) * 8 + r;
                    StoreMasked(c + i * ldc, Vector512.Load(row), mask, va, beta, epilogue, i0 + i, j0, addInitial);
                }
        }
    }

    // How many of a strip kernel's columns are computed (the others' code is not generated).
    private interface IStripColumns { static abstract int Count { get; } }
    private readonly struct One : IStripColumns { public static int Count => 1; }
    private readonly struct Two2 : IStripColumns { public static int Count => 2; }
    private readonly struct Three : IStripColumns { public static int Count => 3; }
    private readonly struct Four4 : IStripColumns { public static int Count => 4; }
    private readonly struct Eight : IStripColumns { public static int Count => 8; }

    // 4 row tiles x up to 4 columns: 16 accumulators of 8 rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Four<TC>(int kc, float* a, float* b, float* sums) where TC : struct, IStripColumns
    {
        Vector256<float> s00 = default; Vector256<float> s01 = default; Vector256<float> s02 = default; Vector256<float> s03 = default;
        Vector256<float> s10 = default; Vector256<float> s11 = default; Vector256<float> s12 = default; Vector256<float> s13 = default;
        Vector256<float> s20 = default; Vector256<float> s21 = default; Vector256<float> s22 = default; Vector256<float> s23 = default;
        Vector256<float> s30 = default; Vector256<float> s31 = default; Vector256<float> s32 = default; Vector256<float> s33 = default;
        nint panel = (nint)8 * kc;
        for (int p = 0; p < kc; p++, a += 8, b += S)
        {
            Vector256<float> a0 = Vector256.Load(a + 0 * panel);
            Vector256<float> a1 = Vector256.Load(a + 1 * panel);
            Vector256<float> a2 = Vector256.Load(a + 2 * panel);
            Vector256<float> a3 = Vector256.Load(a + 3 * panel);
            {
                Vector256<float> x = Vector256.Create(b[0]);
                s00 = Vector256.FusedMultiplyAdd(a0, x, s00);
                s10 = Vector256.FusedMultiplyAdd(a1, x, s10);
                s20 = Vector256.FusedMultiplyAdd(a2, x, s20);
                s30 = Vector256.FusedMultiplyAdd(a3, x, s30);
            }
            if (TC.Count > 1) {
                Vector256<float> x = Vector256.Create(b[1]);
                s01 = Vector256.FusedMultiplyAdd(a0, x, s01);
                s11 = Vector256.FusedMultiplyAdd(a1, x, s11);
                s21 = Vector256.FusedMultiplyAdd(a2, x, s21);
                s31 = Vector256.FusedMultiplyAdd(a3, x, s31);
            }
            if (TC.Count > 2) {
                Vector256<float> x = Vector256.Create(b[2]);
                s02 = Vector256.FusedMultiplyAdd(a0, x, s02);
                s12 = Vector256.FusedMultiplyAdd(a1, x, s12);
                s22 = Vector256.FusedMultiplyAdd(a2, x, s22);
                s32 = Vector256.FusedMultiplyAdd(a3, x, s32);
            }
            if (TC.Count > 3) {
                Vector256<float> x = Vector256.Create(b[3]);
                s03 = Vector256.FusedMultiplyAdd(a0, x, s03);
                s13 = Vector256.FusedMultiplyAdd(a1, x, s13);
                s23 = Vector256.FusedMultiplyAdd(a2, x, s23);
                s33 = Vector256.FusedMultiplyAdd(a3, x, s33);
            }
        }
        // sums[t·8·Cols + j·8 + r]: panel t, column j, row r.
        s00.Store(sums + 0);
        if (TC.Count > 1) s01.Store(sums + 8);
        if (TC.Count > 2) s02.Store(sums + 16);
        if (TC.Count > 3) s03.Store(sums + 24);
        s10.Store(sums + 32);
        if (TC.Count > 1) s11.Store(sums + 40);
        if (TC.Count > 2) s12.Store(sums + 48);
        if (TC.Count > 3) s13.Store(sums + 56);
        s20.Store(sums + 64);
        if (TC.Count > 1) s21.Store(sums + 72);
        if (TC.Count > 2) s22.Store(sums + 80);
        if (TC.Count > 3) s23.Store(sums + 88);
        s30.Store(sums + 96);
        if (TC.Count > 1) s31.Store(sums + 104);
        if (TC.Count > 2) s32.Store(sums + 112);
        if (TC.Count > 3) s33.Store(sums + 120);
    }

    // 2 row tiles x 8 columns (columns past the edge read the panel's zero padding): 16 accumulators.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Two8<TC>(int kc, float* a, float* b, float* sums) where TC : struct, IStripColumns
    {
        Vector256<float> s00 = default; Vector256<float> s01 = default; Vector256<float> s02 = default; Vector256<float> s03 = default; Vector256<float> s04 = default; Vector256<float> s05 = default; Vector256<float> s06 = default; Vector256<float> s07 = default;
        Vector256<float> s10 = default; Vector256<float> s11 = default; Vector256<float> s12 = default; Vector256<float> s13 = default; Vector256<float> s14 = default; Vector256<float> s15 = default; Vector256<float> s16 = default; Vector256<float> s17 = default;
        nint panel = (nint)8 * kc;
        for (int p = 0; p < kc; p++, a += 8, b += S)
        {
            Vector256<float> a0 = Vector256.Load(a + 0 * panel);
            Vector256<float> a1 = Vector256.Load(a + 1 * panel);
            {
                Vector256<float> x = Vector256.Create(b[0]);
                s00 = Vector256.FusedMultiplyAdd(a0, x, s00);
                s10 = Vector256.FusedMultiplyAdd(a1, x, s10);
            }
            if (TC.Count > 1) {
                Vector256<float> x = Vector256.Create(b[1]);
                s01 = Vector256.FusedMultiplyAdd(a0, x, s01);
                s11 = Vector256.FusedMultiplyAdd(a1, x, s11);
            }
            if (TC.Count > 2) {
                Vector256<float> x = Vector256.Create(b[2]);
                s02 = Vector256.FusedMultiplyAdd(a0, x, s02);
                s12 = Vector256.FusedMultiplyAdd(a1, x, s12);
            }
            if (TC.Count > 3) {
                Vector256<float> x = Vector256.Create(b[3]);
                s03 = Vector256.FusedMultiplyAdd(a0, x, s03);
                s13 = Vector256.FusedMultiplyAdd(a1, x, s13);
            }
            if (TC.Count > 4) {
                Vector256<float> x = Vector256.Create(b[4]);
                s04 = Vector256.FusedMultiplyAdd(a0, x, s04);
                s14 = Vector256.FusedMultiplyAdd(a1, x, s14);
            }
            if (TC.Count > 5) {
                Vector256<float> x = Vector256.Create(b[5]);
                s05 = Vector256.FusedMultiplyAdd(a0, x, s05);
                s15 = Vector256.FusedMultiplyAdd(a1, x, s15);
            }
            if (TC.Count > 6) {
                Vector256<float> x = Vector256.Create(b[6]);
                s06 = Vector256.FusedMultiplyAdd(a0, x, s06);
                s16 = Vector256.FusedMultiplyAdd(a1, x, s16);
            }
            if (TC.Count > 7) {
                Vector256<float> x = Vector256.Create(b[7]);
                s07 = Vector256.FusedMultiplyAdd(a0, x, s07);
                s17 = Vector256.FusedMultiplyAdd(a1, x, s17);
            }
        }
        // sums[t·8·Cols + j·8 + r]: panel t, column j, row r.
        s00.Store(sums + 0);
        if (TC.Count > 1) s01.Store(sums + 8);
        if (TC.Count > 2) s02.Store(sums + 16);
        if (TC.Count > 3) s03.Store(sums + 24);
        if (TC.Count > 4) s04.Store(sums + 32);
        if (TC.Count > 5) s05.Store(sums + 40);
        if (TC.Count > 6) s06.Store(sums + 48);
        if (TC.Count > 7) s07.Store(sums + 56);
        s10.Store(sums + 64);
        if (TC.Count > 1) s11.Store(sums + 72);
        if (TC.Count > 2) s12.Store(sums + 80);
        if (TC.Count > 3) s13.Store(sums + 88);
        if (TC.Count > 4) s14.Store(sums + 96);
        if (TC.Count > 5) s15.Store(sums + 104);
        if (TC.Count > 6) s16.Store(sums + 112);
        if (TC.Count > 7) s17.Store(sums + 120);
    }
}
