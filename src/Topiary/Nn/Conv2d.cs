// Conv2d: 2-D cross-correlation, PyTorch nn.Conv2d (groups = 1, dilation = 1), NCHW.
//   input  x [N, C, H, W]     weight W [OC, C, KH, KW]     bias b [OC] (optional)
//   output y [N, OC, OH, OW],  OH = ⌊(H + 2·PH − KH)/SH⌋ + 1,  OW likewise
//   y[n, o, i, j] = b[o] + Σ_{c,kh,kw} W[o, c, kh, kw] · x[n, c, i·SH − PH + kh, j·SW − PW + kw]
// Lowered to GEMM: the batch is unfolded side by side into col [K = C·KH·KW, N·P] (P = OH·OW), then
//   forward   Yᵀ[OC, N·P] = W[OC, K] · col
//   backward  dW += dYᵀ · colᵀ,  db += Σ dY,  dcol = Wᵀ · dYᵀ,  dx = fold(dcol)
// The work runs over fixed chunks of samples (boundaries depend only on N) on Threading.For, each chunk
// with single-threaded GEMMs; weight/bias gradients are per-chunk partial sums added in chunk order, so
// results do not depend on the thread count or scheduling.
// Forward/Backward return layer-owned buffers that the next call overwrites.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>2-D convolution over NCHW input (PyTorch <c>nn.Conv2d</c>, groups = 1, dilation = 1).</summary>
public sealed class Conv2d : Module
{
    private const int MaxChunks = 8;

    private Tensor? _output, _gradInput, _input;
    private float[]? _columns, _outT, _partialW, _partialB;
    private Conv2dGeometry _geometry;
    private int _batch, _samplesPerChunk, _chunks;
    private bool _ready;

    /// <summary>Creates a square-kernel convolution, initialised like PyTorch (weight and bias ~ U(±1/√(C·K·K))).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, kernel size or stride is below 1, or padding is negative.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Random rng, int stride = 1, int padding = 0, bool bias = true)
        : this(inChannels, outChannels, (kernelSize, kernelSize), rng, (stride, stride), (padding, padding), bias)
    {
    }

