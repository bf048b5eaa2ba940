// DirectSparseConv's row-mode kernel (AVX-512): for weights pruned in whole kernel rows of 3 (Mao et al.'s "vector"
// granularity), each kept row (c, i) reads its stretch of the padded image once, with aligned loads L0..Ln (rows of
// 16 floats, chunks starting on multiples of 16), and makes the column-1 and column-2 stretches in registers:
//   acc[k] += w0 · L[k] + w1 · valignd(L[k+1], L[k], 1) + w2 · valignd(L[k+1], L[k], 2)
// so one load feeds three FMAs and no copies are made. The FMAs per output run in (c, i, j) order, the order of the
// element-wise layout, so the result has the scalar twin's bits.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

internal sealed partial class DirectSparseConv
{
    // Row segments [first, end) over the chunk of `width` positions at padded[from]; sums consecutive from scratch[sums].
    private void RowSegments(int first, int end, bool zero, float[] padded, int from, float[] scratch, int sums, int width)
    {
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(padded), from);
        ref float d = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(scratch), sums);
        switch (width / 16)
        {
            case 1: RowSegments512<N1>(ref x, first, end, zero, ref d); break;
            case 2: RowSegments512<N2>(ref x, first, end, zero, ref d); break;
            case 3: RowSegments512<N3>(ref x, first, end, zero, ref d); break;
            case 4: RowSegments512<N4>(ref x, first, end, zero, ref d); break;
            case 5: RowSegments512<N5>(ref x, first, end, zero, ref d); break;
            case 6: RowSegments512<N6>(ref x, first, end, zero, ref d); break;
            case 7: RowSegments512<N7>(ref x, first, end, zero, ref d); break;
            default: RowSegments512<N8>(ref x, first, end, zero, ref d); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RowSegments512<TN>(ref float x, int first, int end, bool zero, ref float d) where TN : struct, IVectorCount
    {
        int n = TN.Count;
        ref int start = ref MemoryMarshal.GetArrayDataReference(_start);
        ref Row row = ref MemoryMarshal.GetArrayDataReference(_rows!);
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, 16 * n))
        {
            int r0 = Unsafe.Add(ref start, k), r1 = Unsafe.Add(ref start, k + 1);
            if (r0 == r1 && !zero) continue;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            if (!zero)
            {
                a0 = Vector512.LoadUnsafe(ref d);
                if (n > 1) a1 = Vector512.LoadUnsafe(ref d, 16);
                if (n > 2) a2 = Vector512.LoadUnsafe(ref d, 32);
                if (n > 3) a3 = Vector512.LoadUnsafe(ref d, 48);
                if (n > 4) a4 = Vector512.LoadUnsafe(ref d, 64);
                if (n > 5) a5 = Vector512.LoadUnsafe(ref d, 80);
                if (n > 6) a6 = Vector512.LoadUnsafe(ref d, 96);
                if (n > 7) a7 = Vector512.LoadUnsafe(ref d, 112);
            }
            for (int r = r0; r < r1; r++)
            {
                ref Row w = ref Unsafe.Add(ref row, r);
                Vector512<float> w0 = Vector512.Create(w.W0), w1 = Vector512.Create(w.W1), w2 = Vector512.Create(w.W2);
                ref float p = ref Unsafe.Add(ref x, w.Offset);
                var l0 = Vector512.LoadUnsafe(ref p);
                var l1 = Vector512.LoadUnsafe(ref p, 16);
                a0 = Three(w0, w1, w2, l0, l1, a0);
                if (n > 1) { l0 = Vector512.LoadUnsafe(ref p, 32); a1 = Three(w0, w1, w2, l1, l0, a1); }
                if (n > 2) { l1 = Vector512.LoadUnsafe(ref p, 48); a2 = Three(w0, w1, w2, l0, l1, a2); }
                if (n > 3) { l0 = Vector512.LoadUnsafe(ref p, 64); a3 = Three(w0, w1, w2, l1, l0, a3); }
                if (n > 4) { l1 = Vector512.LoadUnsafe(ref p, 80); a4 = Three(w0, w1, w2, l0, l1, a4); }
                if (n > 5) { l0 = Vector512.LoadUnsafe(ref p, 96); a5 = Three(w0, w1, w2, l1, l0, a5); }
                if (n > 6) { l1 = Vector512.LoadUnsafe(ref p, 112); a6 = Three(w0, w1, w2, l0, l1, a6); }
                if (n > 7) { l0 = Vector512.LoadUnsafe(ref p, 128); a7 = Three(w0, w1, w2, l1, l0, a7); }
            }
            a0.StoreUnsafe(ref d);
            if (n > 1) a1.StoreUnsafe(ref d, 16);
            if (n > 2) a2.StoreUnsafe(ref d, 32);
            if (n > 3) a3.StoreUnsafe(ref d, 48);
            if (n > 4) a4.StoreUnsafe(ref d, 64);
            if (n > 5) a5.StoreUnsafe(ref d, 80);
            if (n > 6) a6.StoreUnsafe(ref d, 96);
            if (n > 7) a7.StoreUnsafe(ref d, 112);
        }
    }

    // acc + w0 · lo + w1 · (lo, hi shifted 1) + w2 · (lo, hi shifted 2), in that order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Three(Vector512<float> w0, Vector512<float> w1, Vector512<float> w2, Vector512<float> lo, Vector512<float> hi, Vector512<float> acc)
    {
        acc = Vector512.FusedMultiplyAdd(w0, lo, acc);
        acc = Vector512.FusedMultiplyAdd(w1, Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 1).AsSingle(), acc);
        return Vector512.FusedMultiplyAdd(w2, Avx512F.AlignRight32(hi.AsUInt32(), lo.AsUInt32(), 2).AsSingle(), acc);
    }
}
