// QuantizedLayerCodes: one QuantizedLayer section as the runtime needs it — not densified. The weight is the matrix
// [Rows, Cols] = [dims[0], prod(rest)] (a conv filter bank flattened per output channel, the im2col row order);
// row r stores Columns[k] with code Codes[k] for k in [RowPointers[r], RowPointers[r + 1]), columns increasing;
// code c ≥ 1 stands for Centroids[c − 1] (the container's convention: code 0, zero, is never stored).
using Topiary.Compression.Codecs;

namespace Topiary.Compression.Container;

/// <summary>A weight-shared layer's sparse structure, codes and codebook, row by row.</summary>
public sealed class QuantizedLayerCodes
{
    private QuantizedLayerCodes(int[] shape, int rows, int cols, int[] rowPointers, int[] columns, ushort[] codes, float[] centroids, int bits)
    {
        Shape = shape;
        Rows = rows;
        Cols = cols;
        RowPointers = rowPointers;
        Columns = columns;
        Codes = codes;
        Centroids = centroids;
        Bits = bits;
    }

    /// <summary>The parameter's shape.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Rows of the matrix (dims[0]).</summary>
    public int Rows { get; }

    /// <summary>Columns of the matrix (product of the other dimensions).</summary>
    public int Cols { get; }

    /// <summary>Row r's entries are [RowPointers[r], RowPointers[r + 1]); Rows + 1 offsets.</summary>
    public int[] RowPointers { get; }

    /// <summary>Column of each stored weight, increasing within a row.</summary>
    public int[] Columns { get; }

    /// <summary>Code of each stored weight, 1..K.</summary>
    public ushort[] Codes { get; }

    /// <summary>The codebook (K values).</summary>
    public float[] Centroids { get; }

    /// <summary>Code width in bits as stored.</summary>
    public int Bits { get; }

    /// <summary>Number of stored weights.</summary>
    public int Count => Codes.Length;

    /// <summary>Builds the row-by-row form from entries in walk order (<paramref name="order"/>), codes already checked to be 1..K.</summary>
    internal static QuantizedLayerCodes FromWalk(int[] shape, int rows, int cols, SparseOrder order, ReadOnlySpan<int> positions,
        ReadOnlySpan<int> codes, float[] centroids, int bits)
    {
        // Counting sort by row; within a row the walk visits columns in increasing order either way.
        var pointers = new int[rows + 1];
        var storage = new int[positions.Length];
        for (int i = 0; i < positions.Length; i++)
        {
            storage[i] = SparseLayout.WalkToStorage(positions[i], rows, cols, order);
            pointers[storage[i] / cols + 1]++;
        }
        for (int r = 0; r < rows; r++) pointers[r + 1] += pointers[r];
        var next = pointers[..rows];
        var columns = new int[positions.Length];
        var sorted = new ushort[positions.Length];
        for (int i = 0; i < positions.Length; i++)
        {
            int at = next[storage[i] / cols]++;
            columns[at] = storage[i] % cols;
            sorted[at] = (ushort)codes[i];
        }
        return new QuantizedLayerCodes(shape, rows, cols, pointers, columns, sorted, centroids, bits);
    }
}