    /// <summary>Creates a convolution with a rectangular kernel, stride and padding ((height, width) pairs; default stride 1, padding 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, kernel size or stride is below 1, or padding is negative.</exception>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, Random rng,
        (int H, int W)? stride = null, (int H, int W)? padding = null, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize.H, 1, nameof(kernelSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize.W, 1, nameof(kernelSize));
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(s.H, s.W), 1, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(Math.Min(p.H, p.W), nameof(padding));
        ArgumentNullException.ThrowIfNull(rng);
        Stride = s;
        Padding = p;
        Weight = new Parameter(new Tensor(outChannels, inChannels, kernelSize.H, kernelSize.W));
        Bias = bias ? new Parameter(new Tensor(outChannels)) : null;
        Init.PyTorchDefault(Weight.Value, Bias?.Value, rng);
    }

    /// <summary>Weight, shape [OC, C, KH, KW].</summary>
    public Parameter Weight { get; }

    /// <summary>Bias, shape [OC], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Input channels C (Weight dim 1; follows structural shrinking).</summary>
    public int InChannels => Weight.Value.Dim(1);

    /// <summary>Output channels OC (Weight dim 0; follows structural shrinking).</summary>
    public int OutChannels => Weight.Value.Dim(0);

    /// <summary>Kernel size (KH, KW).</summary>
    public (int H, int W) KernelSize => (Weight.Value.Dim(2), Weight.Value.Dim(3));

    /// <summary>Stride (SH, SW).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zero padding (PH, PW) on both sides.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Output spatial size for an input of <paramref name="height"/>×<paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">The kernel does not fit.</exception>
    public (int H, int W) OutputSize(int height, int width)
    {
        var g = new Conv2dGeometry(InChannels, height, width, KernelSize.H, KernelSize.W, Stride.H, Stride.W, Padding.H, Padding.W);
        return (g.OutH, g.OutW);
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        yield return ("weight", Weight);
        if (Bias is not null) yield return ("bias", Bias);
    }

    /// <summary>Convolves [N, C, H, W] into [N, OC, OH, OW] (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">The input is not [N, C, H, W] with C = <see cref="InChannels"/>, or is smaller than the kernel.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        int c = InChannels, oc = OutChannels;
        var (kh, kw) = KernelSize;
        if (input.Rank != 4 || input.Dim(1) != c)
            throw LayerHelpers.ShapeError(ToString(), $"[N, {c}, H, W]", input.Shape);
        int h = input.Dim(2), w = input.Dim(3);
        if (h + 2 * Padding.H < kh || w + 2 * Padding.W < kw)
            throw LayerHelpers.ShapeError(ToString(), $"[N, {c}, H, W] with H + 2·{Padding.H} >= {kh} and W + 2·{Padding.W} >= {kw}", input.Shape);
        int n = input.Dim(0);
        _geometry = new Conv2dGeometry(c, h, w, kh, kw, Stride.H, Stride.W, Padding.H, Padding.W);
        _batch = n;
        var y = LayerHelpers.Ensure(ref _output, n, oc, _geometry.OutH, _geometry.OutW);
        _input = training ? input : null;
        _ready = training;
        if (n == 0) return y;

        int k = _geometry.ColumnRows, p = _geometry.ColumnCols;
        int np = n * p;
        LayerHelpers.Ensure(ref _columns, k * np);
        LayerHelpers.Ensure(ref _outT, oc * np);
        _chunks = Math.Min(n, MaxChunks);
        _samplesPerChunk = (n + _chunks - 1) / _chunks;
        _chunks = (n + _samplesPerChunk - 1) / _samplesPerChunk;
        Threading.For(0, _chunks, chunk => ForwardChunk(chunk, input.Data, y.Data));
        return y;
    }

    private void ForwardChunk(int chunk, float[] x, float[] y)
    {
        var g = _geometry;
        int n0 = chunk * _samplesPerChunk, n1 = Math.Min(_batch, n0 + _samplesPerChunk);
        int k = g.ColumnRows, p = g.ColumnCols, np = _batch * p, oc = OutChannels, imageSize = g.ImageSize;
        float[] col = _columns!, yt = _outT!;
        for (int i = n0; i < n1; i++)
            Im2Col.Unfold(x.AsSpan(i * imageSize, imageSize), g, col.AsSpan(i * p), np);
        LayerHelpers.SgemmSerial(false, false, oc, (n1 - n0) * p, k, 1f, Weight.Value.Data, k, col.AsSpan(n0 * p), np, 0f, yt.AsSpan(n0 * p), np);
        float[]? b = Bias?.Value.Data;
        for (int i = n0; i < n1; i++)
        {
            for (int o = 0; o < oc; o++)
            {
                var src = yt.AsSpan(o * np + i * p, p);
                var dst = y.AsSpan((i * oc + o) * p, p);
                if (b is null) src.CopyTo(dst);
                else TensorPrimitives.Add(src, b[o], dst);
            }
        }
    }

    /// <summary>dW += dYᵀ·colᵀ, db += Σ dY over N, OH, OW; returns dx [N, C, H, W] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        var x = _input!;
        _ready = false;
        _input = null;
        var dx = LayerHelpers.Ensure(ref _gradInput, x.Shape);
        if (_batch == 0) return dx;
        int k = _geometry.ColumnRows, oc = OutChannels;
        float[] pw = LayerHelpers.Ensure(ref _partialW, _chunks * oc * k);
        float[] pb = LayerHelpers.Ensure(ref _partialB, _chunks * oc);
        Threading.For(0, _chunks, chunk => BackwardChunk(chunk, gradOutput.Data, dx.Data));

        var dw = Weight.Grad.Data.AsSpan();
        for (int chunk = 0; chunk < _chunks; chunk++)
            TensorPrimitives.Add(dw, pw.AsSpan(chunk * oc * k, oc * k), dw);
        if (Bias is not null)
        {
            var db = Bias.Grad.Data.AsSpan();
            for (int chunk = 0; chunk < _chunks; chunk++)
                TensorPrimitives.Add(db, pb.AsSpan(chunk * oc, oc), db);
        }
        return dx;
    }

    private void BackwardChunk(int chunk, float[] dy, float[] dx)
    {
        var g = _geometry;
        int n0 = chunk * _samplesPerChunk, n1 = Math.Min(_batch, n0 + _samplesPerChunk);
        int k = g.ColumnRows, p = g.ColumnCols, np = _batch * p, oc = OutChannels, imageSize = g.ImageSize;
        int cols = (n1 - n0) * p;
        float[] col = _columns!, dyt = _outT!;
        var pb = _partialB.AsSpan(chunk * oc, oc);
        pb.Clear();
        for (int i = n0; i < n1; i++)
        {
            for (int o = 0; o < oc; o++)
            {
                var src = dy.AsSpan((i * oc + o) * p, p);
                src.CopyTo(dyt.AsSpan(o * np + i * p, p));
                pb[o] += TensorPrimitives.Sum(src);
            }
        }
        // Partial weight gradient of this chunk (uses the columns before they are overwritten below).
        LayerHelpers.SgemmSerial(false, true, oc, k, cols, 1f, dyt.AsSpan(n0 * p), np, col.AsSpan(n0 * p), np, 0f,
            _partialW.AsSpan(chunk * oc * k, oc * k), k);
        // dcol = Wᵀ·dYᵀ, written over this chunk's columns, then folded back into the images.
        LayerHelpers.SgemmSerial(true, false, k, cols, oc, 1f, Weight.Value.Data, k, dyt.AsSpan(n0 * p), np, 0f, col.AsSpan(n0 * p), np);
        for (int i = n0; i < n1; i++)
        {
            var img = dx.AsSpan(i * imageSize, imageSize);
            img.Clear();
            Im2Col.Fold(col.AsSpan(i * p), np, g, img);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv2d({InChannels}, {OutChannels}, kernel={KernelSize.H}x{KernelSize.W}, stride={Stride.H}x{Stride.W}, padding={Padding.H}x{Padding.W})";
}
