// GemmBuffers: per-thread, 64-byte-aligned scratch memory for packed panels and edge tiles.
// Buffers are pinned arrays on the pinned object heap, grown on demand and kept in thread-static
// fields, so steady-state GEMM calls allocate nothing. A buffer is only used by its own thread
// for the duration of one call (the shared packed-B block belongs to the calling thread).
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

    /// <summary>Aligned scratch for a packed B block (owned by the calling thread; workers only read it).</summary>
    public static float* PackB(int floats) => Get(ref t_packB, floats);

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
