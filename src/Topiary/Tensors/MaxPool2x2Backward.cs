// MaxPool2x2Backward: the input gradient of the 2×2, stride-2, unpadded max pool (MaxPool2x2) on one sample.
//   dx[c, iy, ix] = 0 + dy[c, iy/2, ix/2]  if argmax[c, iy/2, ix/2] is the flat index of (c, iy, ix), else 0
//   (rows iy ≥ 2·OH — an odd last row — get 0). The windows do not overlap, so every input element receives at most
//   one gradient and the pass is a select instead of a clear-then-scatter; "0 +" rounds exactly as the scatter's
//   addition onto a cleared buffer did (−0 becomes +0).
// Vectorised per input row: the row's OW output gradients and indices are duplicated pairwise (each output covers two
// adjacent inputs) and compared with the row's flat indices; the last vector overlaps the previous one. The scalar
// twin is the definition.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Input gradient of the 2×2 stride-2 max pool, with a scalar twin.</summary>
internal static class MaxPool2x2Backward
{
    /// <summary>
    /// dx [C, H, W] of one sample from dy and argmax [C, H/2, W/2] (flat indices into the whole input; this sample starts
    /// at <paramref name="xBase"/>). W is even.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, int xBase, int channels, int height, int width, Span<float> dx)
    {
        int ow = width / 2, oh = height / 2;
        if (dx.Length < channels * height * width || dy.Length < channels * oh * ow || argmax.Length < channels * oh * ow)
            throw new ArgumentException("A span is shorter than the geometry needs.");
        if (!Vector256.IsHardwareAccelerated || ow < 4)
        {
            RunScalar(dy, argmax, xBase, channels, height, width, dx);
            return;
        }
        for (int c = 0; c < channels; c++)
        {
            for (int iy = 0; iy < height; iy++)
            {
                int rowStart = (c * height + iy) * width;
                var dst = dx.Slice(rowStart, width);
                if (iy >= 2 * oh)
                {
                    dst.Clear();
                    continue;
                }
                int o = (c * oh + iy / 2) * ow;
                Row(dy.Slice(o, ow), argmax.Slice(o, ow), xBase + rowStart, dst);
            }
        }
    }

    // One input row of 2·OW elements from its OW outputs: 8 outputs (16 inputs) per step, or 4 with Vector128.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(ReadOnlySpan<float> dy, ReadOnlySpan<int> am, int flat, Span<float> dst)
    {
        int n = dy.Length;
        ref float g = ref MemoryMarshal.GetReference(dy);
        ref int a = ref MemoryMarshal.GetReference(am);
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (n >= 8)
        {
            var lo = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
            var hi = Vector256.Create(4, 4, 5, 5, 6, 6, 7, 7);
            var lanes = Vector256<int>.Indices;
            for (int i = 0; ; i += 8)
            {
                if (i > n - 8) i = n - 8; // overlap: the same values written again
                var gv = Vector256.LoadUnsafe(ref g, (nuint)i);
                var av = Vector256.LoadUnsafe(ref a, (nuint)i);
                var at = Vector256.Create(flat + 2 * i) + lanes;
                Store(Vector256.Shuffle(gv, lo), Vector256.Shuffle(av, lo), at, ref d, 2 * i);
                Store(Vector256.Shuffle(gv, hi), Vector256.Shuffle(av, hi), at + Vector256.Create(8), ref d, 2 * i + 8);
                if (i == n - 8) break;
            }
            return;
        }
        var lo4 = Vector128.Create(0, 0, 1, 1);
        var hi4 = Vector128.Create(2, 2, 3, 3);
        var lanes4 = Vector128<int>.Indices;
        for (int i = 0; ; i += 4)
        {
            if (i > n - 4) i = n - 4;
            var gv = Vector128.LoadUnsafe(ref g, (nuint)i);
            var av = Vector128.LoadUnsafe(ref a, (nuint)i);
            var at = Vector128.Create(flat + 2 * i) + lanes4;
            var m0 = Vector128.Equals(Vector128.Shuffle(av, lo4), at).AsSingle();
            var m1 = Vector128.Equals(Vector128.Shuffle(av, hi4), at + Vector128.Create(4)).AsSingle();
            (Vector128.BitwiseAnd(Vector128.Shuffle(gv, lo4), m0) + Vector128<float>.Zero).StoreUnsafe(ref d, (nuint)(2 * i));
            (Vector128.BitwiseAnd(Vector128.Shuffle(gv, hi4), m1) + Vector128<float>.Zero).StoreUnsafe(ref d, (nuint)(2 * i + 4));
            if (i == n - 4) break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> g, Vector256<int> a, Vector256<int> at, ref float d, int offset) =>
        (Vector256.BitwiseAnd(g, Vector256.Equals(a, at).AsSingle()) + Vector256<float>.Zero).StoreUnsafe(ref d, (nuint)offset);

    /// <summary>Scalar twin of <see cref="Run"/> (the definition).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunScalar(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, int xBase, int channels, int height, int width, Span<float> dx)
    {
        int ow = width / 2, oh = height / 2;
        for (int c = 0; c < channels; c++)
        {
            for (int iy = 0; iy < height; iy++)
            {
                for (int ix = 0; ix < width; ix++)
                {
                    int at = (c * height + iy) * width + ix;
                    float v = 0f;
                    if (iy < 2 * oh)
                    {
                        int o = (c * oh + iy / 2) * ow + ix / 2;
                        if (argmax[o] == xBase + at) v = 0f + dy[o];
                    }
                    dx[at] = v;
                }
            }
        }
    }
}
