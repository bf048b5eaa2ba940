// CodeColumns: a codebook weight's entries kept by column — per column the rows that store it (16-bit, ascending) and
// their codes (one byte) — for the batch-1 column dataflow (ColumnDataflow) on hosts that do not run the AVX-512 sell
// codes kernels: each entry of a non-zero input's column adds table[code]·x[j] to its row (the float CscColumns' walk,
// with a one-byte code in place of a 4-byte value and a 2-byte row in place of a 4-byte one). Every row's sum starts at +0 and
// runs over its stored columns in ascending order, one rounded product and one rounded addition a term: bit for bit the
// scalar twin of the decoded layer in CSR form (a CsrWeight's MultiplyScalar) for finite inputs.
//   Bytes = 3·nnz (row, code) + 4·(Cols + 1) (column pointers) + 4·(K + 1) (the table).

namespace Topiary.Runtime.Sparse;

/// <summary>A codebook weight's column form and its zero-skipping matrix-vector product.</summary>
internal sealed class CodeColumns : ColumnDataflow
{
    /// <summary>The most rows a 16-bit row index addresses.</summary>
    public const int MaxRows = 65536;

    private readonly int[] _pointers; // Cols + 1
    private readonly ushort[] _rows; // per column ascending
    private readonly byte[] _codes;
    private readonly float[] _table; // [0, centroids...]

    /// <summary>Collects the entries (row, column, code) of a weight [rows, cols] whose code c stands for table[c].</summary>
    /// <param name="rows">Rows (at most <see cref="MaxRows"/>).</param>
    /// <param name="cols">Columns.</param>
    /// <param name="table">The codebook with table[0] = 0 (padding) and centroid c − 1 at c.</param>
    /// <param name="forEach">Calls its argument once per stored entry (row, column, code), in any order.</param>
    /// <exception cref="ArgumentException">Too many rows, or an entry is outside the shape or its code outside the table.</exception>
    public CodeColumns(int rows, int cols, ReadOnlySpan<float> table, Action<Action<int, int, int>> forEach) : base(rows, cols)
    {
        if (rows > MaxRows) throw new ArgumentException($"CodeColumns stores 16-bit row indices, so at most {MaxRows} rows; this weight has {rows}.", nameof(rows));
        _table = table.ToArray();
        int tableLength = _table.Length;
        var entries = new List<(long Key, byte Code)>();
        forEach((r, j, c) =>
        {
            if ((uint)r >= (uint)rows || (uint)j >= (uint)cols || (uint)c >= (uint)tableLength)
                throw new ArgumentException($"Entry (row {r}, column {j}, code {c}) is outside [{rows}, {cols}] or a table of {tableLength}.", nameof(forEach));
            entries.Add(((long)j * rows + r, (byte)c));
        });
        entries.Sort((a, b) => a.Key.CompareTo(b.Key)); // by column, then row
        _pointers = new int[cols + 1];
        _rows = new ushort[entries.Count];
        _codes = new byte[entries.Count];
        for (int k = 0; k < entries.Count; k++)
        {
            var (key, code) = entries[k];
            _pointers[key / rows + 1]++;
            _rows[k] = (ushort)(key % rows);
            _codes[k] = code;
        }
        for (int j = 0; j < cols; j++) _pointers[j + 1] += _pointers[j];
    }

    /// <inheritdoc/>
    public override long Bytes => 3L * _rows.Length + 4L * _pointers.Length + 4L * _table.Length;

    private protected override unsafe void Walk(ReadOnlySpan<float> x, ReadOnlySpan<int> nonZero, Span<float> y)
    {
        fixed (int* pointers = _pointers)
        fixed (ushort* rows = _rows)
        fixed (byte* codes = _codes)
        fixed (float* table = _table)
        fixed (float* px = x)
        fixed (float* py = y)
            CsrKernels.MultiplySkippingZeroInputs(new CodeEntries(codes, table), rows, pointers, Cols, px, nonZero, py);
    }
}
