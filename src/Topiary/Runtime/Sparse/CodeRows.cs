// CodeRows: a weight-shared layer's row structure, codes and codebook (a .tpz QuantizedLayer, QuantizedLayerCodes) as
// InferencePlan turns it into a CodebookWeight — possibly with its columns permuted to the order its inputs arrive in
// (the previous layer ran with permuted rows) and its rows permuted to the order that packs the sell slices best
// (SellRowOrder), exactly as the plan permutes a float sell layer's matrix. Permuting moves entries, never values.
//   Row r stores Columns[k] with code Codes[k] (1..K, centroid Codes[k] − 1) for k in [Pointers[r], Pointers[r + 1]),
//   columns increasing.
using System.Runtime.CompilerServices;
using Topiary.Compression.Container;

namespace Topiary.Runtime.Sparse;

/// <summary>A weight-shared layer's CSR structure, byte codes and centroids.</summary>
/// <param name="Rows">Rows of the matrix.</param>
/// <param name="Cols">Columns of the matrix.</param>
/// <param name="Pointers">Row r's entries are [Pointers[r], Pointers[r + 1]); Rows + 1 offsets.</param>
/// <param name="Columns">The column of each entry, increasing within a row.</param>
/// <param name="Codes">The code of each entry (1..K).</param>
/// <param name="Centroids">The codebook (K ≤ 255 values).</param>
internal sealed record CodeRows(int Rows, int Cols, int[] Pointers, int[] Columns, byte[] Codes, float[] Centroids)
{
    /// <summary>The layer's codes as stored (K ≤ 255 checked by the caller).</summary>
    public static CodeRows From(QuantizedLayerCodes codes) =>
        new(codes.Rows, codes.Cols, codes.RowPointers, codes.Columns, [.. codes.Codes.Select(c => (byte)c)], codes.Centroids);

    /// <summary>The layer as a codebook weight (validated by its constructor).</summary>
    public CodebookWeight ToWeight() => new(Rows, Cols, Pointers, Columns, Codes, Centroids);

    /// <summary>Row i of the result is row <paramref name="order"/>[i] of this matrix (a permutation of the rows).</summary>
    /// <exception cref="ArgumentException"><paramref name="order"/> is not a permutation of the rows.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public CodeRows PermuteRows(int[] order)
    {
        CheckPermutation(order, Rows, nameof(order));
        var pointers = new int[Rows + 1];
        var columns = new int[Columns.Length];
        var codes = new byte[Codes.Length];
        for (int i = 0; i < Rows; i++)
        {
            int from = Pointers[order[i]], count = Pointers[order[i] + 1] - from;
            Array.Copy(Columns, from, columns, pointers[i], count);
            Array.Copy(Codes, from, codes, pointers[i], count);
            pointers[i + 1] = pointers[i] + count;
        }
        return this with { Pointers = pointers, Columns = columns, Codes = codes };
    }

    /// <summary>
    /// The matrix for inputs that arrive permuted: input j holds feature <paramref name="order"/>[j], so entry (r, c)
    /// moves to column j with order[j] = c; each row's entries are re-sorted by column.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="order"/> is not a permutation of the columns.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public CodeRows PermuteColumns(int[] order)
    {
        CheckPermutation(order, Cols, nameof(order));
        var position = new int[Cols];
        for (int j = 0; j < Cols; j++) position[order[j]] = j;
        var columns = new int[Columns.Length];
        var codes = new byte[Codes.Length];
        for (int r = 0; r < Rows; r++)
        {
            int from = Pointers[r], to = Pointers[r + 1];
            for (int k = from; k < to; k++) columns[k] = position[Columns[k]];
            Array.Copy(Codes, from, codes, from, to - from);
            Array.Sort(columns, codes, from, to - from);
        }
        return this with { Columns = columns, Codes = codes };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CheckPermutation(int[] order, int n, string name)
    {
        var seen = new bool[n];
        bool ok = order.Length == n;
        for (int i = 0; ok && i < n; i++)
        {
            ok = (uint)order[i] < (uint)n && !seen[order[i]];
            if (ok) seen[order[i]] = true;
        }
        if (!ok) throw new ArgumentException($"The order must be a permutation of 0..{n - 1}; got {order.Length} entries.", name);
    }
}
