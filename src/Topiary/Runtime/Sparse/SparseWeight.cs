// SparseWeight: a read-only weight matrix W [Rows, Cols] stored in one SparseFormat, with the two products a
// compiled inference plan needs, each with a plain scalar twin (test oracle and benchmark baseline):
//   Multiply         Y[i, r]    = act(Σ_c X[i, c]·W[r, c] + bias[r])   X [n, Cols], Y [n, Rows]  (Linear; n = 1 is SpMV)
//   MultiplyColumns  C[r, 0..p) = act(Σ_j W[r, j]·B[j, 0..p) + bias[r])  B [Cols, p] stride ldb, C [Rows, p] stride ldc (conv)
// act is ReLU (max(v, 0), NaN kept) when relu is set, else the identity; an empty bias means none.
// Sparse formats skip the entries they do not store, so a NaN/∞ in the input at a pruned weight does not
// reach the output (a NaN or ∞ weight, being non-zero, is always stored and propagates like dense).
// The summation order depends only on the shapes and the SIMD tier, never on timing: results are
// deterministic; the vector kernels and the scalar twins agree up to rounding.
using System.Runtime.CompilerServices;

namespace Topiary.Runtime.Sparse;

/// <summary>A read-only [Rows, Cols] weight matrix in some storage format, multipliable without densifying.</summary>
public abstract class SparseWeight
{
    /// <summary>Sets the shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    private protected SparseWeight(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Number of rows (output features / channels).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (input features, or in·kh·kw for a convolution).</summary>
    public int Cols { get; }

    /// <summary>The storage format.</summary>
    public abstract SparseFormat Format { get; }

    /// <summary>Number of values held, including zeros stored inside kept groups/blocks (and their padding).</summary>
    public abstract long StoredValues { get; }

    /// <summary>Number of entries != 0 in the matrix (NaN counts as non-zero).</summary>
    public abstract long NonZeroCount { get; }

    /// <summary>NonZeroCount / (Rows·Cols); 0 for an empty shape.</summary>
    public double Density => Rows == 0 || Cols == 0 ? 0 : (double)NonZeroCount / ((long)Rows * Cols);

    /// <summary>Bytes a runtime holds for this matrix: 4 per stored value + index bytes + pointer bytes.</summary>
    public abstract long StorageBytes { get; }

    /// <summary>
    /// Y[i, r] = act(Σ_c X[i, c]·W[r, c] + bias[r]) for i in [0, n): X [n, Cols] row-major, Y [n, Rows] (overwritten).
    /// </summary>
    /// <param name="x">Inputs, at least n·Cols elements.</param>
    /// <param name="n">Number of examples (≥ 0).</param>
    /// <param name="y">Outputs, at least n·Rows elements.</param>
    /// <param name="bias">Empty (no bias) or at least Rows elements.</param>
    /// <param name="relu">Apply max(·, 0) (NaN kept).</param>
    /// <exception cref="ArgumentException"><paramref name="n"/> is negative or a span is too short.</exception>
    public void Multiply(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        CheckMultiply(x.Length, n, y.Length, bias.Length);
        if (n == 0 || Rows == 0) return;
        MultiplyCore(x, n, y, bias, relu);
    }

