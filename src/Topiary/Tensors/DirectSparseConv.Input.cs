// DirectSparseConv's input side: the zero-padded phase image it reads, and the per-thread shifted copies its kernels
// read it through.
// Pad writes phase channel (c·SH + a)·SW + e, row u, column v = padded image (u·SH + a, v·SW + e) of channel c, zero
// outside the image; rows are Wp floats (a multiple of 16), so with stride 1 it is the ordinary padded image.
// Copy writes, for channel block b and the virtual positions [q0, q0 + width) of a work item, copy j of every phase
// channel p of the block: the floats padded[p·plane + q0 + j + k] for k < width + (KH' − 1)·Wp, at
// (j·block + p mod block)·copy in a 64-byte aligned per-thread scratch. A stored weight (p, i, j) then reads its 8
// vectors from (j·block + p mod block)·copy + i·Wp on, a multiple of 16 floats: no load crosses a cache line.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

internal sealed partial class DirectSparseConv
{
    [ThreadStatic]
    private static float[]? t_scratch; // partial sums and copies; pinned: its 64-byte aligned origin does not move
    [ThreadStatic]
    private static float[]? t_padded; // the calling thread's padded image, shared by every layer it runs in turn; pinned

    // Writes the padded phase image to `padded` (64-byte aligned).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Pad(ReadOnlySpan<float> image, Span<float> padded)
    {
        var g = _g;
        int h = g.Height, w = g.Width, wp = _paddedW, sh = g.StrideH, sw = g.StrideW, phases = sh * sw;
        for (int p = 0; p < _channels; p++)
        {
            int c = p / phases, a = p % phases / sw, e = p % sw;
            var source = image.Slice(c * h * w, h * w);
            // Columns v with 0 ≤ v·SW + e − PL < W.
            int v0 = Math.Max(0, (g.PadLeft - e + sw - 1) / sw), v1 = Math.Min(wp, (w + g.PadLeft - e + sw - 1) / sw);
            for (int u = 0; u < _paddedH; u++)
            {
                var row = padded.Slice(p * _plane + u * wp, wp);
                int y = u * sh + a - g.PadTop;
                if (y < 0 || y >= h || v1 <= v0) { row.Clear(); continue; }
                row[..v0].Clear();
                row[v1..].Clear();
                var line = source.Slice(y * w, w);
                if (sw == 1) line.Slice(v0 - g.PadLeft + e, v1 - v0).CopyTo(row[v0..]);
                else
                    for (int v = v0, x = v0 * sw + e - g.PadLeft; v < v1; v++, x += sw) row[v] = line[x];
            }
        }
        padded.Slice(_channels * _plane, _chunk + _kernelW + 16).Clear(); // read past the last plane by the last chunk
    }

    // The shifted copies of channel block b for virtual positions [q0, q0 + width).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Copy(ReadOnlySpan<float> padded, int b, int q0, int width, Span<float> copies)
    {
        int length = width + (_kernelH - 1) * _paddedW; // a multiple of 8 floats
        ref float source = ref MemoryMarshal.GetReference(padded);
        ref float target = ref MemoryMarshal.GetReference(copies);
        for (int p = b * _channelBlock; p < Math.Min(_channels, (b + 1) * _channelBlock); p++)
            for (int j = 0; j < _kernelW; j++)
            {
                ref float from = ref Unsafe.Add(ref source, p * _plane + q0 + j);
                ref float to = ref Unsafe.Add(ref target, (j * _channelBlock + p - b * _channelBlock) * _copyLength);
                int k = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; k + 16 <= length; k += 16) Vector512.LoadUnsafe(ref from, (nuint)k).StoreUnsafe(ref to, (nuint)k);
                for (; k < length; k += 8) Vector256.LoadUnsafe(ref from, (nuint)k).StoreUnsafe(ref to, (nuint)k);
            }
    }

    // `buffer` (a thread-static field) holding at least `length` floats from `origin`, its first 64-byte aligned element;
    // pinned, so the origin stays aligned.
    private static unsafe float[] Aligned(ref float[]? buffer, long length, out int origin)
    {
        if (length + 16 > Array.MaxLength) throw new ArgumentException($"direct sparse convolution: a scratch buffer of {length} values is too large (reduce the batch).");
        if (buffer is null || buffer.Length < length + 16) buffer = GC.AllocateUninitializedArray<float>((int)length + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref buffer[0]);
        origin = (int)((64 - (address & 63)) & 63) / sizeof(float);
        return buffer;
    }
}
