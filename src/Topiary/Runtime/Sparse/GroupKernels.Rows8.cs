// GroupKernels.Rows8: the batch-1 SIMD-group product for width 8 (Vector256) eight rows at a time. Each row's
// groups are summed into its own Vector256 accumulator (two in flight per row; the rows' chains are
// independent, so the out-of-order core overlaps them), then the eight accumulators are reduced together by a
// horizontal-add transpose (6 vhaddps + 2 lane permutes + 1 add for 8 rows, instead of a separate horizontal
// sum per row — at ~6 groups per row of a 94%-sparse layer the per-row reductions were a third of the time).
// Bias and ReLU are applied to the 8 sums as one vector. A partial last group (Cols not a multiple of 8) is
// summed scalar and added after the reduction. Summation order is fixed by the shapes, as in the generic path.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Topiary.Tensors;

namespace Topiary.Runtime.Sparse;

internal static unsafe partial class GroupKernels
{
    /// <summary>True when <see cref="Rows8Width8"/> can run (AVX with FMA).</summary>
    public static bool Rows8Supported => Avx.IsSupported && Fma.IsSupported;

    /// <summary>Rows [0, rows − rows % 8) of y = act(W·x + b) for a width-8, band-1 layout; returns the first row not done.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Rows8Width8<TIndex>(in GroupLayout<TIndex> a, float* x, float* y, float* bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int rows8 = a.Rows & ~7, tail = a.TailStart;
        var sums = stackalloc float[8];
        for (int r = 0; r < rows8; r += 8)
        {
            var acc0 = RowAcc(a, r, x, tail, out float t0);
            var acc1 = RowAcc(a, r + 1, x, tail, out float t1);
            var acc2 = RowAcc(a, r + 2, x, tail, out float t2);
            var acc3 = RowAcc(a, r + 3, x, tail, out float t3);
            var acc4 = RowAcc(a, r + 4, x, tail, out float t4);
            var acc5 = RowAcc(a, r + 5, x, tail, out float t5);
            var acc6 = RowAcc(a, r + 6, x, tail, out float t6);
            var acc7 = RowAcc(a, r + 7, x, tail, out float t7);
            var u0 = Avx.HorizontalAdd(Avx.HorizontalAdd(acc0, acc1), Avx.HorizontalAdd(acc2, acc3));
            var u1 = Avx.HorizontalAdd(Avx.HorizontalAdd(acc4, acc5), Avx.HorizontalAdd(acc6, acc7));
            var s = Avx.Add(Avx.Permute2x128(u0, u1, 0x20), Avx.Permute2x128(u0, u1, 0x31)); // [r0..r3 | r4..r7]
            if (tail >= 0) s = Avx.Add(s, Vector256.Create(t0, t1, t2, t3, t4, t5, t6, t7));
            if (bias is not null) s = Avx.Add(s, Vector256.Load(bias + r));
            if (relu) s = NativeClamp.Relu(s);
            s.Store(y + r);
        }
        return rows8;
    }

    // One row's groups into a Vector256 (two accumulators); the partial last group's dot product goes to tailSum.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static Vector256<float> RowAcc<TIndex>(in GroupLayout<TIndex> a, int r, float* x, int tail, out float tailSum)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int start = a.Pointers[r], count = a.Pointers[r + 1] - start;
        float* v = a.Values + (nint)start * 8;
        TIndex* idx = a.Index + start;
        tailSum = 0;
        if (tail >= 0 && count > 0 && int.CreateTruncating(idx[count - 1]) == tail)
        {
            count--;
            tailSum = TailDot(v + (nint)count * 8, x, tail, a.Cols);
        }
        var p = Vector256<float>.Zero;
        var q = Vector256<float>.Zero;
        int g = 0;
        for (; g + 2 <= count; g += 2)
        {
            p = Fma.MultiplyAdd(Vector256.Load(v), Vector256.Load(x + nint.CreateTruncating(idx[g])), p);
            q = Fma.MultiplyAdd(Vector256.Load(v + 8), Vector256.Load(x + nint.CreateTruncating(idx[g + 1])), q);
            v += 16;
        }
        if (g < count) p = Fma.MultiplyAdd(Vector256.Load(v), Vector256.Load(x + nint.CreateTruncating(idx[g])), p);
        return Avx.Add(p, q);
    }
}
