// DirectSparseConv's kernels: segments [first, end) — consecutive output channels' stored weights of one channel block —
// over one chunk of the virtual output row; segment k's sums (width floats from sums + k·width) =
// (first block ? 0 : sums) + Σ weight · copy[offset + q], one FMA per weight and position in storage order.
// The chunk is 8 vectors (AVX-512 or AVX2), 4 or 1 (tails); the scalar twin does the same FMAs one position at a time.
// Every stretch a weight reads starts 64-byte aligned in the copies (DirectSparseConv.Input.cs), so no load splits; a
// call runs all the item's output channels, so the per-channel cost is the accumulators' load and store.
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
        int vectors = width / _unit;
        if (_lanes == 16 && vectors == Vectors) Segments512(ref x, first, end, zero, ref d);
        else if (_lanes == 16 && vectors == 4) Segments512x4(ref x, first, end, zero, ref d);
        else if (_lanes == 16) Segments512x1(ref x, first, end, zero, ref d);
        else if (_lanes == 8 && vectors == Vectors) Segments256(ref x, first, end, zero, ref d);
        else if (_lanes == 8) Segments256x1(ref x, first, end, zero, ref d);
        else ScalarSegments(ref x, first, end, zero, ref d, width);
    }

    private void Segments512(ref float x, int first, int end, bool zero, ref float d)
    {
        ref int start = ref MemoryMarshal.GetArrayDataReference(_start);
        ref Tap tap = ref MemoryMarshal.GetArrayDataReference(_taps);
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, 128))
        {
            int s0 = Unsafe.Add(ref start, k), s1 = Unsafe.Add(ref start, k + 1);
            if (s0 == s1 && !zero) continue;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            if (!zero)
            {
                a0 = Vector512.LoadUnsafe(ref d); a1 = Vector512.LoadUnsafe(ref d, 16); a2 = Vector512.LoadUnsafe(ref d, 32); a3 = Vector512.LoadUnsafe(ref d, 48);
                a4 = Vector512.LoadUnsafe(ref d, 64); a5 = Vector512.LoadUnsafe(ref d, 80); a6 = Vector512.LoadUnsafe(ref d, 96); a7 = Vector512.LoadUnsafe(ref d, 112);
            }
            for (int s = s0; s < s1; s++)
            {
                ref Tap t = ref Unsafe.Add(ref tap, s);
                var v = Vector512.Create(t.Value);
                ref float p = ref Unsafe.Add(ref x, t.Offset);
                a0 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p), a0);
                a1 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 16), a1);
                a2 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 32), a2);
                a3 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 48), a3);
                a4 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 64), a4);
                a5 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 80), a5);
                a6 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 96), a6);
                a7 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 112), a7);
            }
            a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, 16); a2.StoreUnsafe(ref d, 32); a3.StoreUnsafe(ref d, 48);
            a4.StoreUnsafe(ref d, 64); a5.StoreUnsafe(ref d, 80); a6.StoreUnsafe(ref d, 96); a7.StoreUnsafe(ref d, 112);
        }
    }

    // As Segments512 with 4 vectors (64 outputs): tails.
    private void Segments512x4(ref float x, int first, int end, bool zero, ref float d)
    {
        ref int start = ref MemoryMarshal.GetArrayDataReference(_start);
        ref Tap tap = ref MemoryMarshal.GetArrayDataReference(_taps);
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, 64))
        {
            int s0 = Unsafe.Add(ref start, k), s1 = Unsafe.Add(ref start, k + 1);
            if (s0 == s1 && !zero) continue;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            if (!zero)
            {
                a0 = Vector512.LoadUnsafe(ref d); a1 = Vector512.LoadUnsafe(ref d, 16); a2 = Vector512.LoadUnsafe(ref d, 32); a3 = Vector512.LoadUnsafe(ref d, 48);
            }
            for (int s = s0; s < s1; s++)
            {
                ref Tap t = ref Unsafe.Add(ref tap, s);
                var v = Vector512.Create(t.Value);
                ref float p = ref Unsafe.Add(ref x, t.Offset);
                a0 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p), a0);
                a1 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 16), a1);
                a2 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 32), a2);
                a3 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 48), a3);
            }
            a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, 16); a2.StoreUnsafe(ref d, 32); a3.StoreUnsafe(ref d, 48);
        }
    }

    // As Segments512 with one vector (16 outputs): tails.
    private void Segments512x1(ref float x, int first, int end, bool zero, ref float d)
    {
        ref int start = ref MemoryMarshal.GetArrayDataReference(_start);
        ref Tap tap = ref MemoryMarshal.GetArrayDataReference(_taps);
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, 16))
        {
            int s0 = Unsafe.Add(ref start, k), s1 = Unsafe.Add(ref start, k + 1);
            if (s0 == s1 && !zero) continue;
            var a = zero ? default : Vector512.LoadUnsafe(ref d);
            for (int s = s0; s < s1; s++)
            {
                ref Tap t = ref Unsafe.Add(ref tap, s);
                a = Vector512.FusedMultiplyAdd(Vector512.Create(t.Value), Vector512.LoadUnsafe(ref Unsafe.Add(ref x, t.Offset)), a);
            }
            a.StoreUnsafe(ref d);
        }
    }

    // As Segments512 with 8 lanes (64 outputs).
    private void Segments256(ref float x, int first, int end, bool zero, ref float d)
    {
        ref int start = ref MemoryMarshal.GetArrayDataReference(_start);
        ref Tap tap = ref MemoryMarshal.GetArrayDataReference(_taps);
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, 64))
        {
            int s0 = Unsafe.Add(ref start, k), s1 = Unsafe.Add(ref start, k + 1);
            if (s0 == s1 && !zero) continue;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            if (!zero)
            {
                a0 = Vector256.LoadUnsafe(ref d); a1 = Vector256.LoadUnsafe(ref d, 8); a2 = Vector256.LoadUnsafe(ref d, 16); a3 = Vector256.LoadUnsafe(ref d, 24);
                a4 = Vector256.LoadUnsafe(ref d, 32); a5 = Vector256.LoadUnsafe(ref d, 40); a6 = Vector256.LoadUnsafe(ref d, 48); a7 = Vector256.LoadUnsafe(ref d, 56);
            }
            for (int s = s0; s < s1; s++)
            {
                ref Tap t = ref Unsafe.Add(ref tap, s);
                var v = Vector256.Create(t.Value);
                ref float p = ref Unsafe.Add(ref x, t.Offset);
                a0 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p), a0);
                a1 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 8), a1);
                a2 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 16), a2);
                a3 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 24), a3);
                a4 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 32), a4);
                a5 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 40), a5);
                a6 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 48), a6);
                a7 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 56), a7);
            }
            a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, 8); a2.StoreUnsafe(ref d, 16); a3.StoreUnsafe(ref d, 24);
            a4.StoreUnsafe(ref d, 32); a5.StoreUnsafe(ref d, 40); a6.StoreUnsafe(ref d, 48); a7.StoreUnsafe(ref d, 56);
        }
    }

    // As Segments512x1 with 8 lanes.
    private void Segments256x1(ref float x, int first, int end, bool zero, ref float d)
    {
        ref int start = ref MemoryMarshal.GetArrayDataReference(_start);
        ref Tap tap = ref MemoryMarshal.GetArrayDataReference(_taps);
        for (int k = first; k < end; k++, d = ref Unsafe.Add(ref d, 8))
        {
            int s0 = Unsafe.Add(ref start, k), s1 = Unsafe.Add(ref start, k + 1);
            if (s0 == s1 && !zero) continue;
            var a = zero ? default : Vector256.LoadUnsafe(ref d);
            for (int s = s0; s < s1; s++)
            {
                ref Tap t = ref Unsafe.Add(ref tap, s);
                a = Vector256.FusedMultiplyAdd(Vector256.Create(t.Value), Vector256.LoadUnsafe(ref Unsafe.Add(ref x, t.Offset)), a);
            }
            a.StoreUnsafe(ref d);
        }
    }

    // The scalar twin: the same FMAs in the same order, one output at a time.
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
