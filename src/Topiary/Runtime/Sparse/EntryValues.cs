// EntryValues: where the CSR kernels (CsrKernels) read the values of a matrix's stored entries — the floats themselves
// (FloatEntries: CsrWeight, Csr16Weight, CscColumns), or byte codes looked up in a codebook (CodeEntries: a codebook
// weight's rows and columns on AVX2 hosts without AVX-512). A struct type argument, so each kernel is compiled per
// source with no call per entry; the float source's loads are the ones the kernels always made.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

/// <summary>The values of stored entries k, k + 1, … of a sparse matrix.</summary>
internal interface IEntryValues
{
    /// <summary>The value of entry <paramref name="k"/>.</summary>
    float this[nint k] { get; }

    /// <summary>The values of entries k … k + 7.</summary>
    Vector256<float> Eight(nint k);

    /// <summary>Asks for the cache line holding entry <paramref name="k"/>'s value (a hint: never faults, even past the end).</summary>
    void Prefetch(nint k);
}

/// <summary>Values stored as floats (pinned by the caller).</summary>
internal readonly unsafe struct FloatEntries(float* values) : IEntryValues
{
    public float this[nint k]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => values[k];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Eight(nint k) => Vector256.Load(values + k);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(nint k)
    {
        if (Sse.IsSupported) Sse.Prefetch0(values + k);
    }
}

/// <summary>Values stored as byte codes into a table of centroids (both pinned by the caller).</summary>
internal readonly unsafe struct CodeEntries(byte* codes, float* table) : IEntryValues
{
    public float this[nint k]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => table[codes[k]];
    }

    // Assembled with inserts, as the kernels gather their inputs (AVX2's hardware gather is slower here).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Eight(nint k)
    {
        byte* c = codes + k;
        return Vector256.Create(table[c[0]], table[c[1]], table[c[2]], table[c[3]], table[c[4]], table[c[5]], table[c[6]], table[c[7]]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(nint k)
    {
        if (Sse.IsSupported) Sse.Prefetch0(codes + k);
    }
}
