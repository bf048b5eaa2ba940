// PlanStep: one compiled operation of an InferencePlan, with preallocated output storage for the plan's batch.
//   Execute(x, y): x is the previous step's output [batch, InputLength], y this step's [batch, OutputLength].
// Steps never allocate after construction. Kind is "dense", "csr" or "op" (pooling, activation).
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>One step of an <see cref="InferencePlan"/> (a fused layer or an element-wise/pooling op).</summary>
public abstract class PlanStep
{
    private protected PlanStep(string name, string kind, double density, int inputLength, int outputLength, int batch)
    {
        Name = name;
        Kind = kind;
        Density = density;
        InputLength = inputLength;
        OutputLength = outputLength;
        Output = new float[batch * outputLength];
    }

    /// <summary>The model's module name(s) this step covers, e.g. <c>fc1+relu1</c>.</summary>
    public string Name { get; }

    /// <summary>"dense", "csr" or "op".</summary>
    public string Kind { get; }

    /// <summary>Weight density (non-zeros / elements) for weighted steps; 1 for ops.</summary>
    public double Density { get; }

    /// <summary>Elements per example read by this step.</summary>
    public int InputLength { get; }

    /// <summary>Elements per example written by this step.</summary>
    public int OutputLength { get; }

    /// <summary>The step's output buffer [batch, OutputLength].</summary>
    internal float[] Output { get; }

    /// <summary>A one-line description for <see cref="InferencePlan.Describe"/>.</summary>
    public abstract string Detail { get; }

    /// <summary>Runs the step for <paramref name="batch"/> examples from <paramref name="x"/> into <see cref="Output"/>.</summary>
    internal abstract void Execute(ReadOnlySpan<float> x, int batch);
}

/// <summary>y = act(x·Wᵀ + b) with a dense weight (GEMM; dot products at batch 1).</summary>
internal sealed class DenseLinearStep(string name, float[] weight, float[]? bias, int inFeatures, int outFeatures, bool relu, double density, int batch)
    : PlanStep(name, "dense", density, inFeatures, outFeatures, batch)
{
    public override string Detail => $"Linear {InputLength}->{OutputLength}{(bias is null ? "" : " +bias")}{(relu ? " +relu" : "")}";

    internal override void Execute(ReadOnlySpan<float> x, int batch)
    {
        int inF = InputLength, outF = OutputLength;
        var y = Output.AsSpan(0, batch * outF);
        if (batch == 1)
        {
            ReadOnlySpan<float> w = weight;
            for (int o = 0; o < outF; o++) y[o] = TensorPrimitives.Dot(x[..inF], w.Slice(o * inF, inF));
        }
        else
        {
            Gemm.Sgemm(GemmTiers.Best, 1, false, true, batch, outF, inF, 1f, x, inF, weight, inF, 0f, y, outF);
        }
        if (bias is not null)
            for (int i = 0; i < batch; i++) TensorPrimitives.Add(y.Slice(i * outF, outF), bias, y.Slice(i * outF, outF));
        if (relu) TensorPrimitives.Max(y, 0f, y);
    }
}

/// <summary>y = act(x·Wᵀ + b) with a CSR weight (SpMV at batch 1, blocked SpMM otherwise).</summary>
internal sealed class CsrLinearStep(string name, CsrMatrix weight, float[]? bias, bool relu, int batch)
    : PlanStep(name, "csr", weight.Density, weight.Cols, weight.Rows, batch)
{
    // Aᵀ in CSR (= A in CSC) for the batch-1 column dataflow, which skips zero inputs.
    private readonly CsrMatrix _columns = CsrMatrix.FromDense(Transpose(weight), weight.Cols, weight.Rows);

    public override string Detail =>
        $"Linear {weight.Cols}->{weight.Rows} nnz={weight.NonZeroCount}{(bias is null ? "" : " +bias")}{(relu ? " +relu" : "")}";

    internal override void Execute(ReadOnlySpan<float> x, int batch)
    {
        if (batch == 1)
        {
            // Below ~60% non-zero inputs, walking the non-zero columns beats gathering every row's inputs.
            int nonZero = x.Length - MemoryExtensions.Count(x, 0f);
            if (nonZero * 10 < x.Length * 6)
            {
                var y = Output.AsSpan(0, weight.Rows);
                SparseKernels.SpMVColumns(_columns, x, y);
                if (bias is not null) System.Numerics.Tensors.TensorPrimitives.Add(y, bias, y);
                if (relu) System.Numerics.Tensors.TensorPrimitives.Max(y, 0f, y);
                return;
            }
            SparseKernels.SpMVFused(weight, x, Output, bias, relu);
        }
        else SparseKernels.SpMMFused(weight, x, batch, Output, bias, relu);
    }

    private static float[] Transpose(CsrMatrix a)
    {
        var dense = a.ToDense();
        var t = new float[dense.Length];
        for (int r = 0; r < a.Rows; r++)
            for (int c = 0; c < a.Cols; c++) t[c * a.Rows + r] = dense[r * a.Cols + c];
        return t;
    }
}

