// LayerWorkload: one weight layer seen as a matrix-vector workload, per example — Rows output units (FC
// neurons / conv filters), Cols inputs per unit (in_features, or (C/G)·KH·KW for a conv with G groups), Positions output pixels
// (1 for FC) — and the counts its sparsity pattern gives: non-zeros, non-empty rows and columns, kept aligned
// SIMD groups for a width (groups of `width` consecutive columns of a row starting at multiples of width; the
// last group of a row may be partial; kept if any entry ≠ 0; cached per width) and the filler entries a
// relative-index CSR needs. Dense MACs = Rows·Cols·Positions. The non-zero pattern is copied at construction,
// so later changes to the weight do not change the workload.
using System.Collections.Concurrent;
using Topiary.Nn;

namespace Topiary.Hardware;

/// <summary>A weight layer as a (sparse) matrix-vector workload, with the counts cost models need.</summary>
public sealed class LayerWorkload
{
    private readonly bool[] _nonZero; // row-major Rows x Cols
    private readonly ConcurrentDictionary<int, long> _keptGroups = new();
    private readonly ConcurrentDictionary<int, long> _fillers = new();

    private LayerWorkload(string name, LayerKind kind, int rows, int cols, int positions, int colsPerInput, long inputElements, bool[] nonZero)
    {
        Name = name;
        Kind = kind;
        Rows = rows;
        Cols = cols;
        Positions = positions;
        ColumnsPerInput = colsPerInput;
        InputElements = inputElements;
        _nonZero = nonZero;
        long nnz = 0;
        int nonEmptyRows = 0;
        var colUsed = new bool[cols];
        for (int r = 0; r < rows; r++)
        {
            bool any = false;
            for (int c = 0; c < cols; c++)
            {
                if (!nonZero[r * cols + c]) continue;
                nnz++;
                any = true;
                colUsed[c] = true;
            }
            if (any) nonEmptyRows++;
        }
        NonZeros = nnz;
        NonEmptyRows = nonEmptyRows;
        NonEmptyColumns = colUsed.Count(u => u);
    }

    /// <summary>Layer name (dotted module name for models).</summary>
    public string Name { get; }

    /// <summary>Conv or FC.</summary>
    public LayerKind Kind { get; }

    /// <summary>Output units: FC out_features, conv filters.</summary>
    public int Rows { get; }

    /// <summary>Inputs per unit: FC in_features, conv (C/G)·KH·KW (G groups; C·KH·KW when ungrouped).</summary>
    public int Cols { get; }

    /// <summary>Output pixels per example (conv OH·OW; 1 for FC).</summary>
    public int Positions { get; }

    /// <summary>Consecutive columns that belong to one input unit (conv KH·KW per channel, FC 1); used by <see cref="Shrunk"/>.</summary>
    public int ColumnsPerInput { get; }

    /// <summary>Input activations per example (FC Cols; conv C·H·W when known, else the im2col bound Cols·Positions).</summary>
    public long InputElements { get; }

    /// <summary>Output activations per example: Rows·Positions.</summary>
    public long OutputElements => (long)Rows * Positions;

    /// <summary>Weight elements: Rows·Cols.</summary>
    public long Weights => (long)Rows * Cols;

    /// <summary>Dense multiply-accumulates per example: Rows·Cols·Positions.</summary>
    public long DenseMacs => Weights * Positions;

    /// <summary>Non-zero weights.</summary>
    public long NonZeros { get; }

    /// <summary>Rows with at least one non-zero.</summary>
    public int NonEmptyRows { get; }

    /// <summary>Columns with at least one non-zero.</summary>
    public int NonEmptyColumns { get; }

    /// <summary>Fraction of zero weights: 1 − NonZeros / Weights.</summary>
    public double Sparsity => 1 - (double)NonZeros / Weights;

