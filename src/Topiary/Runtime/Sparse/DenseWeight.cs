// DenseWeight: the dense baseline every sparse format must beat. W [Rows, Cols] row-major, multiplied with our
// GEMM on one thread (batch 1 takes Gemm's GEMV fast path: four dot products per pass over x; larger batches use Wᵀ
// packed once into the GEMM's panels on the first such call, as MLAS pre-packs weights, with bias and ReLU in the
// GEMM's epilogue, added after the product as a pass would; batch 1 adds them in passes over the output). Stores every
// value: StorageBytes = 4·Rows·Cols, no indices (the packed copy, once made, is extra).
using System.Runtime.CompilerServices;
using Topiary.Tensors;

namespace Topiary.Runtime.Sparse;

/// <summary>A dense row-major weight matrix (the baseline format).</summary>
public sealed class DenseWeight : SparseWeight
{
    private readonly float[] _w;
    private readonly long _nonZeros;
    private GemmPackedB? _packed; // Wᵀ in GEMM panels, made on the first batch > 1 product

    /// <summary>Copies <paramref name="dense"/> [rows, cols].</summary>
    /// <exception cref="ArgumentException"><paramref name="dense"/> does not hold exactly rows·cols elements.</exception>
    public DenseWeight(ReadOnlySpan<float> dense, int rows, int cols) : base(rows, cols)
    {
        CheckDense(dense.Length, rows, cols);
        _w = dense.ToArray();
        foreach (float v in _w) if (v != 0) _nonZeros++;
    }

    /// <inheritdoc/>
    public override SparseFormat Format => SparseFormat.Dense;

    /// <inheritdoc/>
    public override long StoredValues => _w.Length;

    /// <inheritdoc/>
    public override long NonZeroCount => _nonZeros;

    /// <inheritdoc/>
    public override long StorageBytes => 4L * _w.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override unsafe void MultiplyCore(ReadOnlySpan<float> x, int n, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        int rows = Rows, cols = Cols;
        if (cols > 0 && n > 1)
        {
            // Bias and ReLU in the GEMM's epilogue, on each tile of the last K block while it is in registers (added
            // after the product, as a pass over the output would).
            fixed (float* pb = bias)
            {
                var epilogue = new GemmEpilogue(bias.IsEmpty ? null : pb, null, 0, relu ? 0f : float.NegativeInfinity, float.PositiveInfinity,
                    biasPerColumn: true, addLast: true);
                Gemm.Sgemm(1, false, n, 1f, x, cols, Volatile.Read(ref _packed) ?? Pack(), 0f, y, rows, epilogue);
            }
            return;
        }
        if (cols == 0) y[..(n * rows)].Clear();
        else Gemm.Sgemm(false, true, 1, rows, cols, 1f, x, cols, _w, cols, 0f, y, rows);
        if (bias.IsEmpty && !relu) return;
        for (int i = 0; i < n; i++)
        {
            var yi = y.Slice(i * rows, rows);
            if (!bias.IsEmpty) TensorPrimitives.Add(yi, bias[..rows], yi);
            if (relu) TensorPrimitives.Max(yi, 0f, yi);
        }
    }

    // Packs Wᵀ once, as one K block when Cols ≤ Gemm.OneKBlockMax (the batch's rows are read in place: LeNet-300-100's
    // fc1 at batch 64 went from 95 to 97 % of the FMA peak); two threads racing here both pack, one copy is kept.
    private GemmPackedB Pack()
    {
        Interlocked.CompareExchange(ref _packed, Gemm.PackB(true, Rows, Cols, _w, Cols, oneKBlock: true), null);
        return _packed!;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void MultiplyColumnsCore(ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        int rows = Rows, cols = Cols;
        if (cols == 0)
            for (int r = 0; r < rows; r++) c.Slice(r * ldc, p).Clear();
        else
            Gemm.Sgemm(GemmTiers.Best, 1, false, false, rows, p, cols, 1f, _w, cols, b, ldb, 0f, c, ldc);
        if (bias.IsEmpty && !relu) return;
        for (int r = 0; r < rows; r++)
        {
            var row = c.Slice(r * ldc, p);
            if (!bias.IsEmpty) TensorPrimitives.Add(row, bias[r], row);
            if (relu) TensorPrimitives.Max(row, 0f, row);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected override void ForEachStored(StoredEntryVisitor visit)
    {
        for (int r = 0; r < Rows; r++)
            for (int j = 0; j < Cols; j++) visit(r, j, _w[r * Cols + j]);
    }
}
