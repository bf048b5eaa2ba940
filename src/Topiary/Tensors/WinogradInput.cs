// WinogradInput: the input transform V = Bᵀ d B of Winograd F(m×m, 3×3) for one input channel and one row of tiles,
// d the α×α input window of a tile (α = m + 2; tile j of tile row r reads rows m·r − PT .., columns m·j − PL ..; zero
// outside the image), written as V[ξ][ch][tile] (ξ = a·α + b; tiles of a channel contiguous: the [C × tiles] A operand of
// the GEMMs, read transposed).
//   F(2, 3): Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//   F(4, 3): Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
// The window's rows are first split by column phase (column m·j + q, q < m: phase q, index j — Stride2 for m = 2, a
// stride-4 split for m = 4), so neighbouring tiles read neighbouring floats: 8 tiles are transformed at once in
// Vector256 lanes (Vector128 for 4), with a scalar twin for the tail and for machines without vectors — the same
// operations in the same order, so every lane equals its scalar result.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Winograd input transforms, one tile row of one channel at a time.</summary>
internal static class WinogradInput
{
    [ThreadStatic] private static float[]? t_rows;

    /// <summary>
    /// V[ξ][<paramref name="ch"/>][tile0 + j] for the tiles j of tile row <paramref name="r"/> of the image at
    /// <paramref name="imageOffset"/>; <paramref name="tiles"/> is V's row length (tiles of the block).
    /// </summary>
    public static void TransformRow(int tileSize, float[] input, int imageOffset, in Conv2dGeometry g, int ch, int r,
        float[] v, int tiles, int tile0, bool vectors = true)
    {
        if (tileSize == 2) TransformRow2(input, imageOffset, g, ch, r, v, tiles, tile0, vectors);
        else TransformRow4(input, imageOffset, g, ch, r, v, tiles, tile0, vectors);
    }

    // ---- F(2×2, 3×3) -------------------------------------------------------------------------------------------

    private static void TransformRow2(float[] input, int imageOffset, in Conv2dGeometry g, int ch, int r, float[] v, int t, int tile0, bool vectors)
    {
        int h = g.Height, w = g.Width, pt = g.PadTop, pl = g.PadLeft, c = g.Channels;
        int tx = (g.OutW + 1) / 2, half = tx + 1;
        // Row k's even columns at 2k·half, odd at (2k + 1)·half (padded column −pl is index 0 of even).
        float[] rows = ScratchArray.Grow(ref t_rows, 8 * half);
        var plane = input.AsSpan(imageOffset + ch * h * w, h * w);
        for (int k = 0; k < 4; k++)
        {
            int ih = 2 * r - pt + k;
            var even = rows.AsSpan(2 * k * half, half);
            var odd = rows.AsSpan((2 * k + 1) * half, half);
            if ((uint)ih >= (uint)h)
            {
                even.Clear();
                odd.Clear();
                continue;
            }
            var src = plane.Slice(ih * w, w);
            Split(src, pl, 2, 0, even);
            Split(src, pl, 2, 1, odd);
        }
        int j = 0;
        if (vectors && Vector256.IsHardwareAccelerated)
            for (; j + 8 <= tx; j += 8) Tiles2x8(rows, half, j, v, c, t, ch, tile0 + j);
        for (; j < tx; j++) Tile2(rows, half, j, v, c, t, ch, tile0 + j);
    }

    // Bᵀ d B for the 8 tiles j..j+7 (the same operations, in the same order, as Tile2).
    private static void Tiles2x8(float[] rows, int half, int j, float[] v, int c, int t, int ch, int tile)
    {
        Vector256<float> E(int k, int shift) => Vector256.LoadUnsafe(ref rows[0], (nuint)(2 * k * half + j + shift));
        Vector256<float> O(int k, int shift) => Vector256.LoadUnsafe(ref rows[0], (nuint)((2 * k + 1) * half + j + shift));
        // Row combinations b = Bᵀ d at columns j (E, O) and j + 1 (En, On).
        var e0 = E(0, 0); var e1 = E(1, 0); var e2 = E(2, 0); var e3 = E(3, 0);
        var en0 = E(0, 1); var en1 = E(1, 1); var en2 = E(2, 1); var en3 = E(3, 1);
        var o0 = O(0, 0); var o1 = O(1, 0); var o2 = O(2, 0); var o3 = O(3, 0);
        var on0 = O(0, 1); var on1 = O(1, 1); var on2 = O(2, 1); var on3 = O(3, 1);
        Store2x8(e0 - e2, en0 - en2, o0 - o2, on0 - on2, v, 0, c, t, ch, tile);
        Store2x8(e1 + e2, en1 + en2, o1 + o2, on1 + on2, v, 4, c, t, ch, tile);
        Store2x8(e2 - e1, en2 - en1, o2 - o1, on2 - on1, v, 8, c, t, ch, tile);
        Store2x8(e1 - e3, en1 - en3, o1 - o3, on1 - on3, v, 12, c, t, ch, tile);
    }

