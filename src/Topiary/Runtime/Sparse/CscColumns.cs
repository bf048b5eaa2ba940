// CscColumns: a CSR weight A [rows, cols] kept a second time in compressed sparse column form (Aᵀ in CSR, converted
// directly from the CSR arrays) for the batch-1 column dataflow of LinearStep: y = act(A·x + b) walks only the columns
// of the non-zero inputs, so work is proportional to nnz(A) × the input's density (EIE's dataflow; MNIST pixels and
// post-ReLU features are mostly zero). The scalar twin is the CSR weight's MultiplyScalar. Unlike the row kernels, an
// input NaN/∞ reaches only the rows that store its column (zero inputs are skipped, not multiplied).
namespace Topiary.Runtime.Sparse;

/// <summary>A weight's CSC copy and its zero-skipping matrix-vector product.</summary>
internal sealed class CscColumns
{
    private readonly CsrArrays<int> _transposed;

    /// <summary>Wraps <paramref name="transposed"/> = Aᵀ in CSR.</summary>
    public CscColumns(CsrArrays<int> transposed) => _transposed = transposed;

    /// <summary>Rows of A (outputs).</summary>
    public int Rows => _transposed.Cols;

    /// <summary>Columns of A (inputs).</summary>
    public int Cols => _transposed.Rows;

    /// <summary>y = act(A·x + bias) for one example: x [Cols], y [Rows] (overwritten); bias empty = none.</summary>
    /// <exception cref="ArgumentException">A span is shorter than the shape needs.</exception>
    public void Multiply(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> bias, bool relu)
    {
        if (x.Length < Cols || y.Length < Rows || !bias.IsEmpty && bias.Length < Rows)
            throw new ArgumentException($"CscColumns [{Rows}, {Cols}]: x has {x.Length}, y {y.Length}, bias {bias.Length} elements.");
        y = y[..Rows];
        CsrKernels.MultiplySkippingZeroInputs(_transposed, x, y);
        if (!bias.IsEmpty) TensorPrimitives.Add(y, bias[..Rows], y);
        if (relu) TensorPrimitives.Max(y, 0f, y);
    }
}
