// MaxPool2x2Inference: the 2 × 2, stride-2, unpadded max pool at inference (no arg-max), over whole ranges of planes:
//   y[p, oy, ox] = Max(Max(x[p, 2oy, 2ox], x[p, 2oy + 1, 2ox]), Max(x[p, 2oy, 2ox + 1], x[p, 2oy + 1, 2ox + 1]))
// — the separable order of PoolRow (the window's rows element-wise, then its columns), IEEE maximum (NaN propagates,
// −0 < +0), so the bits of MaxPool2d's general inference path. An odd last row or column is not read (floor mode).
// The general path walks plane by plane, each output row a call to its row and its column phase; on LeNet-5's 8 × 8
// planes (3,200 of them at batch 64) that per-row setup was the time, ~2x ORT's pool. Here an output row of 8 takes two
// vector maxima of its input rows, the even and odd lanes split by narrowing 64-bit pairs (Stride2's trick), and one more
// maximum; a row of 4 the same at 128 bits; a leftover narrower than a vector one more vector ending at the row's end
// (overlapping outputs get the same values); anything narrower, and the twin, the scalar loop.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>2 × 2 stride-2 max pooling at inference over planes (oracle: the scalar loop).</summary>
internal static class MaxPool2x2Inference
{
    /// <summary>
    /// Pools planes [<paramref name="p0"/>, <paramref name="p1"/>) of x [planes, H, W] into y [planes, H/2, W/2];
    /// <paramref name="vectorise"/> false runs the scalar loop.
    /// </summary>
    /// <exception cref="ArgumentException">H or W is below 2, or x or y is too short for the planes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Planes(ReadOnlySpan<float> x, int height, int width, int p0, int p1, Span<float> y, bool vectorise = true)
    {
        if (height < 2 || width < 2) throw new ArgumentException($"A 2x2 pool needs planes of at least 2 x 2; got {height} x {width}.");
        int oh = height / 2, ow = width / 2;
        if (p0 < 0 || p1 < p0 || (long)p1 * height * width > x.Length || (long)p1 * oh * ow > y.Length)
            throw new ArgumentException($"Planes [{p0}, {p1}) of {height} x {width} do not fit {x.Length} inputs and {y.Length} outputs.");
        if (!BitConverter.IsLittleEndian) vectorise = false;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        for (int p = p0; p < p1; p++)
            for (int r = 0; r < oh; r++)
            {
                ref float top = ref Unsafe.Add(ref x0, ((nint)p * height + 2 * r) * width);
                ref float output = ref Unsafe.Add(ref y0, ((nint)p * oh + r) * ow);
                Row(ref top, ref Unsafe.Add(ref top, width), ref output, ow, vectorise);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Row(ref float top, ref float bottom, ref float output, int ow, bool vectorise)
    {
        int j = 0;
        if (vectorise && Vector256.IsHardwareAccelerated && ow >= 8)
        {
            for (; j + 8 <= ow; j += 8) Unit256(ref top, ref bottom, j).StoreUnsafe(ref output, (nuint)j);
            if (j < ow) Unit256(ref top, ref bottom, ow - 8).StoreUnsafe(ref output, (nuint)(ow - 8));
            return;
        }
        if (vectorise && Vector128.IsHardwareAccelerated && ow >= 4)
        {
            for (; j + 4 <= ow; j += 4) Unit128(ref top, ref bottom, j).StoreUnsafe(ref output, (nuint)j);
            if (j < ow) Unit128(ref top, ref bottom, ow - 4).StoreUnsafe(ref output, (nuint)(ow - 4));
            return;
        }
        for (; j < ow; j++)
        {
            float left = MathF.Max(Unsafe.Add(ref top, 2 * j), Unsafe.Add(ref bottom, 2 * j));
            float right = MathF.Max(Unsafe.Add(ref top, 2 * j + 1), Unsafe.Add(ref bottom, 2 * j + 1));
            Unsafe.Add(ref output, j) = MathF.Max(left, right);
        }
    }

    // Outputs j .. j + 7: the rows' maxima over inputs 2j .. 2j + 15, then the even lanes' against the odd lanes'.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Unit256(ref float top, ref float bottom, int j)
    {
        var a = PoolMax.Apply(Vector256.LoadUnsafe(ref top, (nuint)(2 * j)), Vector256.LoadUnsafe(ref bottom, (nuint)(2 * j))).AsUInt64();
        var b = PoolMax.Apply(Vector256.LoadUnsafe(ref top, (nuint)(2 * j + 8)), Vector256.LoadUnsafe(ref bottom, (nuint)(2 * j + 8))).AsUInt64();
        var even = Vector256.Narrow(a, b).AsSingle();
        var odd = Vector256.Narrow(Vector256.ShiftRightLogical(a, 32), Vector256.ShiftRightLogical(b, 32)).AsSingle();
        return PoolMax.Apply(even, odd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Unit128(ref float top, ref float bottom, int j)
    {
        var a = Vector128.Max(Vector128.LoadUnsafe(ref top, (nuint)(2 * j)), Vector128.LoadUnsafe(ref bottom, (nuint)(2 * j))).AsUInt64();
        var b = Vector128.Max(Vector128.LoadUnsafe(ref top, (nuint)(2 * j + 4)), Vector128.LoadUnsafe(ref bottom, (nuint)(2 * j + 4))).AsUInt64();
        var even = Vector128.Narrow(a, b).AsSingle();
        var odd = Vector128.Narrow(Vector128.ShiftRightLogical(a, 32), Vector128.ShiftRightLogical(b, 32)).AsSingle();
        return Vector128.Max(even, odd);
    }
}
