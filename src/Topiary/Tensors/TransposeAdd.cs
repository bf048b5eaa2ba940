// TransposeAdd: the output pass of a transposed convolution product — Yᵀ [P, OC] (row j: position j's channels) into the
// NCHW output y [OC, P] with the bias and residual added:
//   y[o·P + j] = (t[j·ld + o] + b[o]) + r[o·P + j]      (b or r absent: + 0, as the layer's own pass adds)
// for channels [o0, o1) and all P positions. AVX in 8 × 8 blocks: eight rows of t loaded, transposed in registers (the
// unpack / shuffle / lane-permute sequence), the bias and residual added per row, eight rows of y stored; leftover
// channels and positions by the scalar loop, which is the twin (the same two additions per element, in the same order).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Transposes a [P, ld] block into [OC, P] rows with bias and residual (oracle: the scalar loop).</summary>
internal static unsafe class TransposeAdd
{
    /// <summary>
    /// y[yAt + o·p + j] = (t[j·ld + o] + bias[o]) + residual[rAt + o·p + j] for o in [o0, o1), j in [0, p); a null bias or
    /// residual adds 0. <paramref name="vectorise"/> false runs the scalar loop only (tests).
    /// </summary>
    /// <exception cref="ArgumentException">An array is too short for the ranges.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float[] t, int ld, int p, int o0, int o1, float[]? bias, float[]? residual, int rAt, float[] y, int yAt,
        bool vectorise = true)
    {
        if (o0 < 0 || o1 > ld || o1 < o0 || p < 0 || (long)(p - 1) * ld + o1 > t.Length && p > 0 || bias is not null && bias.Length < o1
            || (long)yAt + (long)o1 * p > y.Length || residual is not null && (long)rAt + (long)o1 * p > residual.Length)
            throw new ArgumentException($"TransposeAdd: channels [{o0}, {o1}) of {p} positions (ld {ld}) do not fit the arrays.");
        int oVec = o0, jVec = 0;
        if (vectorise && Avx.IsSupported && p >= 8 && o1 - o0 >= 8)
        {
            jVec = p / 8 * 8;
            fixed (float* pt = t, py = y, pb = bias, pr = residual)
                for (; oVec + 8 <= o1; oVec += 8)
                    for (int j = 0; j < jVec; j += 8)
                        Block(pt + (nint)j * ld + oVec, ld, pb == null ? null : pb + oVec, pr == null ? null : pr + rAt + (nint)oVec * p + j,
                            py + yAt + (nint)oVec * p + j, p);
        }
        // Leftovers: channels [oVec, o1) at every position, and positions [jVec, p) of the vectorised channels.
        Scalar(t, ld, p, oVec, o1, 0, p, bias, residual, rAt, y, yAt);
        Scalar(t, ld, p, o0, oVec, jVec, p, bias, residual, rAt, y, yAt);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scalar(float[] t, int ld, int p, int o0, int o1, int j0, int j1, float[]? bias, float[]? residual, int rAt,
        float[] y, int yAt)
    {
        for (int o = o0; o < o1; o++)
        {
            float b = bias is null ? 0f : bias[o];
            for (int j = j0; j < j1; j++)
                y[yAt + o * p + j] = t[j * ld + o] + b + (residual is null ? 0f : residual[rAt + o * p + j]);
        }
    }

    // Eight positions × eight channels: rows of t at src + k·ld (k = position), out row m = channel m at dst + m·p.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(float* src, int ld, float* bias, float* residual, float* dst, int p)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + 2 * ld);
        var r3 = Avx.LoadVector256(src + 3 * ld);
        var r4 = Avx.LoadVector256(src + 4 * ld);
        var r5 = Avx.LoadVector256(src + 5 * ld);
        var r6 = Avx.LoadVector256(src + 6 * ld);
        var r7 = Avx.LoadVector256(src + 7 * ld);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Row(Avx.Permute2x128(u0, u4, 0x20), 0, bias, residual, dst, p);
        Row(Avx.Permute2x128(u1, u5, 0x20), 1, bias, residual, dst, p);
        Row(Avx.Permute2x128(u2, u6, 0x20), 2, bias, residual, dst, p);
        Row(Avx.Permute2x128(u3, u7, 0x20), 3, bias, residual, dst, p);
        Row(Avx.Permute2x128(u0, u4, 0x31), 4, bias, residual, dst, p);
        Row(Avx.Permute2x128(u1, u5, 0x31), 5, bias, residual, dst, p);
        Row(Avx.Permute2x128(u2, u6, 0x31), 6, bias, residual, dst, p);
        Row(Avx.Permute2x128(u3, u7, 0x31), 7, bias, residual, dst, p);
    }

    private static void Row(Vector256<float> v, int m, float* bias, float* residual, float* dst, int p)
    {
        v += Vector256.Create(bias == null ? 0f : bias[m]);
        v += residual == null ? Vector256<float>.Zero : Avx.LoadVector256(residual + (nint)m * p);
        Avx.Store(dst + (nint)m * p, v);
    }
}
