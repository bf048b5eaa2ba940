// PlanStep: one compiled operation of an InferencePlan, with preallocated output storage for the plan's batch.
//   Execute(x, y, count, chunk): x = `count` examples of the previous step's output [count, InputLength], y = the same
//   examples of this step's output [count, OutputLength]; `chunk` selects the step's scratch, so the plan may run
//   disjoint example ranges on different threads (one chunk each). Steps never allocate after construction. Kind is the weight format's name ("dense", "csr", "csr16",
// "simd-group", "block", "sell", "codebook") for weight layers and "op" for pooling and activations.
using System.Runtime.Intrinsics.X86;
using Topiary.Runtime.Sparse;
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>One step of an <see cref="InferencePlan"/> (a fused layer or an element-wise/pooling op).</summary>
public abstract class PlanStep
{
    private protected PlanStep(string name, SparseWeight? weight, int inputLength, int outputLength, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        Name = name;
        Weight = weight;
        InputLength = inputLength;
        OutputLength = outputLength;
        Output = new float[batch * outputLength];
    }

    /// <summary>The model's module name(s) this step covers, e.g. <c>fc1+relu1</c>.</summary>
    public string Name { get; }

    /// <summary>The weight format's name for weighted steps ("dense", "csr", "csr16", "simd-group", "block"); "op" otherwise.</summary>
    public string Kind => Format?.ToName() ?? "op";

    /// <summary>The weight's storage format, or null for ops.</summary>
    public SparseFormat? Format => Weight?.Format;

    /// <summary>Weight density (non-zeros / elements) for weighted steps; 1 for ops.</summary>
    public double Density => Weight?.Density ?? 1;

    /// <summary>Bytes the step's weight occupies in its format (values, indices, pointers; bias excluded); 0 for ops.</summary>
    public long WeightBytes => Weight?.StorageBytes ?? 0;

    /// <summary>Bytes of a second, column form of the weight kept for the batch-1 dataflow over non-zero inputs (0: none).</summary>
    public virtual long ColumnBytes => 0;

    /// <summary>Elements per example read by this step.</summary>
    public int InputLength { get; }

    /// <summary>Elements per example written by this step.</summary>
    public int OutputLength { get; }

    /// <summary>The step's weight in its runtime format, or null for ops.</summary>
    internal SparseWeight? Weight { get; }

    /// <summary>The step's output buffer [batch, OutputLength].</summary>
    internal float[] Output { get; }

    /// <summary>A one-line description for <see cref="InferencePlan.Describe"/>.</summary>
    public abstract string Detail { get; }

    /// <summary>Runs the step for <paramref name="count"/> examples from <paramref name="x"/> into <paramref name="y"/>, with scratch <paramref name="chunk"/>.</summary>
    internal abstract void Execute(ReadOnlySpan<float> x, Span<float> y, int count, int chunk);

    /// <summary>Prepares scratch for <paramref name="chunks"/> concurrent example ranges (default: none needed).</summary>
    internal virtual void PrepareChunks(int chunks)
    {
    }

    private protected static string Suffix(float[]? bias, bool relu) => $"{(bias is null ? "" : " +bias")}{(relu ? " +relu" : "")}";
}

/// <summary>
/// y = act(x·Wᵀ + b) with the weight in any format; a CSR weight at batch 1 — or a codebook weight on a host without the
/// AVX-512 sell kernels — walks the non-zero inputs instead when they are few.
/// </summary>
internal sealed class LinearStep : PlanStep
{
    private readonly float[]? _bias;
    private readonly bool _relu;
    private readonly ColumnDataflow? _columns; // A by columns for the batch-1 dataflow, which skips zero inputs
    private readonly int[] _nonZero = []; // the non-zero inputs' indices, for the column dataflow