    /// <summary>Whether weight (row, col) is non-zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException">row or col is out of range.</exception>
    public bool IsNonZero(int row, int col)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfNegative(col);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(col, Cols);
        return _nonZero[row * Cols + col];
    }

    /// <summary>
    /// Kept aligned groups for <paramref name="width"/>: per row, groups cover columns [g·width, min((g+1)·width, Cols));
    /// a group is kept when any of its entries is non-zero. Cached per width.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is less than 1.</exception>
    public long KeptGroups(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return _keptGroups.GetOrAdd(width, w =>
        {
            long kept = 0;
            for (int r = 0; r < Rows; r++)
                for (int c0 = 0; c0 < Cols; c0 += w)
                {
                    int end = Math.Min(c0 + w, Cols);
                    for (int c = c0; c < end; c++)
                        if (_nonZero[r * Cols + c]) { kept++; break; }
                }
            return kept;
        });
    }

    /// <summary>Aligned groups per row for <paramref name="width"/>: ceil(Cols / width).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is less than 1.</exception>
    public int GroupsPerRow(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return (Cols + width - 1) / width;
    }

    /// <summary>
    /// Filler entries of a row-wise relative-index CSR with <paramref name="indexBits"/>-bit gaps (Deep Compression's
    /// convention, restarted at each row): a zero run z before a non-zero needs floor(z / 2^bits) fillers.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexBits"/> is outside 1..30.</exception>
    public long RelativeFillers(int indexBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(indexBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(indexBits, 30);
        return _fillers.GetOrAdd(indexBits, bits =>
        {
            long fillers = 0;
            for (int r = 0; r < Rows; r++)
            {
                int previous = -1;
                for (int c = 0; c < Cols; c++)
                {
                    if (!_nonZero[r * Cols + c]) continue;
                    fillers += (c - previous - 1) >> bits;
                    previous = c;
                }
            }
            return fillers;
        });
    }

    /// <summary>
    /// The layer after node pruning made permanent: empty rows removed and input units (runs of
    /// <see cref="ColumnsPerInput"/> columns) whose columns are all zero removed — a smaller dense-shaped layer
    /// with the same non-zeros. InputElements shrinks by the kept fraction of input units.
    /// </summary>
    public LayerWorkload Shrunk()
    {
        int inputs = Cols / ColumnsPerInput;
        var keepInput = new bool[inputs];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
                if (_nonZero[r * Cols + c]) keepInput[c / ColumnsPerInput] = true;
        var cols = new List<int>();
        for (int i = 0; i < inputs; i++)
            if (keepInput[i])
                for (int k = 0; k < ColumnsPerInput; k++) cols.Add(i * ColumnsPerInput + k);
        var rows = new List<int>();
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
                if (_nonZero[r * Cols + c]) { rows.Add(r); break; }
        int newRows = Math.Max(rows.Count, 1), newCols = Math.Max(cols.Count, 1); // an all-zero layer keeps one zero unit
        var mask = new bool[newRows * newCols];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < cols.Count; j++)
                mask[i * newCols + j] = _nonZero[rows[i] * Cols + cols[j]];
        int keptInputs = keepInput.Count(k => k);
        long inputElements = Math.Max(1, InputElements * Math.Max(keptInputs, 1) / inputs);
        return new LayerWorkload(Name, Kind, newRows, newCols, Positions, cols.Count == 0 ? 1 : ColumnsPerInput, inputElements, mask);
    }

    /// <summary>
    /// A workload from a row-major weight of <paramref name="rows"/> × <paramref name="cols"/> entries
    /// (conv filters flattened to C·KH·KW). <paramref name="columnsPerInput"/> = KH·KW for conv (1 for FC);
    /// <paramref name="inputElements"/> ≤ 0 means Cols for FC and Cols·Positions (im2col bound) for conv.
    /// </summary>
    /// <exception cref="ArgumentException">name is empty; weight length ≠ rows·cols; an FC layer with positions ≠ 1; cols not a multiple of columnsPerInput.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rows, cols, positions or columnsPerInput is less than 1.</exception>
    public static LayerWorkload FromWeight(string name, LayerKind kind, ReadOnlySpan<float> weight, int rows, int cols, int positions,
        int columnsPerInput = 1, long inputElements = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(positions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columnsPerInput, 1);
        if (weight.Length != (long)rows * cols)
            throw new ArgumentException($"Layer '{name}': weight has {weight.Length} entries, expected rows·cols = {rows}·{cols} = {(long)rows * cols}.", nameof(weight));
        if (kind == LayerKind.Fc && positions != 1)
            throw new ArgumentException($"Layer '{name}': an FC layer has 1 position per example, got {positions}.", nameof(positions));
        if (cols % columnsPerInput != 0)
            throw new ArgumentException($"Layer '{name}': cols {cols} is not a multiple of columnsPerInput {columnsPerInput}.", nameof(columnsPerInput));
        var mask = new bool[weight.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = weight[i] != 0;
        if (inputElements <= 0) inputElements = kind == LayerKind.Fc ? cols : (long)cols * positions;
        return new LayerWorkload(name, kind, rows, cols, positions, columnsPerInput, inputElements, mask);
    }

    /// <summary>
    /// Every Linear and Conv2d of <paramref name="model"/> in forward order, for one example of shape
    /// <paramref name="inputShape"/> (no batch axis, e.g. [1, 28, 28]); shapes come from <see cref="OpCounter"/>'s
    /// inference pass, counts from the current weight values (masked weights are zero).
    /// </summary>
    /// <exception cref="ArgumentException">The input shape does not fit the model (the layer's message is kept as inner exception).</exception>
    public static IReadOnlyList<LayerWorkload> FromModel(Module model, int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        IReadOnlyList<LayerOps> ops;
        try
        {
            ops = OpCounter.Count(model, inputShape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Input shape [{string.Join(", ", inputShape)}] does not fit the model: {e.Message}", nameof(inputShape), e);
        }
        var modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module, StringComparer.Ordinal);
        var result = new List<LayerWorkload>(ops.Count);
        foreach (var op in ops)
        {
            long inputElements = 1;
            for (int i = 1; i < op.InputShape.Length; i++) inputElements *= op.InputShape[i];
            switch (modules[op.Name])
            {
                case Linear l:
                    result.Add(FromWeight(op.Name, LayerKind.Fc, l.Weight.Value.Data, l.OutFeatures, l.InFeatures, 1, 1, inputElements));
                    break;
                case Conv2d c:
                    // A unit (filter) reads its group's (C/G)·KH·KW inputs: the weight [OC, C/G, KH, KW] as [OC, (C/G)·KH·KW].
                    var (kh, kw) = c.KernelSize;
                    int positions = op.OutputShape[2] * op.OutputShape[3];
                    result.Add(FromWeight(op.Name, LayerKind.Conv, c.Weight.Value.Data, c.OutChannels, c.Weight.Length / c.OutChannels, positions, kh * kw, inputElements));
                    break;
            }
        }
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Kind}, {Rows}x{Cols}, {Positions} positions, {NonZeros} non-zeros)";
}