    // Column combinations of one row combination: v0 = E − En, v1 = O + En, v2 = En − O, v3 = O − On.
    private static void Store2x8(Vector256<float> e, Vector256<float> en, Vector256<float> o, Vector256<float> on, float[] v, int xi0,
        int c, int t, int ch, int tile)
    {
        ref float v0 = ref v[0];
        (e - en).StoreUnsafe(ref v0, (nuint)(((long)(xi0 + 0) * c + ch) * t + tile));
        (o + en).StoreUnsafe(ref v0, (nuint)(((long)(xi0 + 1) * c + ch) * t + tile));
        (en - o).StoreUnsafe(ref v0, (nuint)(((long)(xi0 + 2) * c + ch) * t + tile));
        (o - on).StoreUnsafe(ref v0, (nuint)(((long)(xi0 + 3) * c + ch) * t + tile));
    }

    // Bᵀ d B for tile j (the scalar twin of Tiles2x8, and its tail).
    private static void Tile2(float[] rows, int half, int j, float[] v, int c, int t, int ch, int tile)
    {
        float E(int k, int shift) => rows[2 * k * half + j + shift];
        float O(int k, int shift) => rows[(2 * k + 1) * half + j + shift];
        Span<float> e = stackalloc float[4], en = stackalloc float[4], o = stackalloc float[4], on = stackalloc float[4];
        // b0 = d0 − d2, b1 = d1 + d2, b2 = d2 − d1, b3 = d1 − d3
        e[0] = E(0, 0) - E(2, 0); en[0] = E(0, 1) - E(2, 1); o[0] = O(0, 0) - O(2, 0); on[0] = O(0, 1) - O(2, 1);
        e[1] = E(1, 0) + E(2, 0); en[1] = E(1, 1) + E(2, 1); o[1] = O(1, 0) + O(2, 0); on[1] = O(1, 1) + O(2, 1);
        e[2] = E(2, 0) - E(1, 0); en[2] = E(2, 1) - E(1, 1); o[2] = O(2, 0) - O(1, 0); on[2] = O(2, 1) - O(1, 1);
        e[3] = E(1, 0) - E(3, 0); en[3] = E(1, 1) - E(3, 1); o[3] = O(1, 0) - O(3, 0); on[3] = O(1, 1) - O(3, 1);
        for (int k = 0; k < 4; k++)
        {
            v[((long)(4 * k + 0) * c + ch) * t + tile] = e[k] - en[k];
            v[((long)(4 * k + 1) * c + ch) * t + tile] = o[k] + en[k];
            v[((long)(4 * k + 2) * c + ch) * t + tile] = en[k] - o[k];
            v[((long)(4 * k + 3) * c + ch) * t + tile] = o[k] - on[k];
        }
    }

    // ---- F(4×4, 3×3) -------------------------------------------------------------------------------------------

    private static void TransformRow4(float[] input, int imageOffset, in Conv2dGeometry g, int ch, int r, float[] v, int t, int tile0, bool vectors)
    {
        int h = g.Height, w = g.Width, pt = g.PadTop, pl = g.PadLeft, c = g.Channels;
        int tx = (g.OutW + 3) / 4, half = tx + 1;
        // Row k's phase q (padded columns 4j + q) at (4k + q)·half: tile j reads P0[j], P1[j], P2[j], P3[j], P0[j+1], P1[j+1].
        float[] rows = ScratchArray.Grow(ref t_rows, 24 * half);
        var plane = input.AsSpan(imageOffset + ch * h * w, h * w);
        for (int k = 0; k < 6; k++)
        {
            int ih = 4 * r - pt + k;
            var phases = rows.AsSpan(4 * k * half, 4 * half);
            if ((uint)ih >= (uint)h)
            {
                phases.Clear();
                continue;
            }
            var src = plane.Slice(ih * w, w);
            for (int q = 0; q < 4; q++) Split(src, pl, 4, q, phases.Slice(q * half, half));
        }
        int j = 0;
        if (vectors && Vector256.IsHardwareAccelerated)
            for (; j + 8 <= tx; j += 8) Tiles4x8(rows, half, j, v, c, t, ch, tile0 + j);
        if (vectors && Vector128.IsHardwareAccelerated)
            for (; j + 4 <= tx; j += 4) Tiles4x4(rows, half, j, v, c, t, ch, tile0 + j);
        for (; j < tx; j++) Tile4(rows, half, j, v, c, t, ch, tile0 + j);
    }