    public LinearStep(string name, SparseWeight weight, float[]? bias, bool relu, int batch)
        : base(name, weight, weight.Cols, weight.Rows, batch)
    {
        _bias = bias;
        _relu = relu;
        if (batch == 1)
            _columns = weight switch
            {
                CsrWeight csr => csr.ToColumns(),
                // With AVX-512 the sell codes kernels run instead (there the float walk measured 2.4–3.1x slower than float
                // sell: BENCHMARKS, "A .tpz run from its codes").
                CodebookWeight codes when !Avx512F.IsSupported => codes.ToColumns(),
                _ => null,
            };
        if (_columns is not null) _nonZero = new int[weight.Cols + NonZeroInputs.Slack];
    }

    /// <summary>Bytes of the column form the batch-1 dataflow keeps beside the weight (0 without one).</summary>
    public override long ColumnBytes => _columns?.Bytes ?? 0;

    public override string Detail =>
        $"Linear {InputLength}->{OutputLength}{(Weight!.Format == SparseFormat.Dense ? "" : $" nnz={Weight.NonZeroCount}")}{Suffix(_bias, _relu)}";

    internal override void Execute(ReadOnlySpan<float> x, Span<float> y, int count, int chunk)
    {
        x = x[..(count * InputLength)];
        // Below ~60% non-zero inputs, walking the non-zero columns beats reading every row's inputs.
        if (_columns is not null && count == 1)
        {
            int nonZero = NonZeroInputs.Find(x, _nonZero);
            if (nonZero * 10 < x.Length * 6)
            {
                _columns.Multiply(x, _nonZero.AsSpan(0, nonZero), y, _bias, _relu);
                return;
            }
        }
        Weight!.Multiply(x, count, y, _bias, _relu);
    }
}

/// <summary>Convolution per image: im2col, then W [OC, K] · col [K, P] → y [OC, P] (dense GEMM or the sparse format), bias and ReLU fused.</summary>
internal sealed class ConvStep : PlanStep
{
    private readonly Conv2dGeometry _g;
    private readonly float[]? _bias;
    private readonly bool _relu;
    private float[][] _columns;
    private readonly float[]? _dense;

    public ConvStep(string name, Conv2dGeometry g, SparseWeight weight, float[]? bias, bool relu, int batch)
        : base(name, weight, g.ImageSize, weight.Rows * g.ColumnCols, batch)
    {
        _g = g;
        _bias = bias;
        _relu = relu;
        _columns = [new float[g.ColumnRows * g.ColumnCols]];
        if (weight.Format == SparseFormat.Dense) _dense = weight.ToDense();
    }

    public override string Detail =>
        $"Conv2d {_g.Channels}->{Weight!.Rows} k={_g.KernelH}x{_g.KernelW} out={_g.OutH}x{_g.OutW}" +
        $"{(_dense is not null ? "" : $" nnz={Weight.NonZeroCount}")}{Suffix(_bias, _relu)}";

    internal override void PrepareChunks(int chunks)
    {
        if (_columns.Length < chunks)
            _columns = [.. _columns, .. Enumerable.Range(0, chunks - _columns.Length).Select(_ => new float[_columns[0].Length])];
    }

    internal override void Execute(ReadOnlySpan<float> x, Span<float> output, int count, int chunk)
    {
        int k = _g.ColumnRows, p = _g.ColumnCols, img = _g.ImageSize, oc = Weight!.Rows, outPer = oc * p;
        float[] columns = _columns[chunk];
        for (int i = 0; i < count; i++)
        {
            Im2Col.Unfold(x.Slice(i * img, img), _g, columns, p);
            var y = output.Slice(i * outPer, outPer);
            if (_dense is null)
            {
                Weight.MultiplyColumns(columns, p, p, y, p, _bias, _relu);
                continue;
            }
            Gemm.Sgemm(GemmTiers.Best, 1, false, false, oc, p, k, 1f, _dense, k, columns, p, 0f, y, p);
            for (int o = 0; o < oc; o++)
            {
                var row = y.Slice(o * p, p);
                if (_bias is not null) TensorPrimitives.Add(row, _bias[o], row);
                if (_relu) TensorPrimitives.Max(row, 0f, row);
            }
        }
    }
}

