// NonZeroInputs: the indices of an input's non-zero elements, in ascending order, for the batch-1 column dataflows
// (CscColumns, CodeColumns), which then walk only those columns without a data-dependent branch per input. With AVX2,
// eight inputs at a time: compare with zero, take the 8-bit mask, and write the eight candidate indices permuted by a
// 256-entry table so the kept ones come first (the next group's store overwrites the rest); the scalar twin adds each
// index and advances by 0 or 1. NaN counts as non-zero (it is not equal to 0), so it reaches the rows of its column.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

/// <summary>Lists the non-zero elements of an input vector.</summary>
internal static class NonZeroInputs
{
    /// <summary>Slack <see cref="Find"/> needs past <c>x.Length</c> in its index buffer (its vector stores write 8 at a time).</summary>
    public const int Slack = 8;

    // Row m: the positions of the set bits of m, lowest first, then zeros.
    private static readonly int[] s_compress = BuildCompress();

    /// <summary>Writes the indices j with x[j] ≠ 0, ascending, to <paramref name="indices"/> and returns their count.</summary>
    /// <param name="x">The input.</param>
    /// <param name="indices">At least <c>x.Length + </c><see cref="Slack"/> elements.</param>
    /// <param name="vectorise">False: the scalar twin (tests).</param>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Find(ReadOnlySpan<float> x, Span<int> indices, bool vectorise = true)
    {
        if (indices.Length < x.Length + Slack)
            throw new ArgumentException($"The index buffer has {indices.Length} elements; an input of {x.Length} needs {x.Length + Slack}.", nameof(indices));
        ref float px = ref MemoryMarshal.GetReference(x);
        ref int pi = ref MemoryMarshal.GetReference(indices);
        int n = 0, j = 0;
        if (vectorise && Avx2.IsSupported)
        {
            ref int table = ref MemoryMarshal.GetArrayDataReference(s_compress);
            var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            for (; j + 8 <= x.Length; j += 8)
            {
                var zero = Vector256.Equals(Vector256.LoadUnsafe(ref px, (nuint)j), Vector256<float>.Zero);
                uint kept = ~zero.ExtractMostSignificantBits() & 0xFF;
                var order = Vector256.LoadUnsafe(ref table, kept * 8);
                (Avx2.PermuteVar8x32(lanes, order) + Vector256.Create(j)).StoreUnsafe(ref pi, (nuint)n);
                n += BitOperations.PopCount(kept);
            }
        }
        for (; j < x.Length; j++)
        {
            Unsafe.Add(ref pi, n) = j;
            n += Unsafe.Add(ref px, j) != 0 ? 1 : 0;
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] BuildCompress()
    {
        var table = new int[256 * 8];
        for (int m = 0; m < 256; m++)
            for (int bit = 0, k = 0; bit < 8; bit++)
                if ((m >> bit & 1) != 0) table[m * 8 + k++] = bit;
        return table;
    }
}