/// <summary>Convolution per image: im2col, then W [OC, K] · col [K, P] → y [OC, P] (dense GEMM or CSR), bias and ReLU fused.</summary>
internal sealed class ConvStep : PlanStep
{
    private readonly Conv2dGeometry _g;
    private readonly float[] _weight;
    private readonly CsrMatrix? _csr;
    private readonly float[]? _bias;
    private readonly bool _relu;
    private readonly int _oc;
    private readonly float[] _columns;

    public ConvStep(string name, Conv2dGeometry g, int oc, float[] weight, CsrMatrix? csr, float[]? bias, bool relu, double density, int batch)
        : base(name, csr is null ? "dense" : "csr", density, g.ImageSize, oc * g.ColumnCols, batch)
    {
        _g = g;
        _oc = oc;
        _weight = weight;
        _csr = csr;
        _bias = bias;
        _relu = relu;
        _columns = new float[g.ColumnRows * g.ColumnCols];
    }

    public override string Detail =>
        $"Conv2d {_g.Channels}->{_oc} k={_g.KernelH}x{_g.KernelW} out={_g.OutH}x{_g.OutW}{(_csr is null ? "" : $" nnz={_csr.NonZeroCount}")}" +
        $"{(_bias is null ? "" : " +bias")}{(_relu ? " +relu" : "")}";

    internal override void Execute(ReadOnlySpan<float> x, int batch)
    {
        int k = _g.ColumnRows, p = _g.ColumnCols, img = _g.ImageSize, outPer = _oc * p;
        for (int i = 0; i < batch; i++)
        {
            Im2Col.Unfold(x.Slice(i * img, img), _g, _columns, p);
            var y = Output.AsSpan(i * outPer, outPer);
            if (_csr is not null)
            {
                SparseKernels.CsrTimesDense(_csr, _columns, p, p, y, p, _bias, _relu);
                continue;
            }
            Gemm.Sgemm(GemmTiers.Best, 1, false, false, _oc, p, k, 1f, _weight, k, _columns, p, 0f, y, p);
            for (int o = 0; o < _oc; o++)
            {
                var row = y.Slice(o * p, p);
                if (_bias is not null) TensorPrimitives.Add(row, _bias[o], row);
                if (_relu) TensorPrimitives.Max(row, 0f, row);
            }
        }
    }
}

/// <summary>y = max(x, 0) (a ReLU that could not be fused into a preceding layer).</summary>
internal sealed class ReluStep(string name, int length, int batch) : PlanStep(name, "op", 1, length, length, batch)
{
    public override string Detail => $"ReLU {InputLength}";

    internal override void Execute(ReadOnlySpan<float> x, int batch) =>
        TensorPrimitives.Max(x[..(batch * InputLength)], 0f, Output.AsSpan(0, batch * InputLength));
}

/// <summary>Max pooling over each [H, W] plane (padding counts as −∞; a NaN in the window wins, as in PyTorch).</summary>
internal sealed class MaxPoolStep(string name, Conv2dGeometry g, int batch)
    : PlanStep(name, "op", 1, g.ImageSize, g.Channels * g.ColumnCols, batch)
{
    public override string Detail => $"MaxPool2d k={g.KernelH} s={g.StrideH} p={g.PadH} {g.Height}x{g.Width}->{g.OutH}x{g.OutW}";

    internal override void Execute(ReadOnlySpan<float> x, int batch)
    {
        int h = g.Height, w = g.Width, oh = g.OutH, ow = g.OutW, k = g.KernelH, s = g.StrideH, pad = g.PadH;
        int planes = batch * g.Channels;
        var y = Output.AsSpan();
        for (int pl = 0; pl < planes; pl++)
        {
            var src = x.Slice(pl * h * w, h * w);
            var dst = y.Slice(pl * oh * ow, oh * ow);
            for (int oy = 0; oy < oh; oy++)
            {
                int y0 = Math.Max(0, oy * s - pad), y1 = Math.Min(h, oy * s - pad + k);
                for (int ox = 0; ox < ow; ox++)
                {
                    int x0 = Math.Max(0, ox * s - pad), x1 = Math.Min(w, ox * s - pad + k);
                    float best = float.NegativeInfinity;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++)
                        {
                            float v = src[iy * w + ix];
                            best = v > best | float.IsNaN(v) ? v : best;
                        }
                    dst[oy * ow + ox] = best;
                }
            }
        }
    }
}
