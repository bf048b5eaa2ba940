// DirectSparseConv's kernels: segments [first, end) — consecutive output channels' stored weights of one channel block —
// over one chunk of the virtual output row; segment k's sums (width floats from sums + k·width) =
// (first block ? 0 : sums) + Σ weight · copy[offset + q], one FMA per weight and position in storage order.
// A chunk is 1 to 8 vectors (AVX-512 or AVX2): one generic kernel per width whose vector count is a type argument, so
// the JIT drops the unused accumulators; the scalar twin does the same FMAs one position at a time. Every stretch a
// weight reads starts 64-byte aligned in the copies (DirectSparseConv.Input.cs), so no load splits; a call runs all the
// item's output channels, so the per-channel cost is the accumulators' load and store.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

internal sealed partial class DirectSparseConv
{
    // Segments [first, end) over the chunk of `width` positions whose copies start at scratch[copies]; their sums are
    // consecutive from scratch[sums].
    private void Segments(int first, int end, bool zero, float[] scratch, int sums, int copies, int width)
    {
        ref float s = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref float x = ref Unsafe.Add(ref s, copies);
        ref float d = ref Unsafe.Add(ref s, sums);
        if (_lanes == 16)
            switch (width / 16)
            {
                case 1: Segments512<N1>(ref x, first, end, zero, ref d); break;
                case 2: Segments512<N2>(ref x, first, end, zero, ref d); break;
                case 3: Segments512<N3>(ref x, first, end, zero, ref d); break;
                case 4: Segments512<N4>(ref x, first, end, zero, ref d); break;
                case 5: Segments512<N5>(ref x, first, end, zero, ref d); break;
                case 6: Segments512<N6>(ref x, first, end, zero, ref d); break;
                case 7: Segments512<N7>(ref x, first, end, zero, ref d); break;
                default: Segments512<N8>(ref x, first, end, zero, ref d); break;
            }
        else if (_lanes == 8)
            switch (width / 8)
            {
                case 1: Segments256<N1>(ref x, first, end, zero, ref d); break;
                case 2: Segments256<N2>(ref x, first, end, zero, ref d); break;
                case 3: Segments256<N3>(ref x, first, end, zero, ref d); break;
                case 4: Segments256<N4>(ref x, first, end, zero, ref d); break;
                case 5: Segments256<N5>(ref x, first, end, zero, ref d); break;
                case 6: Segments256<N6>(ref x, first, end, zero, ref d); break;
                case 7: Segments256<N7>(ref x, first, end, zero, ref d); break;
                default: Segments256<N8>(ref x, first, end, zero, ref d); break;
            }
        else ScalarSegments(ref x, first, end, zero, ref d, width);
    }

    // A vector count known to the JIT: Segments512<N5> keeps 5 accumulators.
    private interface IVectorCount { static abstract int Count { get; } }
    private readonly struct N1 : IVectorCount { public static int Count => 1; }
    private readonly struct N2 : IVectorCount { public static int Count => 2; }
    private readonly struct N3 : IVectorCount { public static int Count => 3; }
    private readonly struct N4 : IVectorCount { public static int Count => 4; }
    private readonly struct N5 : IVectorCount { public static int Count => 5; }
    private readonly struct N6 : IVectorCount { public static int Count => 6; }
    private readonly struct N7 : IVectorCount { public static int Count => 7; }
    private readonly struct N8 : IVectorCount { public static int Count => 8; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Segments512<TN>(ref float x, int first, int end, bool zero, ref float d) where TN : struct, IVectorCount
    {
        int n = TN.Count;
        ref int start = ref MemoryMarshal.GetArrayDataReference(_start);
        ref Tap tap = ref MemoryMarshal.GetArrayDataReference(_taps);
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, 16 * n))
        {
            int s0 = Unsafe.Add(ref start, k), s1 = Unsafe.Add(ref start, k + 1);
            if (s0 == s1 && !zero) continue;
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
            for (int s = s0; s < s1; s++)
            {
                ref Tap t = ref Unsafe.Add(ref tap, s);
                var v = Vector512.Create(t.Value);
                ref float p = ref Unsafe.Add(ref x, t.Offset);
                a0 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p), a0);
                if (n > 1) a1 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 16), a1);
                if (n > 2) a2 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 32), a2);
                if (n > 3) a3 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 48), a3);
                if (n > 4) a4 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 64), a4);
                if (n > 5) a5 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 80), a5);
                if (n > 6) a6 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 96), a6);
                if (n > 7) a7 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 112), a7);
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

    // As Segments512 with 8 lanes.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Segments256<TN>(ref float x, int first, int end, bool zero, ref float d) where TN : struct, IVectorCount
    {
        int n = TN.Count;
        ref int start = ref MemoryMarshal.GetArrayDataReference(_start);
        ref Tap tap = ref MemoryMarshal.GetArrayDataReference(_taps);
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, 8 * n))
        {
            int s0 = Unsafe.Add(ref start, k), s1 = Unsafe.Add(ref start, k + 1);
            if (s0 == s1 && !zero) continue;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            if (!zero)
            {
                a0 = Vector256.LoadUnsafe(ref d);
                if (n > 1) a1 = Vector256.LoadUnsafe(ref d, 8);
                if (n > 2) a2 = Vector256.LoadUnsafe(ref d, 16);
                if (n > 3) a3 = Vector256.LoadUnsafe(ref d, 24);
                if (n > 4) a4 = Vector256.LoadUnsafe(ref d, 32);
                if (n > 5) a5 = Vector256.LoadUnsafe(ref d, 40);
                if (n > 6) a6 = Vector256.LoadUnsafe(ref d, 48);
                if (n > 7) a7 = Vector256.LoadUnsafe(ref d, 56);
            }
            for (int s = s0; s < s1; s++)
            {
                ref Tap t = ref Unsafe.Add(ref tap, s);
                var v = Vector256.Create(t.Value);
                ref float p = ref Unsafe.Add(ref x, t.Offset);
                a0 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p), a0);
                if (n > 1) a1 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 8), a1);
                if (n > 2) a2 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 16), a2);
                if (n > 3) a3 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 24), a3);
                if (n > 4) a4 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 32), a4);
                if (n > 5) a5 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 40), a5);
                if (n > 6) a6 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 48), a6);
                if (n > 7) a7 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 56), a7);
            }
            a0.StoreUnsafe(ref d);
            if (n > 1) a1.StoreUnsafe(ref d, 8);
            if (n > 2) a2.StoreUnsafe(ref d, 16);
            if (n > 3) a3.StoreUnsafe(ref d, 24);
            if (n > 4) a4.StoreUnsafe(ref d, 32);
            if (n > 5) a5.StoreUnsafe(ref d, 40);
            if (n > 6) a6.StoreUnsafe(ref d, 48);
            if (n > 7) a7.StoreUnsafe(ref d, 56);
        }
    }

    // The scalar twin: the same FMAs in the same order, one output at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScalarSegments(ref float x, int first, int end, bool zero, ref float d, int width)
    {
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, width))
        {
            int s0 = _start[k], s1 = _start[k + 1];
            if (s0 == s1 && !zero) continue;
            for (int q = 0; q < width; q++)
            {
                float acc = zero ? 0f : Unsafe.Add(ref d, q);
                for (int s = s0; s < s1; s++) acc = MathF.FusedMultiplyAdd(_taps[s].Value, Unsafe.Add(ref x, _taps[s].Offset + q), acc);
                Unsafe.Add(ref d, q) = acc;
            }
        }
    }
}
