// CodebookWeight: a pruned, weight-shared layer as Deep Compression stores it — the sparse structure, one code per
// stored weight and a codebook of at most 255 centroids — run without decoding to float weights. The entries sit in
// the sell layout (SellLayout: 16-row slices, a sliding 32-column window) with one 16-bit word per slot instead of a
// float and a byte offset: code (low byte; c ≥ 1 is centroid c − 1, 0 is padding, table[0] = 0) | column offset in the
// window << 8 (255 for padding), or for codebooks of ≤ 31 centroids on AVX-512 hosts offset | code << 8 (SlotWords;
// CodebookKernels places the words). Kernels look the centroids up in registers (CodebookKernels); the scalar twins come
// from ForEachStored like every format's. On AVX2 hosts without AVX-512 (RowKernels) the sell kernels would have to
// gather with AVX2's slow hardware gathers, so there the weight keeps its rows instead of the sell layout — CSR arrays of
// 16-bit columns and byte codes (StorageBytes = 3·nnz + 4·(Rows + 1) + the table), multiplied by the float CSR kernels
// with the centroids looked up (CsrKernels over CodeEntries) — when the columns fit 16 bits.
//   StorageBytes = 2·slots (code + offset) + Slices·Positions (steps) + 4·max(64, K + 1) (the table: 0, the K
//   centroids, zeros) + 256 for the CodeLow layout with K < 64 (the first 64 table entries' 16-bit halves, for the
//   register lookup).
// Build it from CSR structure and codes (CompressedModel's QuantizedLayerCodes, via InferencePlan) or from a matrix
// that already holds at most 255 distinct non-zero values (FromQuantized).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Runtime.Sparse;

/// <summary>A weight matrix of codebook indices (≤ 8 bits) and centroids in the sell layout, multiplied without decoding.</summary>
public sealed class CodebookWeight : SparseWeight
{
    /// <summary>The largest codebook (byte codes; code 0 is reserved for padding).</summary>
    public const int MaxCentroids = 255;

    private readonly AlignedArray<ushort> _slots; // per slot a code (0 = padding, c = centroid c − 1) and an offset byte (CodebookKernels.Place)
    private readonly AlignedArray<float> _table; // [0, centroids..., zeros] — at least 64 entries for the register lookups
    private readonly AlignedArray<ushort> _halves; // the first 64 entries' low and high 16 bits (CodebookKernels.SplitHalves), when looked up so
    private readonly int _k;
    private readonly long _nonZeros;
    // The entries by row (pointers, 16-bit columns, byte codes) for the CSR kernels, kept instead of the sell slots on
    // AVX2 hosts without AVX-512 when the columns fit 16 bits; else null.
    private readonly int[]? _rowPointers;
    private readonly ushort[]? _rowColumns;
    private readonly byte[]? _rowCodes;

    /// <summary>
    /// Builds the weight [rows, cols] whose row r stores columns[k] with centroid codes[k] − 1 for
    /// k in [rowPointers[r], rowPointers[r + 1]).
    /// </summary>
    /// <param name="rows">Rows (≥ 0).</param>
    /// <param name="cols">Columns (≥ 0).</param>
    /// <param name="rowPointers">Rows + 1 non-decreasing offsets, the first 0 and the last the entry count.</param>
    /// <param name="columns">Column of each entry, strictly increasing within a row, in [0, cols).</param>
    /// <param name="codes">Code of each entry, 1..K (code c is <paramref name="centroids"/>[c − 1]).</param>
    /// <param name="centroids">The codebook, K ≤ 255 values.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException">The structure is inconsistent (named in the message), a code is 0 or above K, or K exceeds 255.</exception>
    public CodebookWeight(int rows, int cols, ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columns, ReadOnlySpan<byte> codes,
        ReadOnlySpan<float> centroids) : base(rows, cols)
    {
        Validate(rows, cols, rowPointers, columns, codes, centroids.Length);
        _k = centroids.Length;
        foreach (byte code in codes) if (centroids[code - 1] != 0) _nonZeros++;
        var table = new float[Math.Max(64, centroids.Length + 1)];
        centroids.CopyTo(table.AsSpan(1));
        _table = new AlignedArray<float>(table);
        FiniteWeights = true;
        foreach (float c in centroids) FiniteWeights &= float.IsFinite(c);
        Words = CodebookKernels.WordsFor(_k + 1);
        if (RowKernels && cols <= Csr16Weight.MaxCols)
        {
            // Rows only: the sell layout is not built.
            _rowPointers = rowPointers.ToArray();
            _rowColumns = new ushort[columns.Length];
            for (int e = 0; e < columns.Length; e++) _rowColumns[e] = (ushort)columns[e];
            _rowCodes = codes.ToArray();
            _slots = new AlignedArray<ushort>([]);
            _halves = _slots;
            return;
        }
        Layout = new SellLayout(rows, cols, rowPointers, columns, out var entryOfSlot, out var offsets);
        int codeShift = CodebookKernels.CodeShift(Words), offsetShift = CodebookKernels.OffsetShift(Words);
        var words = new ushort[entryOfSlot.Length];
        foreach (var (block, _, _, k, steps) in Layout.Walk())
            for (int l = 0; l < SellLayout.SliceRows; l++)
            {
                int slot = block + SellLayout.SliceRows * k + l, code = entryOfSlot[slot] < 0 ? 0 : codes[entryOfSlot[slot]];
                var (codeWord, offsetWord) = CodebookKernels.Place(Words, block, k, steps, l);
                words[codeWord] |= (ushort)(code << codeShift);
                words[offsetWord] |= (ushort)(offsets[slot] << offsetShift);
            }
        _slots = new AlignedArray<ushort>(words);
        _halves = new AlignedArray<ushort>(Words == SlotWords.CodeLow && table.Length == 64 ? CodebookKernels.SplitHalves(table) : []);
    }

