// GemmBuffers: per-thread, 64-byte-aligned scratch memory for packed panels and edge tiles.
// Buffers are pinned arrays on the pinned object heap, grown on demand and kept in thread-static
// fields, so steady-state GEMM calls allocate nothing. A buffer is only used by its own thread
// for the duration of one call; the shared packed-B block is rented by the calling thread for the
// call (taken out of its slot, so even a re-entrant call on that thread cannot overwrite it).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Topiary.Tensors;

/// <summary>Thread-static aligned scratch buffers for GEMM packing.</summary>
internal static unsafe class GemmBuffers
{
    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;
    [ThreadStatic] private static float[]? t_tile;
    [ThreadStatic] private static float[]? t_panelB;

    /// <summary>Aligned scratch for a packed A block (this thread only).</summary>
    public static float* PackA(int floats) => Get(ref t_packA, floats);

    /// <summary>
    /// Takes this thread's packed-B buffer (at least <paramref name="floats"/>, aligned pointer in
    /// <paramref name="aligned"/>) out of its slot for the duration of a call: workers read it while the
    /// caller waits, so a re-entrant GEMM on this thread must not reuse it. Give it back with <see cref="ReturnPackB"/>.
    /// </summary>
    public static float[] RentPackB(int floats, out float* aligned)
    {
        float[]? buffer = t_packB;
        t_packB = null;
        aligned = Get(ref buffer, floats);
        return buffer!;
    }

    /// <summary>Returns a buffer taken with <see cref="RentPackB"/> (kept for the next call on this thread).</summary>
    public static void ReturnPackB(float[] buffer)
    {
        if (t_packB is null || t_packB.Length < buffer.Length) t_packB = buffer;
    }

    /// <summary>Aligned scratch for one B micro-panel packed just in time (this thread only).</summary>
    public static float* PanelB(int floats) => Get(ref t_panelB, floats);

    /// <summary>Aligned scratch for one register tile (edge tiles).</summary>
    public static float* Tile(int floats) => Get(ref t_tile, floats);

    private static float* Get(ref float[]? buffer, int floats)
    {
        const int AlignFloats = 16; // 64 bytes
        if (buffer is null || buffer.Length < floats + AlignFloats)
        {
            buffer = null; // let the old one go before allocating the new one
            buffer = GC.AllocateUninitializedArray<float>(floats + AlignFloats, pinned: true);
        }
        float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        nint misalign = (nint)p & 63;
        return misalign == 0 ? p : (float*)((byte*)p + (64 - misalign));
    }
}