/// <summary>y = max(x, 0) (a ReLU that could not be fused into a preceding layer).</summary>
internal sealed class ReluStep(string name, int length, int batch) : PlanStep(name, null, length, length, batch)
{
    public override string Detail => $"ReLU {InputLength}";

    internal override void Execute(ReadOnlySpan<float> x, Span<float> y, int count, int chunk) =>
        TensorPrimitives.Max(x[..(count * InputLength)], 0f, y[..(count * InputLength)]);
}

/// <summary>Max pooling over each [H, W] plane (padding counts as −∞; a NaN in the window wins, as in PyTorch);
/// the vectorised 2×2 stride-2 kernel when it applies.</summary>
internal sealed class MaxPoolStep : PlanStep
{
    private readonly Conv2dGeometry _g;
    private readonly bool _vector;
    private float[][] _pairMax = [];
    private int[][] _pairIdx = [], _argmax = [];

    public MaxPoolStep(string name, Conv2dGeometry g, int batch) : base(name, null, g.ImageSize, g.Channels * g.ColumnCols, batch)
    {
        _g = g;
        _vector = g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2 && g.PadTop == 0 && g.PadLeft == 0
            && g.Width % 2 == 0 && g.OutH == g.Height / 2 && g.OutW == g.Width / 2 && MaxPool2x2.IsSupported;
        PrepareChunks(1);
    }

    internal override void PrepareChunks(int chunks)
    {
        if (!_vector || _pairMax.Length >= chunks) return;
        _pairMax = [.. Enumerable.Range(0, chunks).Select(_ => new float[_g.ImageSize / 2])];
        _pairIdx = [.. Enumerable.Range(0, chunks).Select(_ => new int[_g.ImageSize / 2])];
        _argmax = [.. Enumerable.Range(0, chunks).Select(_ => new int[OutputLength])];
    }

    public override string Detail => _g.KernelH == _g.KernelW && _g.StrideH == _g.StrideW && _g.IsSymmetric && _g.PadTop == _g.PadLeft && !_g.CeilMode
        ? $"MaxPool2d k={_g.KernelH} s={_g.StrideH} p={_g.PadH} {_g.Height}x{_g.Width}->{_g.OutH}x{_g.OutW}"
        : $"MaxPool2d k={_g.KernelH}x{_g.KernelW} s={_g.StrideH}x{_g.StrideW} p=({_g.PadTop},{_g.PadLeft},{_g.PadBottom},{_g.PadRight})" +
          $"{(_g.CeilMode ? " ceil" : "")} {_g.Height}x{_g.Width}->{_g.OutH}x{_g.OutW}";

    internal override void Execute(ReadOnlySpan<float> x, Span<float> y, int count, int chunk)
    {
        var g = _g;
        if (_vector)
        {
            for (int i = 0; i < count; i++)
                MaxPool2x2.Forward(x.Slice(i * InputLength, InputLength), 0, g.Channels, g.Height, g.Width,
                    y.Slice(i * OutputLength, OutputLength), _argmax[chunk], _pairMax[chunk], _pairIdx[chunk]);
            return;
        }
        int h = g.Height, w = g.Width, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW, sh = g.StrideH, sw = g.StrideW;
        int padTop = g.PadTop, padLeft = g.PadLeft;
        int planes = count * g.Channels;
        for (int pl = 0; pl < planes; pl++)
        {
            var src = x.Slice(pl * h * w, h * w);
            var dst = y.Slice(pl * oh * ow, oh * ow);
            for (int oy = 0; oy < oh; oy++)
            {
                int y0 = Math.Max(0, oy * sh - padTop), y1 = Math.Min(h, oy * sh - padTop + kh);
                for (int ox = 0; ox < ow; ox++)
                {
                    int x0 = Math.Max(0, ox * sw - padLeft), x1 = Math.Min(w, ox * sw - padLeft + kw);
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
