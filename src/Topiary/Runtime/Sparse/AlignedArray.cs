// AlignedArray: an array on the pinned object heap whose element `Offset` sits on a 64-byte boundary, so SIMD kernels
// can read whole cache lines per 16-float vector. Pinned arrays never move, so a pointer taken once stays valid while
// the AlignedArray is alive. Allocated once per weight (not per call).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Topiary.Runtime.Sparse;

/// <summary>Pinned storage of <see cref="Length"/> elements starting at a 64-byte boundary.</summary>
internal sealed unsafe class AlignedArray<T> where T : unmanaged
{
    private readonly T[] _array;
    private readonly int _offset;

    /// <summary>Copies <paramref name="values"/> into new aligned storage.</summary>
    public AlignedArray(ReadOnlySpan<T> values)
    {
        int pad = 64 / sizeof(T);
        _array = GC.AllocateArray<T>(values.Length + pad, pinned: true);
        nint misalign = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array)) & 63;
        _offset = misalign == 0 ? 0 : (int)((64 - misalign) / sizeof(T));
        values.CopyTo(_array.AsSpan(_offset));
        Length = values.Length;
    }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Pointer to the first element (64-byte aligned; valid while this object is alive).</summary>
    public T* Pointer => (T*)Unsafe.AsPointer(ref _array[_offset]);

    /// <summary>The elements.</summary>
    public ReadOnlySpan<T> Span => _array.AsSpan(_offset, Length);

    /// <summary>Element <paramref name="i"/>.</summary>
    public T this[int i] => _array[_offset + i];
}