    // Bᵀ x for one column (or row) of 6: the F(4, 3) input transform in one dimension.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void B6(Vector256<float> d0, Vector256<float> d1, Vector256<float> d2, Vector256<float> d3, Vector256<float> d4, Vector256<float> d5,
        out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3, out Vector256<float> o4, out Vector256<float> o5)
    {
        var s12 = d1 + d2; var m12 = d1 - d2; var d31 = d3 - d1; var d42 = d4 - d2;
        o0 = d0 * 4f - d2 * 5f + d4;
        o1 = d3 + d4 - s12 * 4f;
        o2 = d4 - d3 + m12 * 4f;
        o3 = d42 + d31 * 2f;
        o4 = d42 - d31 * 2f;
        o5 = d1 * 4f - d3 * 5f + d5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void B6(Vector128<float> d0, Vector128<float> d1, Vector128<float> d2, Vector128<float> d3, Vector128<float> d4, Vector128<float> d5,
        out Vector128<float> o0, out Vector128<float> o1, out Vector128<float> o2, out Vector128<float> o3, out Vector128<float> o4, out Vector128<float> o5)
    {
        var s12 = d1 + d2; var m12 = d1 - d2; var d31 = d3 - d1; var d42 = d4 - d2;
        o0 = d0 * 4f - d2 * 5f + d4;
        o1 = d3 + d4 - s12 * 4f;
        o2 = d4 - d3 + m12 * 4f;
        o3 = d42 + d31 * 2f;
        o4 = d42 - d31 * 2f;
        o5 = d1 * 4f - d3 * 5f + d5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void B6(float d0, float d1, float d2, float d3, float d4, float d5,
        out float o0, out float o1, out float o2, out float o3, out float o4, out float o5)
    {
        float s12 = d1 + d2, m12 = d1 - d2, d31 = d3 - d1, d42 = d4 - d2;
        o0 = d0 * 4f - d2 * 5f + d4;
        o1 = d3 + d4 - s12 * 4f;
        o2 = d4 - d3 + m12 * 4f;
        o3 = d42 + d31 * 2f;
        o4 = d42 - d31 * 2f;
        o5 = d1 * 4f - d3 * 5f + d5;
    }

    // Bᵀ d B for the 8 tiles j..j+7: columns first (t = Bᵀ d, column c read from phase c mod 4 shifted by c / 4), then
    // the rows of t, each stored as 8 consecutive tiles of V[a·6 + b][ch].
    private static void Tiles4x8(float[] rows, int half, int j, float[] v, int c, int t, int ch, int tile)
    {
        ref float r0 = ref rows[0];
        Span<Vector256<float>> tt = stackalloc Vector256<float>[36];
        for (int col = 0; col < 6; col++)
        {
            nuint at = (nuint)((col & 3) * half + j + (col >> 2));
            nuint step = (nuint)(4 * half);
            B6(Vector256.LoadUnsafe(ref r0, at), Vector256.LoadUnsafe(ref r0, at + step), Vector256.LoadUnsafe(ref r0, at + 2 * step),
                Vector256.LoadUnsafe(ref r0, at + 3 * step), Vector256.LoadUnsafe(ref r0, at + 4 * step), Vector256.LoadUnsafe(ref r0, at + 5 * step),
                out tt[col], out tt[6 + col], out tt[12 + col], out tt[18 + col], out tt[24 + col], out tt[30 + col]);
        }
        ref float v0 = ref v[0];
        long plane = (long)c * t, at0 = (long)ch * t + tile;
        for (int a = 0; a < 6; a++)
        {
            B6(tt[6 * a], tt[6 * a + 1], tt[6 * a + 2], tt[6 * a + 3], tt[6 * a + 4], tt[6 * a + 5],
                out var x0, out var x1, out var x2, out var x3, out var x4, out var x5);
            long at = (6 * a) * plane + at0;
            x0.StoreUnsafe(ref v0, (nuint)at);
            x1.StoreUnsafe(ref v0, (nuint)(at + plane));
            x2.StoreUnsafe(ref v0, (nuint)(at + 2 * plane));
            x3.StoreUnsafe(ref v0, (nuint)(at + 3 * plane));
            x4.StoreUnsafe(ref v0, (nuint)(at + 4 * plane));
            x5.StoreUnsafe(ref v0, (nuint)(at + 5 * plane));
        }
    }

    // Tiles4x8 on 4 tiles in Vector128 lanes (a tile row of 4 to 7 tiles: 14×14 and 28×28 images).
    private static void Tiles4x4(float[] rows, int half, int j, float[] v, int c, int t, int ch, int tile)
    {
        ref float r0 = ref rows[0];
        Span<Vector128<float>> tt = stackalloc Vector128<float>[36];
        for (int col = 0; col < 6; col++)
        {
            nuint at = (nuint)((col & 3) * half + j + (col >> 2));
            nuint step = (nuint)(4 * half);
            B6(Vector128.LoadUnsafe(ref r0, at), Vector128.LoadUnsafe(ref r0, at + step), Vector128.LoadUnsafe(ref r0, at + 2 * step),
                Vector128.LoadUnsafe(ref r0, at + 3 * step), Vector128.LoadUnsafe(ref r0, at + 4 * step), Vector128.LoadUnsafe(ref r0, at + 5 * step),
                out tt[col], out tt[6 + col], out tt[12 + col], out tt[18 + col], out tt[24 + col], out tt[30 + col]);
        }
        ref float v0 = ref v[0];
        long plane = (long)c * t, at0 = (long)ch * t + tile;
        for (int a = 0; a < 6; a++)
        {
            B6(tt[6 * a], tt[6 * a + 1], tt[6 * a + 2], tt[6 * a + 3], tt[6 * a + 4], tt[6 * a + 5],
                out var x0, out var x1, out var x2, out var x3, out var x4, out var x5);
            long at = (6 * a) * plane + at0;
            x0.StoreUnsafe(ref v0, (nuint)at);
            x1.StoreUnsafe(ref v0, (nuint)(at + plane));
            x2.StoreUnsafe(ref v0, (nuint)(at + 2 * plane));
            x3.StoreUnsafe(ref v0, (nuint)(at + 3 * plane));
            x4.StoreUnsafe(ref v0, (nuint)(at + 4 * plane));
            x5.StoreUnsafe(ref v0, (nuint)(at + 5 * plane));
        }
    }

    // Bᵀ d B for tile j (the scalar twin of Tiles4x8, and its tail).
    private static void Tile4(float[] rows, int half, int j, float[] v, int c, int t, int ch, int tile)
    {
        Span<float> tt = stackalloc float[36];
        for (int col = 0; col < 6; col++)
        {
            int at = (col & 3) * half + j + (col >> 2), step = 4 * half;
            B6(rows[at], rows[at + step], rows[at + 2 * step], rows[at + 3 * step], rows[at + 4 * step], rows[at + 5 * step],
                out tt[col], out tt[6 + col], out tt[12 + col], out tt[18 + col], out tt[24 + col], out tt[30 + col]);
        }
        long plane = (long)c * t, at0 = (long)ch * t + tile;
        for (int a = 0; a < 6; a++)
        {
            B6(tt[6 * a], tt[6 * a + 1], tt[6 * a + 2], tt[6 * a + 3], tt[6 * a + 4], tt[6 * a + 5],
                out var x0, out var x1, out var x2, out var x3, out var x4, out var x5);
            long at = (6 * a) * plane + at0;
            v[at] = x0;
            v[at + plane] = x1;
            v[at + 2 * plane] = x2;
            v[at + 3 * plane] = x3;
            v[at + 4 * plane] = x4;
            v[at + 5 * plane] = x5;
        }
    }

    // ---- shared ------------------------------------------------------------------------------------------------

    // dst[j] = src[stride·j + phase − pl] where that column lies in the row, else 0 (the padding).
    private static void Split(ReadOnlySpan<float> src, int pl, int stride, int phase, Span<float> dst)
    {
        int w = src.Length, offset = phase - pl;
        int j0 = offset >= 0 ? 0 : (-offset + stride - 1) / stride;                      // first j with stride·j + offset ≥ 0
        int j1 = Math.Min(dst.Length, w - offset <= 0 ? 0 : (w - 1 - offset) / stride + 1); // past the last j inside the row
        if (j1 <= j0)
        {
            dst.Clear();
            return;
        }
        dst[..j0].Clear();
        dst[j1..].Clear();
        var part = src[(stride * j0 + offset)..];
        var into = dst[j0..j1];
        if (stride == 2)
        {
            Stride2.Gather(part, into);
            return;
        }
        for (int i = 0; i < into.Length; i++) into[i] = part[stride * i];
    }
}
