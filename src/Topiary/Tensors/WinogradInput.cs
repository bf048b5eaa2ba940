// WinogradInput: the input transform V = Bᵀ d B of Winograd F(m×m, 3×3) for one input channel and one row of tiles,
// d the α×α input window of a tile (α = m + 2; tile j of tile row r reads rows m·r − PT .., columns m·j − PL ..; zero
// outside the image), written as V[ξ][ch][tile] (ξ = a·α + b; tiles of a channel contiguous: the [C × tiles] A operand of
// the GEMMs, read transposed).
//   F(2, 3): Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//   F(4, 3): Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
// A channel is transformed for a whole block of tile rows at once: each input row the block reads is split once by
// column phase (padded column m·j + q: phase q, index j — Stride2 for m = 2, a two-level narrowing split for m = 4), so
// neighbouring tiles read neighbouring floats and tile rows share the rows they overlap on. 8 tiles are transformed at
// once in Vector256 lanes; a tile row's last vector may run past its end (the extra lanes read zero padding and write
// into the next row's tiles, rewritten just after, or into the padding of V's rows: V's row stride is at least the
// block's tiles + 8). The scalar twin (machines without vectors, and the tests) does the same operations in the same
// order, so every lane equals its scalar result.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Winograd input transforms, one tile row of one channel at a time.</summary>
internal static class WinogradInput
{
    [ThreadStatic] private static float[]? t_rows;
    [ThreadStatic] private static float[]? t_line;

