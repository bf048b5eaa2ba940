// CsrMatrix: a float32 sparse matrix in compressed sparse row form, built once from a dense row-major
// weight and then read-only.
//   Values[j], ColumnIndices[j]  for j in [RowPointers[r], RowPointers[r + 1])  are the non-zeros of row r,
//   in increasing column order. RowPointers has Rows + 1 entries; RowPointers[Rows] = NonZeroCount.
// "Non-zero" means value != 0 (a NaN is kept; -0 and +0 are dropped), so A·x equals the dense product
// up to summation order whenever x is finite.
namespace Topiary.Runtime;

/// <summary>An immutable float32 matrix in compressed sparse row (CSR) form with int32 column indices.</summary>
public sealed class CsrMatrix
{
    private CsrMatrix(int rows, int cols, float[] values, int[] columnIndices, int[] rowPointers)
    {
        Rows = rows;
        Cols = cols;
        Values = values;
        ColumnIndices = columnIndices;
        RowPointers = rowPointers;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>The non-zero values, row by row (length <see cref="NonZeroCount"/>).</summary>
    public float[] Values { get; }

    /// <summary>The column of each value in <see cref="Values"/>.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>Row r's entries are [RowPointers[r], RowPointers[r + 1]); length Rows + 1.</summary>
    public int[] RowPointers { get; }

    /// <summary>Number of stored (non-zero) entries.</summary>
    public int NonZeroCount => Values.Length;

    /// <summary>NonZeroCount / (Rows·Cols); 0 for an empty shape.</summary>
    public double Density => Rows == 0 || Cols == 0 ? 0 : (double)NonZeroCount / ((long)Rows * Cols);

    /// <summary>Builds the CSR form of the dense row-major matrix <paramref name="dense"/> [rows, cols], keeping entries != 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> does not hold exactly rows·cols elements.</exception>
    public static CsrMatrix FromDense(ReadOnlySpan<float> dense, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if ((long)rows * cols != dense.Length)
            throw new ArgumentException($"Dense matrix has {dense.Length} elements; [{rows}, {cols}] needs {(long)rows * cols}.", nameof(dense));
        int nnz = 0;
        foreach (float v in dense) if (v != 0) nnz++;
        var values = new float[nnz];
        var columns = new int[nnz];
        var pointers = new int[rows + 1];
        int j = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = dense.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                if (row[c] == 0) continue;
                values[j] = row[c];
                columns[j] = c;
                j++;
            }
            pointers[r + 1] = j;
        }
        return new CsrMatrix(rows, cols, values, columns, pointers);
    }

    /// <summary>The dense row-major [Rows, Cols] form (zeros where nothing is stored).</summary>
    public float[] ToDense()
    {
        var dense = new float[Rows * Cols];
        for (int r = 0; r < Rows; r++)
            for (int j = RowPointers[r]; j < RowPointers[r + 1]; j++)
                dense[r * Cols + ColumnIndices[j]] = Values[j];
        return dense;
    }

    /// <inheritdoc/>
    public override string ToString() => $"CsrMatrix[{Rows}, {Cols}] nnz={NonZeroCount} density={Density:P2}";
}