    /// <summary>True on hosts that run codebook rows with the CSR kernels (AVX2 without AVX-512) rather than the sell kernels.</summary>
    internal static bool RowKernels => Avx2.IsSupported && !Avx512F.IsSupported;

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Codebook;

    /// <inheritdoc/>
    public override long StoredValues => _rowCodes?.Length ?? _slots.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _nonZeros;

    /// <inheritdoc/>
    public override long StorageBytes => 4L * _table.Length + (_rowCodes is null
        ? 2L * _slots.Length + Layout!.Steps.Length + 2L * _halves.Length
        : 3L * _rowCodes.Length + 4L * (Rows + 1));

    /// <summary>The codebook (code c ≥ 1 stands for Centroids[c − 1]).</summary>
    public ReadOnlySpan<float> Centroids => _table.Span.Slice(1, _k);

    /// <summary>The slot layout; null where the rows are kept instead (<see cref="RowKernels"/>).</summary>
    internal SellLayout? Layout { get; }

    /// <summary>How the slot words hold codes and offsets (chosen by the codebook's size on this host).</summary>
    internal SlotWords Words { get; }

    /// <summary>True when every centroid is finite (then all-zero input windows may be skipped).</summary>
    internal bool FiniteWeights { get; }

    /// <summary>
    /// The codebook form of <paramref name="dense"/> [rows, cols] when its non-zero entries take at most 255 distinct values
    /// (e.g. a Deep Compression layer after weight sharing): centroids in ascending order, entries equal to 0 not stored.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> has the wrong length or more than 255 distinct non-zero values.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static CodebookWeight FromQuantized(ReadOnlySpan<float> dense, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        CheckDense(dense.Length, rows, cols);
        var csr = CsrArrays<int>.FromDense(dense, rows, cols);
        var centroids = csr.Values.Distinct().Order().ToArray();
        if (centroids.Length > MaxCentroids)
            throw new ArgumentException($"The matrix holds {centroids.Length} distinct non-zero values; a codebook holds at most {MaxCentroids}.", nameof(dense));
        var index = new Dictionary<float, byte>();
        for (int i = 0; i < centroids.Length; i++) index[centroids[i]] = (byte)(i + 1);
        var codes = csr.Values.Select(v => index[v]).ToArray();
        return new CodebookWeight(rows, cols, csr.Pointers, csr.Columns, codes, centroids);
    }

    /// <summary>
    /// The entries by column for the batch-1 dataflow that walks only the non-zero inputs (CodeColumns), or null when the
    /// weight has more than <see cref="CodeColumns.MaxRows"/> rows.
    /// </summary>
    internal CodeColumns? ToColumns() =>
        Rows > CodeColumns.MaxRows ? null : new CodeColumns(Rows, Cols, _table.Span[..(_k + 1)], visit => ForEachCode(visit));

    // Calls visit(row, column, code) for every stored entry, in storage order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForEachCode(Action<int, int, int> visit)
    {
        if (_rowCodes is not null)
        {
            for (int r = 0; r < Rows; r++)
                for (int e = _rowPointers![r]; e < _rowPointers[r + 1]; e++) visit(r, _rowColumns![e], _rowCodes[e]);
            return;
        }
        foreach (var (block, slice, p, k, steps) in Layout!.Walk())
            for (int l = 0; l < SellLayout.SliceRows; l++)
            {
                var (codeWord, offsetWord) = CodebookKernels.Place(Words, block, k, steps, l);
                int offset = (_slots[offsetWord] >> CodebookKernels.OffsetShift(Words)) & 0xFF;
                if (offset != SellLayout.PaddingOffset)
                    visit(slice * SellLayout.SliceRows + l, SellLayout.RegisterCols * p + offset, (_slots[codeWord] >> CodebookKernels.CodeShift(Words)) & 0xFF);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override unsafe void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (_rowCodes is not null)
        {
            fixed (int* pointers = _rowPointers)
            fixed (ushort* columns = _rowColumns)
            fixed (byte* codes = _rowCodes)
            fixed (float* px = x)
            fixed (float* py = y)
            fixed (float* pb = bias)
                CsrKernels.Multiply(new CodeEntries(codes, _table.Pointer), columns, pointers, Rows, Cols, px, n, py, pb, relu);
        }
        else if (Avx512F.IsSupported && Cols > 0)
            CodebookKernels.MultiplyAvx512(Layout!, _slots.Pointer, _table.Pointer, _k + 1, _halves.Pointer, FiniteWeights, x, n, y, bias, relu);
        else if (Avx2.IsSupported && Cols > 0)
            CodebookKernels.MultiplyAvx2(Layout!, _slots.Pointer, _table.Pointer, x, n, y, bias, relu);
        else
            for (int i = 0; i < n; i++)
            {
                var yi = y.Slice(i * Rows, Rows);
                Layout!.MultiplyPortable(new Slots(_slots, _table, Words), x.Slice(i * Cols, Cols), yi);
                Finish(yi, bias, relu);
            }
        GC.KeepAlive(this);
    }

    private protected override unsafe void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        if (_rowCodes is null)
        {
            Layout!.MultiplyColumns(new Slots(_slots, _table, Words), b, ldb, p, c, ldc, bias, relu);
            return;
        }
        fixed (byte* codes = _rowCodes)
            CsrKernels.MultiplyColumns(new CodeEntries(codes, _table.Pointer), _rowColumns, _rowPointers, Rows, b, ldb, p, c, ldc, bias, relu);
        GC.KeepAlive(this);
    }

    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        if (_rowCodes is null) Layout!.ForEachStored(new Slots(_slots, _table, Words), visit);
        else ForEachCode((r, j, code) => visit(r, j, _table[code]));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Validate(int rows, int cols, ReadOnlySpan<int> pointers, ReadOnlySpan<int> columns, ReadOnlySpan<byte> codes, int k)
    {
        if (k > MaxCentroids) throw new ArgumentException($"A codebook holds at most {MaxCentroids} centroids; got {k}.", "centroids");
        if (pointers.Length != rows + 1 || pointers[0] != 0 || pointers[rows] != columns.Length)
            throw new ArgumentException($"Row pointers must be {rows + 1} offsets from 0 to the entry count {columns.Length}; got {pointers.Length} ending at {(pointers.IsEmpty ? 0 : pointers[^1])}.", "rowPointers");
        if (codes.Length != columns.Length)
            throw new ArgumentException($"There are {columns.Length} columns but {codes.Length} codes.", nameof(codes));
        for (int r = 0; r < rows; r++)
        {
            if (pointers[r + 1] < pointers[r]) throw new ArgumentException($"Row pointers decrease at row {r}.", "rowPointers");
            for (int e = pointers[r]; e < pointers[r + 1]; e++)
            {
                if ((uint)columns[e] >= (uint)cols || e > pointers[r] && columns[e] <= columns[e - 1])
                    throw new ArgumentException($"Row {r}: column {columns[e]} is outside [0, {cols}) or not after the previous one.", nameof(columns));
                if (codes[e] == 0 || codes[e] > k)
                    throw new ArgumentException($"Row {r}, column {columns[e]}: code {codes[e]} is outside 1..{k}.", nameof(codes));
            }
        }
    }

    private readonly struct Slots(AlignedArray<ushort> words, AlignedArray<float> table, SlotWords layout) : ISlotValues
    {
        public (float Weight, int Offset) At(int block, int step, int steps, int lane)
        {
            var (code, offset) = CodebookKernels.Place(layout, block, step, steps, lane);
            return (table[(words[code] >> CodebookKernels.CodeShift(layout)) & 0xFF], (words[offset] >> CodebookKernels.OffsetShift(layout)) & 0xFF);
        }
    }
}