    /// <summary>
    /// The scalar twin of <see cref="Multiply"/>: one example at a time, a plain loop over the stored entries (decoded
    /// from the format once, in storage order, zeros inside kept groups/blocks included).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="n"/> is negative or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MultiplyScalar(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        CheckMultiply(x.Length, n, y.Length, bias.Length);
        var entries = Entries;
        for (int i = 0; i < n; i++)
        {
            var xi = x.Slice(i * Cols, Cols);
            var yi = y.Slice(i * Rows, Rows);
            yi.Clear();
            foreach (var (r, j, v) in entries) yi[r] += v * xi[j];
            Finish(yi, bias, relu);
        }
    }

    /// <summary>
    /// C[r, 0..p) = act(Σ_j W[r, j]·B[j, 0..p) + bias[r]): B [Cols, p] with row stride <paramref name="ldb"/>,
    /// C [Rows, p] with row stride <paramref name="ldc"/> (only the first p entries of each C row are written).
    /// </summary>
    /// <exception cref="ArgumentException">p is negative, a stride is smaller than p, or a span is too short.</exception>
    public void MultiplyColumns(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        CheckColumns(b.Length, ldb, p, c.Length, ldc, bias.Length);
        if (p == 0 || Rows == 0) return;
        MultiplyColumnsCore(b, ldb, p, c, ldc, bias, relu);
    }

    /// <summary>The scalar twin of <see cref="MultiplyColumns"/>: for each stored entry, a plain loop over the p columns.</summary>
    /// <exception cref="ArgumentException">p is negative, a stride is smaller than p, or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MultiplyColumnsScalar(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        CheckColumns(b.Length, ldb, p, c.Length, ldc, bias.Length);
        if (p == 0) return;
        for (int r = 0; r < Rows; r++) c.Slice(r * ldc, p).Clear();
        foreach (var (r, j, v) in Entries)
        {
            var dst = c.Slice(r * ldc, p);
            var src = b.Slice(j * ldb, p);
            for (int q = 0; q < p; q++) dst[q] += v * src[q];
        }
        for (int r = 0; r < Rows; r++) Finish(c.Slice(r * ldc, p), bias.IsEmpty ? default : bias.Slice(r, 1), relu);
    }

    /// <summary>The dense row-major [Rows, Cols] matrix (exactly the values it was built from).</summary>
    public float[] ToDense()
    {
        var dense = new float[(long)Rows * Cols];
        ForEachStored((r, j, v) => dense[(long)r * Cols + j] = v);
        return dense;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{GetType().Name}[{Rows}, {Cols}] {Format.ToName()} nnz={NonZeroCount} stored={StoredValues} bytes={StorageBytes}";

    /// <summary>
    /// Builds <paramref name="dense"/> [rows, cols] (row-major) in <paramref name="format"/>. Entries equal to 0 (±0) are
    /// not stored by the sparse formats; NaN is stored.
    /// </summary>
    /// <param name="format">Target format.</param>
    /// <param name="dense">The row-major matrix, exactly rows·cols elements.</param>
    /// <param name="rows">Rows (≥ 0).</param>
    /// <param name="cols">Columns (≥ 0; at most 65536 for <see cref="SparseFormat.Csr16"/>).</param>
    /// <param name="options">Group width / block size; null = host defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="dense"/> has the wrong length, the format is unknown, or cols exceed a 16-bit index.</exception>
    public static SparseWeight Create(SparseFormat format, ReadOnlySpan<float> dense, int rows, int cols, SparseWeightOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        CheckDense(dense.Length, rows, cols);
        options ??= new SparseWeightOptions();
        return format switch
        {
            SparseFormat.Dense => new DenseWeight(dense, rows, cols),
            SparseFormat.Csr => new CsrWeight(dense, rows, cols),
            SparseFormat.Csr16 => new Csr16Weight(dense, rows, cols),
            SparseFormat.SimdGroup => new SimdGroupWeight(dense, rows, cols, options.ResolvedGroupWidth),
            SparseFormat.Block => new BlockSparseWeight(dense, rows, cols, options.ResolvedBlockRows, options.ResolvedBlockCols),
            SparseFormat.Sell => new SellWeight(dense, rows, cols),
            SparseFormat.Codebook => throw new ArgumentException("The codebook format is built from a codebook (CodebookWeight), not from a float matrix.", nameof(format)),
            _ => throw new ArgumentException($"Unknown sparse format {format}.", nameof(format)),
        };
    }

    /// <summary>The vectorised Multiply; arguments already validated, n ≥ 1, Rows ≥ 1.</summary>
    private protected abstract void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu);

    /// <summary>The vectorised MultiplyColumns; arguments already validated, p ≥ 1, Rows ≥ 1.</summary>
    private protected abstract void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu);

    /// <summary>Calls <paramref name="visit"/>(row, column, value) for every stored entry inside the matrix, in storage order.</summary>
    private protected abstract void ForEachStored(StoredEntryVisitor visit);

    // The stored entries (row, column, value) in storage order, decoded once for the scalar twins.
    private (int Row, int Column, float Value)[] Entries
    {
        get
        {
            if (_entries is not null) return _entries;
            var list = new List<(int, int, float)>();
            ForEachStored((r, j, v) => list.Add((r, j, v)));
            return _entries = [.. list];
        }
    }

    private (int Row, int Column, float Value)[]? _entries;

    /// <summary>act(v): ReLU keeps NaN.</summary>
    internal static float Activate(float v, bool relu) => relu ? Math.Max(v, 0f) : v;

    /// <summary>Adds the bias (empty = none; one element = the same for all; else one per element) and applies act, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Finish(Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (bias.Length == 1 && y.Length != 1)
            for (int r = 0; r < y.Length; r++) y[r] += bias[0];
        else if (!bias.IsEmpty)
            for (int r = 0; r < y.Length; r++) y[r] += bias[r];
        if (relu)
            for (int r = 0; r < y.Length; r++) y[r] = Math.Max(y[r], 0f);
    }

    /// <summary>Throws unless a dense source of <paramref name="length"/> elements holds exactly rows·cols.</summary>
    /// <exception cref="ArgumentException">The length differs.</exception>
    private protected static void CheckDense(int length, int rows, int cols)
    {
        if ((long)rows * cols != length)
            throw new ArgumentException($"Span 'dense' has {length} elements; [{rows}, {cols}] needs {(long)rows * cols}.", "dense");
    }

    private void CheckMultiply(int xLength, int n, int yLength, int biasLength)
    {
        if (n < 0) throw new ArgumentException($"Batch size n must be non-negative (was {n}).", nameof(n));
        CheckLength("x", xLength, (long)n * Cols);
        CheckLength("y", yLength, (long)n * Rows);
        if (biasLength != 0) CheckLength("bias", biasLength, Rows);
    }

    private void CheckColumns(int bLength, int ldb, int p, int cLength, int ldc, int biasLength)
    {
        if (p < 0) throw new ArgumentException($"Column count p must be non-negative (was {p}).", nameof(p));
        if (ldb < p) throw new ArgumentException($"Row stride ldb ({ldb}) is smaller than p ({p}).", nameof(ldb));
        if (ldc < p) throw new ArgumentException($"Row stride ldc ({ldc}) is smaller than p ({p}).", nameof(ldc));
        if (p > 0 && Cols > 0) CheckLength("b", bLength, (long)(Cols - 1) * ldb + p);
        if (p > 0 && Rows > 0) CheckLength("c", cLength, (long)(Rows - 1) * ldc + p);
        if (biasLength != 0) CheckLength("bias", biasLength, Rows);
    }

    private void CheckLength(string name, int length, long needed)
    {
        if (length < needed)
            throw new ArgumentException($"Span '{name}' has {length} elements; the [{Rows}, {Cols}] weight needs {needed}.", name);
    }
}

/// <summary>Visitor of one stored entry: W[row, column] = value.</summary>
internal delegate void StoredEntryVisitor(int row, int column, float value);
