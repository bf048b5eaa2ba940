// ScratchArray: the grow-only scratch buffer behind the kernels' thread-static fields (im2col columns, Winograd's
// transformed tiles, channel-blocked depthwise planes): the field's array when it is long enough, else a new one
// stored in the field. Contents are not cleared; callers overwrite what they read. GrowAligned's arrays start at a
// 64-byte boundary (a cache line): a channels-last depthwise kernel loading 16 channels from an input that is not
// aligned so splits every load across two lines (87 against 140 µs on MobileNet-v2's 32 × 112 × 112 layer). They are
// pinned (the pinned object heap does not move them, so the alignment holds); pinned arrays are only as aligned as
// their allocator made them, so allocation is retried with lengths one float longer each time, which moves the next
// array's start by 4 bytes, until one starts on a line (the tried ones kept alive meanwhile so their space is not
// handed back). That is best effort — the allocator may place the tries elsewhere — and after 64 tries the last array
// is used as it is: only the speed of the loads depends on it.

using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Grow-only scratch arrays held in thread-static fields.</summary>
internal static class ScratchArray
{
    /// <summary>
    /// <paramref name="buffer"/> if it holds at least <paramref name="length"/> floats, else a new array stored in it;
    /// <paramref name="owner"/> names the layer or kernel in the error.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="length"/> exceeds the largest array .NET allocates.</exception>
    public static float[] Grow(ref float[]? buffer, long length, string owner = "kernel")
    {
        if (length > Array.MaxLength) throw new ArgumentException($"{owner}: a scratch buffer of {length} values is too large (reduce the batch).");
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    /// <summary>As <see cref="Grow"/>, a new array starting at a 64-byte boundary when the allocator allows (best
    /// effort), possibly up to 15 floats longer.</summary>
    /// <exception cref="ArgumentException"><paramref name="length"/> exceeds the largest array .NET allocates.</exception>
    public static float[] GrowAligned(ref float[]? buffer, long length, string owner = "kernel")
    {
        if (length > Array.MaxLength - 16) throw new ArgumentException($"{owner}: a scratch buffer of {length} values is too large (reduce the batch).");
        if (buffer is null || buffer.Length < length) buffer = Aligned((int)length);
        return buffer;
    }

    // True when the array's first element is at a 64-byte boundary.
    private static unsafe bool IsAligned(float[] array)
    {
        fixed (float* p = array) return ((nint)p & 63) == 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] Aligned(int length)
    {
        var tried = new List<float[]>();
        for (int extra = 0; extra < 64; extra++)
        {
            var a = GC.AllocateUninitializedArray<float>(length + extra % 16, pinned: true);
            if (IsAligned(a)) return a;
            tried.Add(a);
        }
        return tried[^1]; // not aligned: slower loads, the same results
    }
}