    /// <summary>
    /// V[ξ][<paramref name="ch"/>][t] for the tiles t of tile rows [<paramref name="r0"/>, <paramref name="r1"/>) of the
    /// batch flattened (tile row R: image R / TY, row R % TY; tile t = (R − r0)·TX + j), the images [C, H, W] one after
    /// another from <paramref name="inputOffset"/>; V's rows are <paramref name="ldv"/> ≥ tiles + 8 floats apart, its
    /// planes ξ <paramref name="plane"/> ≥ C·ldv.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformChannel(int tileSize, float[] input, int inputOffset, in Conv2dGeometry g, int ch, int r0, int r1,
        float[] v, int ldv, long plane, bool vectors = true)
    {
        int m = tileSize, h = g.Height, w = g.Width, pt = g.PadTop, c = g.Channels;
        int tx = (g.OutW + m - 1) / m, ty = (g.OutH + m - 1) / m;
        int half = (tx + 7) / 8 * 8 + 8;      // phase length: every 8-tile vector (and its +1 shift) reads inside
        int rowFloats = m * half;            // one input row: m phases
        bool vec = vectors && Vector256.IsHardwareAccelerated;
        float[] line = ScratchArray.Grow(ref t_line, rowFloats + 16);
        for (int seg = r0; seg < r1;)
        {
            // A run of tile rows [ra, rb) of one image: its input rows m·ra − PT .. m·(rb − 1) − PT + α − 1.
            int image = seg / ty, ra = seg % ty, rb = Math.Min(ty, ra + (r1 - seg));
            int inputRows = m * (rb - ra) + 2, base0 = m * ra - pt;
            float[] rows = ScratchArray.Grow(ref t_rows, (long)inputRows * rowFloats);
            var plane0 = input.AsSpan(inputOffset + image * g.ImageSize + ch * h * w, h * w);
            for (int k = 0; k < inputRows; k++)
            {
                int ih = base0 + k;
                var phases = rows.AsSpan(k * rowFloats, rowFloats);
                if ((uint)ih >= (uint)h) phases.Clear();
                else SplitPhases(plane0.Slice(ih * w, w), g.PadLeft, m, half, line, phases, vec);
            }
            for (int r = ra; r < rb; r++)
            {
                int rowOff = m * (r - ra) * rowFloats;
                long at0 = (long)ch * ldv + (long)(seg - r0 + r - ra) * tx;
                if (m == 2)
                {
                    if (vec) for (int j = 0; j < tx; j += 8) Tiles2x8(rows, rowOff, half, j, v, plane, at0 + j);
                    else for (int j = 0; j < tx; j++) Tile2(rows, rowOff, half, j, v, plane, at0 + j);
                }
                else
                {
                    if (vec) for (int j = 0; j < tx; j += 8) Tiles4x8(rows, rowOff, half, j, v, plane, at0 + j);
                    else for (int j = 0; j < tx; j++) Tile4(rows, rowOff, half, j, v, plane, at0 + j);
                }
            }
            seg += rb - ra;
        }
    }

    // phases[q·half + j] = row[m·j + q − pl] (0 outside the row), q < m, j < half: through a zero-padded copy of the row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitPhases(ReadOnlySpan<float> row, int pl, int m, int half, float[] line, Span<float> phases, bool vectors)
    {
        int length = m * half + 16;
        var l = line.AsSpan(0, length);
        int copied = Math.Min(row.Length, length - pl);
        l[..pl].Clear();
        row[..copied].CopyTo(l[pl..]);
        l[(pl + copied)..].Clear();
        if (m == 2)
        {
            Stride2.Gather(l, phases[..half]);
            Stride2.Gather(l[1..], phases.Slice(half, half));
            return;
        }
        int j = 0;
        if (vectors)
        {
            // 32 floats → 8 of each phase: narrow 64-bit pairs to their first float (even positions) or, shifted, their
            // second (odd), twice.
            ref ulong pairs = ref Unsafe.As<float, ulong>(ref line[0]);
            ref uint dst = ref Unsafe.As<float, uint>(ref phases[0]);
            for (; j + 8 <= half; j += 8)
            {
                var a = Vector256.LoadUnsafe(ref pairs, (nuint)(2 * j));
                var b = Vector256.LoadUnsafe(ref pairs, (nuint)(2 * j + 4));
                var c = Vector256.LoadUnsafe(ref pairs, (nuint)(2 * j + 8));
                var d = Vector256.LoadUnsafe(ref pairs, (nuint)(2 * j + 12));
                var even0 = Vector256.Narrow(a, b).AsUInt64();
                var even1 = Vector256.Narrow(c, d).AsUInt64();
                var odd0 = Vector256.Narrow(a >>> 32, b >>> 32).AsUInt64();
                var odd1 = Vector256.Narrow(c >>> 32, d >>> 32).AsUInt64();
                Vector256.Narrow(even0, even1).StoreUnsafe(ref dst, (nuint)j);
                Vector256.Narrow(odd0, odd1).StoreUnsafe(ref dst, (nuint)(half + j));
                Vector256.Narrow(even0 >>> 32, even1 >>> 32).StoreUnsafe(ref dst, (nuint)(2 * half + j));
                Vector256.Narrow(odd0 >>> 32, odd1 >>> 32).StoreUnsafe(ref dst, (nuint)(3 * half + j));
            }
        }
        for (; j < half; j++)
            for (int q = 0; q < 4; q++) phases[q * half + j] = line[4 * j + q];
    }

    // ---- F(2×2, 3×3) -------------------------------------------------------------------------------------------

    // Bᵀ d B for the 8 tiles j..j+7 (the same operations, in the same order, as Tile2); V[ξ][·] at ξ·plane + at.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles2x8(float[] rows, int rowOff, int half, int j, float[] v, long plane, long at)
    {
        Vector256<float> E(int k, int shift) => Vector256.LoadUnsafe(ref rows[0], (nuint)(rowOff + 2 * k * half + j + shift));
        Vector256<float> O(int k, int shift) => Vector256.LoadUnsafe(ref rows[0], (nuint)(rowOff + (2 * k + 1) * half + j + shift));
        // Row combinations b = Bᵀ d at columns j (E, O) and j + 1 (En, On).
        var e0 = E(0, 0); var e1 = E(1, 0); var e2 = E(2, 0); var e3 = E(3, 0);
        var en0 = E(0, 1); var en1 = E(1, 1); var en2 = E(2, 1); var en3 = E(3, 1);
        var o0 = O(0, 0); var o1 = O(1, 0); var o2 = O(2, 0); var o3 = O(3, 0);
        var on0 = O(0, 1); var on1 = O(1, 1); var on2 = O(2, 1); var on3 = O(3, 1);
        Store2x8(e0 - e2, en0 - en2, o0 - o2, on0 - on2, v, 0, plane, at);
        Store2x8(e1 + e2, en1 + en2, o1 + o2, on1 + on2, v, 4, plane, at);
        Store2x8(e2 - e1, en2 - en1, o2 - o1, on2 - on1, v, 8, plane, at);
        Store2x8(e1 - e3, en1 - en3, o1 - o3, on1 - on3, v, 12, plane, at);
    }

    // Column combinations of one row combination: v0 = E − En, v1 = O + En, v2 = En − O, v3 = O − On.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2x8(Vector256<float> e, Vector256<float> en, Vector256<float> o, Vector256<float> on, float[] v, int xi0,
        long plane, long at)
    {
        ref float v0 = ref v[0];
        (e - en).StoreUnsafe(ref v0, (nuint)(xi0 * plane + at));
        (o + en).StoreUnsafe(ref v0, (nuint)((xi0 + 1) * plane + at));
        (en - o).StoreUnsafe(ref v0, (nuint)((xi0 + 2) * plane + at));
        (o - on).StoreUnsafe(ref v0, (nuint)((xi0 + 3) * plane + at));
    }

    // Bᵀ d B for tile j (the scalar twin of Tiles2x8).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile2(float[] rows, int rowOff, int half, int j, float[] v, long plane, long at)
    {
        float E(int k, int shift) => rows[rowOff + 2 * k * half + j + shift];
        float O(int k, int shift) => rows[rowOff + (2 * k + 1) * half + j + shift];
        Span<float> e = stackalloc float[4], en = stackalloc float[4], o = stackalloc float[4], on = stackalloc float[4];
        // b0 = d0 − d2, b1 = d1 + d2, b2 = d2 − d1, b3 = d1 − d3
        e[0] = E(0, 0) - E(2, 0); en[0] = E(0, 1) - E(2, 1); o[0] = O(0, 0) - O(2, 0); on[0] = O(0, 1) - O(2, 1);
        e[1] = E(1, 0) + E(2, 0); en[1] = E(1, 1) + E(2, 1); o[1] = O(1, 0) + O(2, 0); on[1] = O(1, 1) + O(2, 1);
        e[2] = E(2, 0) - E(1, 0); en[2] = E(2, 1) - E(1, 1); o[2] = O(2, 0) - O(1, 0); on[2] = O(2, 1) - O(1, 1);
        e[3] = E(1, 0) - E(3, 0); en[3] = E(1, 1) - E(3, 1); o[3] = O(1, 0) - O(3, 0); on[3] = O(1, 1) - O(3, 1);
        for (int k = 0; k < 4; k++)
        {
            v[(4 * k + 0) * plane + at] = e[k] - en[k];
            v[(4 * k + 1) * plane + at] = o[k] + en[k];
            v[(4 * k + 2) * plane + at] = en[k] - o[k];
            v[(4 * k + 3) * plane + at] = o[k] - on[k];
        }
    }

    // ---- F(4×4, 3×3) -------------------------------------------------------------------------------------------

    // Bᵀ x for one column (or row) of 6: the F(4, 3) input transform in one dimension (fused multiply-adds: the scalar
    // twin's MathF.FusedMultiplyAdd rounds exactly as the vector instruction).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void B6(Vector256<float> d0, Vector256<float> d1, Vector256<float> d2, Vector256<float> d3, Vector256<float> d4, Vector256<float> d5,
        out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3, out Vector256<float> o4, out Vector256<float> o5)
    {
        var s12 = d1 + d2; var m12 = d1 - d2; var d31 = d3 - d1; var d42 = d4 - d2;
        var four = Vector256.Create(4f); var five = Vector256.Create(-5f); var two = Vector256.Create(2f);
        o0 = Vector256.FusedMultiplyAdd(d0, four, Vector256.FusedMultiplyAdd(d2, five, d4));
        o1 = Vector256.FusedMultiplyAdd(s12, -four, d3 + d4);
        o2 = Vector256.FusedMultiplyAdd(m12, four, d4 - d3);
        o3 = Vector256.FusedMultiplyAdd(d31, two, d42);
        o4 = Vector256.FusedMultiplyAdd(d31, -two, d42);
        o5 = Vector256.FusedMultiplyAdd(d1, four, Vector256.FusedMultiplyAdd(d3, five, d5));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void B6(float d0, float d1, float d2, float d3, float d4, float d5,
        out float o0, out float o1, out float o2, out float o3, out float o4, out float o5)
    {
        float s12 = d1 + d2, m12 = d1 - d2, d31 = d3 - d1, d42 = d4 - d2;
        o0 = MathF.FusedMultiplyAdd(d0, 4f, MathF.FusedMultiplyAdd(d2, -5f, d4));
        o1 = MathF.FusedMultiplyAdd(s12, -4f, d3 + d4);
        o2 = MathF.FusedMultiplyAdd(m12, 4f, d4 - d3);
        o3 = MathF.FusedMultiplyAdd(d31, 2f, d42);
        o4 = MathF.FusedMultiplyAdd(d31, -2f, d42);
        o5 = MathF.FusedMultiplyAdd(d1, 4f, MathF.FusedMultiplyAdd(d3, -5f, d5));
    }

    // Bᵀ d B for the 8 tiles j..j+7: columns first (t = Bᵀ d, column c read from phase c mod 4 shifted by c / 4), then
    // the rows of t, each stored as 8 consecutive tiles of V[a·6 + b][ch].
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles4x8(float[] rows, int rowOff, int half, int j, float[] v, long plane, long at)
    {
        ref float r0 = ref rows[0];
        Span<Vector256<float>> tt = stackalloc Vector256<float>[36];
        nuint step = (nuint)(4 * half);
        for (int col = 0; col < 6; col++)
        {
            nuint a = (nuint)(rowOff + (col & 3) * half + j + (col >> 2));
            B6(Vector256.LoadUnsafe(ref r0, a), Vector256.LoadUnsafe(ref r0, a + step), Vector256.LoadUnsafe(ref r0, a + 2 * step),
                Vector256.LoadUnsafe(ref r0, a + 3 * step), Vector256.LoadUnsafe(ref r0, a + 4 * step), Vector256.LoadUnsafe(ref r0, a + 5 * step),
                out tt[col], out tt[6 + col], out tt[12 + col], out tt[18 + col], out tt[24 + col], out tt[30 + col]);
        }
        ref float v0 = ref v[0];
        for (int a = 0; a < 6; a++)
        {
            B6(tt[6 * a], tt[6 * a + 1], tt[6 * a + 2], tt[6 * a + 3], tt[6 * a + 4], tt[6 * a + 5],
                out var x0, out var x1, out var x2, out var x3, out var x4, out var x5);
            long p = 6 * a * plane + at;
            x0.StoreUnsafe(ref v0, (nuint)p);
            x1.StoreUnsafe(ref v0, (nuint)(p + plane));
            x2.StoreUnsafe(ref v0, (nuint)(p + 2 * plane));
            x3.StoreUnsafe(ref v0, (nuint)(p + 3 * plane));
            x4.StoreUnsafe(ref v0, (nuint)(p + 4 * plane));
            x5.StoreUnsafe(ref v0, (nuint)(p + 5 * plane));
        }
    }

    // Bᵀ d B for tile j (the scalar twin of Tiles4x8).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4(float[] rows, int rowOff, int half, int j, float[] v, long plane, long at)
    {
        Span<float> tt = stackalloc float[36];
        int step = 4 * half;
        for (int col = 0; col < 6; col++)
        {
            int a = rowOff + (col & 3) * half + j + (col >> 2);
            B6(rows[a], rows[a + step], rows[a + 2 * step], rows[a + 3 * step], rows[a + 4 * step], rows[a + 5 * step],
                out tt[col], out tt[6 + col], out tt[12 + col], out tt[18 + col], out tt[24 + col], out tt[30 + col]);
        }
        for (int a = 0; a < 6; a++)
        {
            B6(tt[6 * a], tt[6 * a + 1], tt[6 * a + 2], tt[6 * a + 3], tt[6 * a + 4], tt[6 * a + 5],
                out var x0, out var x1, out var x2, out var x3, out var x4, out var x5);
            long p = 6 * a * plane + at;
            v[p] = x0;
            v[p + plane] = x1;
            v[p + 2 * plane] = x2;
            v[p + 3 * plane] = x3;
            v[p + 4 * plane] = x4;
            v[p + 5 * plane] = x5;
        }
    }
}
