// WinogradOutput: the output transform Y = Aᵀ M A of Winograd F(m×m, 3×3) with the convolution's epilogue, for one
// row of tiles and a group of output channels: the GEMMs leave M as [ξ][tile][OC] (output channels contiguous), so
//   y[o, m·r + a, m·j + b] = clamp((Aᵀ M_{tile j, o} A)[a, b] + bias[o] + residual[o, m·r + a, m·j + b], min, max)
//   F(2, 3): Aᵀ = [1 1 1 0; 0 1 −1 −1]          F(4, 3): Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
// Vector path (8 output channels in Vector256 lanes): each tile's m×m results (+ bias) go to a staging strip
// [m rows][m·TX columns][8 channels]; each strip row is then transposed 8×8 at a time into the 8 channels' NCHW rows,
// where the residual is added and the clamp applied before the store. The scalar twin (channel counts that are not a
// multiple of 8, machines without AVX) does the same operations in the same order, one channel at a time, so every
// output matches it bit for bit. Edge tiles are computed whole; only outputs inside [OH, OW) are written.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Winograd output transforms, one tile row and up to 8 output channels at a time.</summary>
internal static class WinogradOutput
{
    [ThreadStatic] private static float[]? t_stage;

    /// <summary>True when the 8-channel vector path runs on this machine.</summary>
    public static bool VectorPath => Avx.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// Output channels [<paramref name="o0"/>, o0 + <paramref name="count"/>) of tile row <paramref name="r"/>: M is
    /// [ξ][tiles][<paramref name="oc"/>] with planes ξ <paramref name="plane"/> floats apart, the row's first tile at
    /// <paramref name="tile0"/>; the image's
    /// output [OC, OH, OW] starts at <paramref name="outBase"/> (the residual at the same index).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransformRow(int tileSize, float[] m, long plane, int oc, int tile0, in Conv2dGeometry g, int r,
        float[] output, long outBase, in WinogradEpilogue e, int o0, int count, bool vectors = true)
    {
        if (vectors && count == 8 && VectorPath)
        {
            if (tileSize == 2) Row2x8(m, plane, oc, tile0, g, r, output, outBase, e, o0);
            else Row4x8(m, plane, oc, tile0, g, r, output, outBase, e, o0);
            return;
        }
        for (int o = o0; o < o0 + count; o++)
        {
            if (tileSize == 2) Row2(m, plane, oc, tile0, g, r, output, outBase, e, o);
            else Row4(m, plane, oc, tile0, g, r, output, outBase, e, o);
        }
    }

    // ---- F(2×2, 3×3) -------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row2x8(float[] m, long plane, int oc, int tile0, in Conv2dGeometry g, int r, float[] output, long outBase,
        in WinogradEpilogue e, int o0)
    {
        int tx = (g.OutW + 1) / 2, width = 2 * tx;
        float[] stage = ScratchArray.Grow(ref t_stage, 2 * width * 8);
        ref float s0 = ref stage[0];
        var bias = e.Bias is null ? Vector256<float>.Zero : Vector256.Create(e.Bias.AsSpan(o0, 8));
        for (int j = 0; j < tx; j++)
        {
            long at = (long)(tile0 + j) * oc + o0;
            Vector256<float> M(int xi) => Vector256.LoadUnsafe(ref m[0], (nuint)(at + xi * plane));
            var a0 = M(0) + M(1) + M(2); var b0 = M(1) - M(2) - M(3);
            var a1 = M(4) + M(5) + M(6); var b1 = M(5) - M(6) - M(7);
            var a2 = M(8) + M(9) + M(10); var b2 = M(9) - M(10) - M(11);
            var a3 = M(12) + M(13) + M(14); var b3 = M(13) - M(14) - M(15);
            (a0 + a1 + a2 + bias).StoreUnsafe(ref s0, (nuint)(2 * j * 8));
            (b0 + b1 + b2 + bias).StoreUnsafe(ref s0, (nuint)((2 * j + 1) * 8));
            (a1 - a2 - a3 + bias).StoreUnsafe(ref s0, (nuint)((width + 2 * j) * 8));
            (b1 - b2 - b3 + bias).StoreUnsafe(ref s0, (nuint)((width + 2 * j + 1) * 8));
        }
        Store8(stage, width, 2, g, r * 2, output, outBase, e, o0);
    }

    // The scalar twin of Row2x8 for output channel o.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row2(float[] m, long plane, int oc, int tile0, in Conv2dGeometry g, int r, float[] output, long outBase,
        in WinogradEpilogue e, int o)
    {
        int tx = (g.OutW + 1) / 2;
        float bias = e.Bias is null ? 0f : e.Bias[o];
        for (int j = 0; j < tx; j++)
        {
            long at = (long)(tile0 + j) * oc + o;
            float M(int xi) => m[at + xi * plane];
            float a0 = M(0) + M(1) + M(2), b0 = M(1) - M(2) - M(3);
            float a1 = M(4) + M(5) + M(6), b1 = M(5) - M(6) - M(7);
            float a2 = M(8) + M(9) + M(10), b2 = M(9) - M(10) - M(11);
            float a3 = M(12) + M(13) + M(14), b3 = M(13) - M(14) - M(15);
            Put(output, outBase, g, e, o, 2 * r, 2 * j, a0 + a1 + a2 + bias);
            Put(output, outBase, g, e, o, 2 * r, 2 * j + 1, b0 + b1 + b2 + bias);
            Put(output, outBase, g, e, o, 2 * r + 1, 2 * j, a1 - a2 - a3 + bias);
            Put(output, outBase, g, e, o, 2 * r + 1, 2 * j + 1, b1 - b2 - b3 + bias);
        }
    }

    // ---- F(4×4, 3×3) -------------------------------------------------------------------------------------------

    // Aᵀ x for one column (or row) of 6 (fused multiply-adds, as in the scalar twin).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void A6(Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3, Vector256<float> m4, Vector256<float> m5,
        out Vector256<float> y0, out Vector256<float> y1, out Vector256<float> y2, out Vector256<float> y3)
    {
        var s12 = m1 + m2; var d12 = m1 - m2; var s34 = m3 + m4; var d34 = m3 - m4;
        y0 = m0 + s12 + s34;
        y1 = Vector256.FusedMultiplyAdd(d34, Vector256.Create(2f), d12);
        y2 = Vector256.FusedMultiplyAdd(s34, Vector256.Create(4f), s12);
        y3 = Vector256.FusedMultiplyAdd(d34, Vector256.Create(8f), d12) + m5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void A6(float m0, float m1, float m2, float m3, float m4, float m5, out float y0, out float y1, out float y2, out float y3)
    {
        float s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
        y0 = m0 + s12 + s34;
        y1 = MathF.FusedMultiplyAdd(d34, 2f, d12);
        y2 = MathF.FusedMultiplyAdd(s34, 4f, s12);
        y3 = MathF.FusedMultiplyAdd(d34, 8f, d12) + m5;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row4x8(float[] m, long plane, int oc, int tile0, in Conv2dGeometry g, int r, float[] output, long outBase,
        in WinogradEpilogue e, int o0)
    {
        int tx = (g.OutW + 3) / 4, width = 4 * tx;
        float[] stage = ScratchArray.Grow(ref t_stage, 4 * width * 8);
        ref float s0 = ref stage[0];
        ref float m0 = ref m[0];
        var bias = e.Bias is null ? Vector256<float>.Zero : Vector256.Create(e.Bias.AsSpan(o0, 8));
        Span<Vector256<float>> z = stackalloc Vector256<float>[24];
        for (int j = 0; j < tx; j++)
        {
            long at = (long)(tile0 + j) * oc + o0;
            // Columns: z[i][c] = (Aᵀ M[·][c])_i.
            for (int c = 0; c < 6; c++)
            {
                long a = at + c * plane;
                A6(Vector256.LoadUnsafe(ref m0, (nuint)a), Vector256.LoadUnsafe(ref m0, (nuint)(a + 6 * plane)),
                    Vector256.LoadUnsafe(ref m0, (nuint)(a + 12 * plane)), Vector256.LoadUnsafe(ref m0, (nuint)(a + 18 * plane)),
                    Vector256.LoadUnsafe(ref m0, (nuint)(a + 24 * plane)), Vector256.LoadUnsafe(ref m0, (nuint)(a + 30 * plane)),
                    out z[c], out z[6 + c], out z[12 + c], out z[18 + c]);
            }
            // Rows: Y[i][k] = (Aᵀ z[i][·])_k, staged at row i, column 4j + k.
            for (int i = 0; i < 4; i++)
            {
                A6(z[6 * i], z[6 * i + 1], z[6 * i + 2], z[6 * i + 3], z[6 * i + 4], z[6 * i + 5], out var y0, out var y1, out var y2, out var y3);
                nuint at0 = (nuint)((i * width + 4 * j) * 8);
                (y0 + bias).StoreUnsafe(ref s0, at0);
                (y1 + bias).StoreUnsafe(ref s0, at0 + 8);
                (y2 + bias).StoreUnsafe(ref s0, at0 + 16);
                (y3 + bias).StoreUnsafe(ref s0, at0 + 24);
            }
        }
        Store8(stage, width, 4, g, r * 4, output, outBase, e, o0);
    }

    // The scalar twin of Row4x8 for output channel o.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row4(float[] m, long plane, int oc, int tile0, in Conv2dGeometry g, int r, float[] output, long outBase,
        in WinogradEpilogue e, int o)
    {
        int tx = (g.OutW + 3) / 4;
        float bias = e.Bias is null ? 0f : e.Bias[o];
        Span<float> z = stackalloc float[24];
        for (int j = 0; j < tx; j++)
        {
            long at = (long)(tile0 + j) * oc + o;
            for (int c = 0; c < 6; c++)
            {
                long a = at + c * plane;
                A6(m[a], m[a + 6 * plane], m[a + 12 * plane], m[a + 18 * plane], m[a + 24 * plane], m[a + 30 * plane],
                    out z[c], out z[6 + c], out z[12 + c], out z[18 + c]);
            }
            for (int i = 0; i < 4; i++)
            {
                A6(z[6 * i], z[6 * i + 1], z[6 * i + 2], z[6 * i + 3], z[6 * i + 4], z[6 * i + 5], out var y0, out var y1, out var y2, out var y3);
                Put(output, outBase, g, e, o, 4 * r + i, 4 * j, y0 + bias);
                Put(output, outBase, g, e, o, 4 * r + i, 4 * j + 1, y1 + bias);
                Put(output, outBase, g, e, o, 4 * r + i, 4 * j + 2, y2 + bias);
                Put(output, outBase, g, e, o, 4 * r + i, 4 * j + 3, y3 + bias);
            }
        }
    }

    // ---- shared ------------------------------------------------------------------------------------------------

    // One output value with the residual and clamp, when (y, x) lies inside the output.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float[] output, long outBase, in Conv2dGeometry g, in WinogradEpilogue e, int o, int y, int x, float value)
    {
        if (y >= g.OutH || x >= g.OutW) return;
        long at = outBase + ((long)o * g.OutH + y) * g.OutW + x;
        if (e.Residual is not null) value += e.Residual[at];
        output[at] = MathF.Min(MathF.Max(value, e.Min), e.Max);
    }

    // The staged rows (stage[row][x][8 channels], rows y0 .. y0 + rows − 1 of the output) into the 8 channels' NCHW rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store8(float[] stage, int width, int rows, in Conv2dGeometry g, int y0, float[] output, long outBase,
        in WinogradEpilogue e, int o0)
    {
        int oh = g.OutH, ow = g.OutW;
        long channel = (long)oh * ow;
        var lo = Vector256.Create(e.Min);
        var hi = Vector256.Create(e.Max);
        var bounds = new NativeClamp(e.Min, e.Max);
        var fix = Vector256.Create(bounds.Fix);
        bool native = bounds.Applies;
        ref float s0 = ref stage[0];
        ref float out0 = ref output[0];
        float[]? res = e.Residual;
        for (int i = 0; i < rows && y0 + i < oh; i++)
        {
            long rowBase = outBase + (long)o0 * channel + (long)(y0 + i) * ow;
            int x = 0;
            for (; x + 8 <= ow; x += 8)
            {
                nuint at = (nuint)((i * width + x) * 8);
                Transpose8x8(
                    Vector256.LoadUnsafe(ref s0, at), Vector256.LoadUnsafe(ref s0, at + 8), Vector256.LoadUnsafe(ref s0, at + 16),
                    Vector256.LoadUnsafe(ref s0, at + 24), Vector256.LoadUnsafe(ref s0, at + 32), Vector256.LoadUnsafe(ref s0, at + 40),
                    Vector256.LoadUnsafe(ref s0, at + 48), Vector256.LoadUnsafe(ref s0, at + 56),
                    out var c0, out var c1, out var c2, out var c3, out var c4, out var c5, out var c6, out var c7);
                long b = rowBase + x;
                Finish(c0, b, res, lo, hi, fix, native, ref out0);
                Finish(c1, b + channel, res, lo, hi, fix, native, ref out0);
                Finish(c2, b + 2 * channel, res, lo, hi, fix, native, ref out0);
                Finish(c3, b + 3 * channel, res, lo, hi, fix, native, ref out0);
                Finish(c4, b + 4 * channel, res, lo, hi, fix, native, ref out0);
                Finish(c5, b + 5 * channel, res, lo, hi, fix, native, ref out0);
                Finish(c6, b + 6 * channel, res, lo, hi, fix, native, ref out0);
                Finish(c7, b + 7 * channel, res, lo, hi, fix, native, ref out0);
            }
            for (; x < ow; x++)
                for (int l = 0; l < 8; l++)
                {
                    long at = rowBase + l * channel + x;
                    float value = stage[(i * width + x) * 8 + l];
                    if (res is not null) value += res[at];
                    output[at] = MathF.Min(MathF.Max(value, e.Min), e.Max);
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<float> v, long at, float[]? res, Vector256<float> lo, Vector256<float> hi, Vector256<float> fix,
        bool native, ref float out0)
    {
        if (res is not null) v += Vector256.LoadUnsafe(ref res[0], (nuint)at);
        NativeClamp.Clamp(v, lo, hi, fix, native).StoreUnsafe(ref out0, (nuint)at);
    }

    // c_p[i] = r_i[p]: the 8×8 transpose (AVX unpack, shuffle, lane permute).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3,
        out Vector256<float> c4, out Vector256<float> c5, out Vector256<float> c6, out Vector256<float> c7)
    {
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        c0 = Avx.Permute2x128(u0, u4, 0x20); c1 = Avx.Permute2x128(u1, u5, 0x20);
        c2 = Avx.Permute2x128(u2, u6, 0x20); c3 = Avx.Permute2x128(u3, u7, 0x20);
        c4 = Avx.Permute2x128(u0, u4, 0x31); c5 = Avx.Permute2x128(u1, u5, 0x31);
        c6 = Avx.Permute2x128(u2, u6, 0x31); c7 = Avx.Permute2x128(u3, u7, 0x31);
    }
}
