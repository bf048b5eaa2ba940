// CsrArrays: the three arrays of a compressed sparse row matrix and the direct conversions between forms, shared by
// CsrWeight, Csr16Weight and CscColumns (no dense matrix in between):
//   Values[k], Columns[k]  for k in [Pointers[r], Pointers[r + 1])  are row r's stored entries, columns increasing;
//   Pointers has Rows + 1 entries, Pointers[Rows] = number of entries.
// "Stored" means value != 0 (NaN kept; ±0 dropped). Transpose turns CSR of A [rows, cols] into CSR of Aᵀ (= CSC of A)
// by a counting sort on the columns: O(nnz + rows + cols), rows increasing within each column.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>CSR arrays with column indices of type <typeparamref name="TIndex"/>.</summary>
/// <param name="Rows">Rows of the matrix.</param>
/// <param name="Cols">Columns of the matrix.</param>
/// <param name="Values">Stored values, row by row.</param>
/// <param name="Columns">The column of each stored value.</param>
/// <param name="Pointers">Row r's entries are [Pointers[r], Pointers[r + 1]); Rows + 1 entries.</param>
internal sealed record CsrArrays<TIndex>(int Rows, int Cols, float[] Values, TIndex[] Columns, int[] Pointers)
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    /// <summary>The CSR arrays of the row-major <paramref name="dense"/> [rows, cols] (length checked by the caller), keeping entries != 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static CsrArrays<TIndex> FromDense(ReadOnlySpan<float> dense, int rows, int cols)
    {
        int nnz = 0;
        foreach (float v in dense) if (v != 0) nnz++;
        var values = new float[nnz];
        var columns = new TIndex[nnz];
        var pointers = new int[rows + 1];
        int k = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = dense.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                if (row[c] == 0) continue;
                values[k] = row[c];
                columns[k] = TIndex.CreateTruncating(c);
                k++;
            }
            pointers[r + 1] = k;
        }
        return new CsrArrays<TIndex>(rows, cols, values, columns, pointers);
    }

    /// <summary>Aᵀ [Cols, Rows] in CSR (A in CSC), built directly by a counting sort on the columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public CsrArrays<int> Transpose()
    {
        int nnz = Values.Length;
        var pointers = new int[Cols + 1];
        foreach (var c in Columns) pointers[int.CreateTruncating(c) + 1]++;
        for (int c = 0; c < Cols; c++) pointers[c + 1] += pointers[c];
        var next = pointers[..Cols];
        var values = new float[nnz];
        var rows = new int[nnz];
        for (int r = 0; r < Rows; r++)
            for (int k = Pointers[r]; k < Pointers[r + 1]; k++)
            {
                int at = next[int.CreateTruncating(Columns[k])]++;
                values[at] = Values[k];
                rows[at] = r;
            }
        return new CsrArrays<int>(Cols, Rows, values, rows, pointers);
    }

    /// <summary>Calls <paramref name="visit"/>(row, column, value) for every stored entry, row by row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForEach(StoredEntryVisitor visit)
    {
        for (int r = 0; r < Rows; r++)
            for (int k = Pointers[r]; k < Pointers[r + 1]; k++) visit(r, int.CreateTruncating(Columns[k]), Values[k]);
    }
}
