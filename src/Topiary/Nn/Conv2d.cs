// Conv2d: 2-D cross-correlation, PyTorch nn.Conv2d with groups and dilation, plus ONNX's asymmetric padding, NCHW.
//   input  x [N, C, H, W]     weight W [OC, C/G, KH, KW]     bias b [OC] (optional)     G groups, D dilation
//   pads (PT, PL, PB, PR) = (top, left, bottom, right), ONNX's pads order
//   output y [N, OC, OH, OW],  OH = ⌊(H + PT + PB − DH·(KH − 1) − 1)/SH⌋ + 1,  OW likewise
//   y[n, o, i, j] = b[o] + Σ_{c,kh,kw} W[o, c, kh, kw] · x[n, g·C/G + c, i·SH − PT + kh·DH, j·SW − PL + kw·DW]
//     with g = o / (OC/G) the group of output channel o; positions outside the image read 0.
// Depthwise (G > 1 and C/G = 1, e.g. G = C = OC): direct per-plane kernels (DepthwiseConv, vectorised at stride 1;
//   outputs at most 16 wide, channel multiplier 1: DepthwiseConvBlocked, 16 channels per vector),
//   forward and input gradient over (sample, channel) planes, weight/bias gradients over output channels, each
//   plane written by one thread.
// Inference (training = false) writes the output in place, sample by sample, in cache-sized column blocks
//   (Conv2dInference.cs). Training, and small images at batch > 1, are otherwise lowered to GEMM: the batch is
//   unfolded side by side into col [C·KH·KW, N·P] (P = OH·OW; in practice a block of samples at a time); the rows of
//   group g are the block [g·K, (g+1)·K) with K = (C/G)·KH·KW, and for every group
//   forward   Y_gᵀ[OC/G, N·P] = W_g[OC/G, K] · col_g
//   backward  dW_g += dY_gᵀ · col_gᵀ,  db += Σ dY,  dcol_g = W_gᵀ · dY_gᵀ,  dx = fold(dcol)
// The GEMM lowering (Conv2dGemm.cs) runs over fixed chunks of samples (boundaries depend only on N) on
// Threading.For, each chunk in cache-sized blocks of samples with single-threaded GEMMs; weight/bias gradients are
// per-chunk partial sums added in chunk order. Every path's results therefore do not depend on the thread count or
// scheduling.
// Forward/Backward return layer-owned buffers that the next call overwrites.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>2-D convolution over NCHW input (PyTorch <c>nn.Conv2d</c> with groups and dilation; ONNX <c>Conv</c> padding).</summary>
public sealed partial class Conv2d : Module
{
    private Tensor? _output, _gradInput;
    private float[]? _partialW, _partialB;
    private Conv2dGeometry _geometry;
    private int _batch;
    private KeptInput _kept;

    /// <summary>
    /// Creates a square-kernel convolution, initialised like PyTorch (weight and bias ~ U(±1/√((C/G)·K·K))).
    /// Weight shape [OC, C/G, K, K].
    /// </summary>
    /// <param name="inChannels">Input channels C.</param>
    /// <param name="outChannels">Output channels OC.</param>
    /// <param name="kernelSize">Kernel K (K×K).</param>
    /// <param name="rng">Source of the initial weights.</param>
    /// <param name="stride">Stride on both axes.</param>
    /// <param name="padding">Zero padding on every side.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="groups">Groups G: G divides C and OC; output channel o sees input channels of group o / (OC/G) only.</param>
    /// <param name="dilation">Dilation D on both axes: tap k reads offset k·D.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, kernel size, stride, group count or dilation is below 1, or padding is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="groups"/> does not divide both channel counts.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Random rng, int stride = 1, int padding = 0, bool bias = true,
        int groups = 1, int dilation = 1)
        : this(inChannels, outChannels, (kernelSize, kernelSize), rng, (stride, stride), (padding, padding, padding, padding),
            (dilation, dilation), groups, bias)
    {
    }

    /// <summary>
    /// Creates a convolution with a rectangular kernel, stride, symmetric padding and dilation ((height, width) pairs;
    /// default stride 1, padding 0, dilation 1). Weight shape [OC, C/G, KH, KW].
    /// </summary>
    /// <param name="inChannels">Input channels C.</param>
    /// <param name="outChannels">Output channels OC.</param>
    /// <param name="kernelSize">Kernel (KH, KW).</param>
    /// <param name="rng">Source of the initial weights.</param>
    /// <param name="stride">Stride (SH, SW).</param>
    /// <param name="padding">Zero padding (PH, PW): PH rows above and below, PW columns left and right.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="groups">Groups G, dividing C and OC.</param>
    /// <param name="dilation">Dilation (DH, DW).</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, kernel size, stride, group count or dilation is below 1, or padding is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="groups"/> does not divide both channel counts.</exception>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, Random rng,
        (int H, int W)? stride = null, (int H, int W)? padding = null, bool bias = true, int groups = 1, (int H, int W)? dilation = null)
        : this(inChannels, outChannels, kernelSize, rng, stride ?? (1, 1),
            padding is { } p ? (p.H, p.W, p.H, p.W) : (0, 0, 0, 0), dilation, groups, bias)
    {
    }

    /// <summary>
    /// Creates a convolution with explicit (top, left, bottom, right) padding — ONNX's <c>pads</c> order, e.g. the
    /// (0, 0, 1, 1) of a TensorFlow "SAME" stride-2 convolution. Weight shape [OC, C/G, KH, KW], initialised like PyTorch.
    /// </summary>
    /// <param name="inChannels">Input channels C.</param>
    /// <param name="outChannels">Output channels OC.</param>
    /// <param name="kernelSize">Kernel (KH, KW).</param>
    /// <param name="rng">Source of the initial weights.</param>
    /// <param name="stride">Stride (SH, SW).</param>
    /// <param name="pads">Zero padding (top, left, bottom, right).</param>
    /// <param name="dilation">Dilation (DH, DW); default (1, 1).</param>
    /// <param name="groups">Groups G, dividing C and OC.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, kernel size, stride, group count or dilation is below 1, or a pad is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="groups"/> does not divide both channel counts.</exception>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, Random rng, (int H, int W) stride,
        (int Top, int Left, int Bottom, int Right) pads, (int H, int W)? dilation = null, int groups = 1, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(kernelSize.H, kernelSize.W), 1, nameof(kernelSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(stride.H, stride.W), 1, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(Math.Min(Math.Min(pads.Top, pads.Left), Math.Min(pads.Bottom, pads.Right)), nameof(pads));
        var d = dilation ?? (1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(d.H, d.W), 1, nameof(dilation));
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups = {groups} must divide inChannels = {inChannels} and outChannels = {outChannels}.", nameof(groups));
        ArgumentNullException.ThrowIfNull(rng);
        Stride = stride;
        Pads = pads;
        Dilation = d;
        Groups = groups;
        Weight = new Parameter(new Tensor(outChannels, inChannels / groups, kernelSize.H, kernelSize.W));
        Bias = bias ? new Parameter(new Tensor(outChannels)) : null;
        Init.PyTorchDefault(Weight.Value, Bias?.Value, rng);
    }

    /// <summary>Weight, shape [OC, C/G, KH, KW].</summary>
    public Parameter Weight { get; }

    /// <summary>Bias, shape [OC], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Groups G: output channels [g·OC/G, (g+1)·OC/G) read input channels [g·C/G, (g+1)·C/G) only.</summary>
    public int Groups { get; internal set; }

    /// <summary>Input channels C = (Weight dim 1)·G (follows structural shrinking).</summary>
    public int InChannels => Weight.Value.Dim(1) * Groups;

    /// <summary>Output channels OC (Weight dim 0; follows structural shrinking).</summary>
    public int OutChannels => Weight.Value.Dim(0);

    /// <summary>True when every group has a single input channel (G = C, G > 1): a depthwise convolution, run by direct kernels.</summary>
    public bool IsDepthwise => Groups > 1 && Weight.Value.Dim(1) == 1;

    /// <summary>Kernel size (KH, KW).</summary>
    public (int H, int W) KernelSize => (Weight.Value.Dim(2), Weight.Value.Dim(3));

    /// <summary>Stride (SH, SW).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Dilation (DH, DW): kernel tap (kh, kw) reads offset (kh·DH, kw·DW).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Zero padding (top, left, bottom, right), ONNX's pads order.</summary>
    public (int Top, int Left, int Bottom, int Right) Pads { get; }

    /// <summary>True when the padding is the same above and below, and left and right.</summary>
    public bool HasSymmetricPadding => Pads.Top == Pads.Bottom && Pads.Left == Pads.Right;

    /// <summary>Zero padding (PH, PW) on both sides of each axis.</summary>
    /// <exception cref="InvalidOperationException">The padding is asymmetric (<see cref="HasSymmetricPadding"/> is false); read <see cref="Pads"/>.</exception>
    public (int H, int W) Padding => HasSymmetricPadding
        ? (Pads.Top, Pads.Left)
        : throw new InvalidOperationException(
            $"{this}: the padding is asymmetric (top {Pads.Top}, left {Pads.Left}, bottom {Pads.Bottom}, right {Pads.Right}); read Pads instead of Padding.");

    /// <summary>The lowering geometry for an input of <paramref name="height"/>×<paramref name="width"/> (C = <see cref="InChannels"/>).</summary>
    /// <exception cref="ArgumentException">The (dilated) kernel does not fit the padded input.</exception>
    public Conv2dGeometry Geometry(int height, int width) =>
        new(InChannels, height, width, KernelSize, Stride, Pads, Dilation);

    /// <summary>Output spatial size for an input of <paramref name="height"/>×<paramref name="width"/>.</summary>
    /// <exception cref="ArgumentException">The kernel does not fit.</exception>
    public (int H, int W) OutputSize(int height, int width)
    {
        var g = Geometry(height, width);
        return (g.OutH, g.OutW);
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => LayerHelpers.WeightAndBias(Weight, Bias);

    /// <summary>Convolves [N, C, H, W] into [N, OC, OH, OW] (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">The input is not [N, C, H, W] with C = <see cref="InChannels"/>, or is smaller than the dilated kernel.</exception>
    /// <exception cref="InvalidOperationException">The output channels are no longer a multiple of <see cref="Groups"/> (a shrunk weight).</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        int c = InChannels, oc = OutChannels;
        if (oc % Groups != 0)
            throw new InvalidOperationException($"{this}: {oc} output channels are not a multiple of groups = {Groups}.");
        var (kh, kw) = KernelSize;
        if (input.Rank != 4 || input.Dim(1) != c)
            throw LayerHelpers.ShapeError(ToString(), $"[N, {c}, H, W]", input.Shape);
        int h = input.Dim(2), w = input.Dim(3);
        int ekh = Dilation.H * (kh - 1) + 1, ekw = Dilation.W * (kw - 1) + 1;
        if (h + Pads.Top + Pads.Bottom < ekh || w + Pads.Left + Pads.Right < ekw)
            throw LayerHelpers.ShapeError(ToString(),
                $"[N, {c}, H, W] with H + {Pads.Top} + {Pads.Bottom} >= {ekh} and W + {Pads.Left} + {Pads.Right} >= {ekw}", input.Shape);
        int n = input.Dim(0);
        _geometry = Geometry(h, w);
        _batch = n;
        var y = !training && _into is not null ? _into : LayerHelpers.Ensure(ref _output, n, oc, _geometry.OutH, _geometry.OutW);
        _kept.Keep(input, training);
        if (n == 0) return y;

        if (IsDepthwise)
        {
            if (!DepthwiseForward(input.Data, y.Data) && HasEpilogue) ApplyEpilogue(y.Data, y.Length);
            return y;
        }
        if (!training && InferenceForward(input.Data, _target ?? y.Data)) return y;
        GemmForward(input.Data, y.Data);
        if (HasEpilogue) ApplyEpilogue(y.Data, y.Length);
        if (_target is not null) CopyToTarget(y);
        return y;
    }

    // Output plane (n, o) reads input plane (n, o / M), M = OC/C output channels per input channel, or (n, source[o])
    // with a channel map (ForwardFused's inputChannels: DepthwiseConv3x3 only). True when the epilogue (residual,
    // clamp) was applied in the kernel's store (DepthwiseConv3x3: 3×3, stride 1 or 2).
    private bool DepthwiseForward(float[] x, float[] y)
    {
        int[]? source = _inputChannels;
        var g = _geometry;
        int c = g.Channels, oc = OutChannels, m = oc / c, taps = g.KernelH * g.KernelW;
        int inPlane = g.Height * g.Width, outPlane = g.OutH * g.OutW;
        float[] wd = Weight.Value.Data;
        float[]? b = Bias?.Value.Data;
        if (DepthwiseConv3x3.Supports(g))
        {
            // Contiguous ranges of planes, a few per thread (planes cost the same; more parts than threads absorb noise).
            int planes = _batch * oc, parts = Math.Min(planes, 4 * Threading.MaxDegreeOfParallelism);
            float[]? r = _residual;
            float lo = _clampMin, hi = _clampMax;
            if (parts == 1 || Threading.MaxDegreeOfParallelism == 1) DepthwiseConv3x3.Forward(x, wd, b, m, g, y, r, lo, hi, 0, planes, source);
            else Threading.For(0, parts, part => DepthwiseConv3x3.Forward(x, wd, b, m, g, y, r, lo, hi,
                (int)((long)planes * part / parts), (int)((long)planes * (part + 1) / parts), source));
            return true;
        }
        if (m == 1 && g.OutW <= SmallPlaneWidth && DepthwiseConvBlocked.IsSupported)
        {
            // Small planes (rows of ≤ 16 floats): 16 channels at a time, vectorised across channels.
            int lanes = DepthwiseConvBlocked.Lanes, blocks = (c + lanes - 1) / lanes;
            Threading.For(0, _batch * blocks, item =>
            {
                int i = item / blocks, c0 = item % blocks * lanes, count = Math.Min(lanes, c - c0);
                DepthwiseConvBlocked.Forward(x, (i * c + c0) * inPlane, wd, b, c0, count, g, y, (i * oc + c0) * outPlane);
            });
            return false;
        }
        Threading.For(0, _batch * oc, plane =>
        {
            int i = plane / oc, o = plane % oc;
            DepthwiseConv.Forward(x.AsSpan((i * c + o / m) * inPlane, inPlane), wd.AsSpan(o * taps, taps), b is null ? 0f : b[o], g,
                y.AsSpan(plane * outPlane, outPlane));
        });
        return false;
    }

    /// <summary>Output rows at most this wide run the depthwise forward across channels (DepthwiseConvBlocked).</summary>
    private const int SmallPlaneWidth = 16;

    /// <summary>dW += dYᵀ·colᵀ (per group), db += Σ dY over N, OH, OW; returns dx [N, C, H, W] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        var x = _kept.Take(this, gradOutput, _output!);
        var dx = LayerHelpers.Ensure(ref _gradInput, x.Shape);
        if (_batch == 0) return dx;
        if (IsDepthwise)
        {
            DepthwiseBackward(x.Data, gradOutput.Data, dx.Data);
            return dx;
        }
        GemmBackward(x.Data, gradOutput.Data, dx.Data);
        return dx;
    }

    // dx over (sample, input channel) planes: the sum of the M output channels reading the plane. dW, db over output
    // channels: samples summed in order into a per-channel partial, then added to the gradient.
    private void DepthwiseBackward(float[] x, float[] dy, float[] dx)
    {
        var g = _geometry;
        int c = g.Channels, oc = OutChannels, m = oc / c, taps = g.KernelH * g.KernelW, n = _batch;
        int inPlane = g.Height * g.Width, outPlane = g.OutH * g.OutW;
        float[] wd = Weight.Value.Data;
        Threading.For(0, n * c, plane =>
        {
            int i = plane / c, ch = plane % c;
            var dxPlane = dx.AsSpan(plane * inPlane, inPlane);
            for (int j = 0; j < m; j++)
            {
                int o = ch * m + j;
                DepthwiseConv.InputGradient(dy.AsSpan((i * oc + o) * outPlane, outPlane), wd.AsSpan(o * taps, taps), g, dxPlane, accumulate: j > 0);
            }
        });
        float[] pw = LayerHelpers.Ensure(ref _partialW, oc * taps);
        float[] gw = Weight.Grad.Data;
        float[]? gb = Bias?.Grad.Data;
        Threading.For(0, oc, o =>
        {
            var partial = pw.AsSpan(o * taps, taps);
            partial.Clear();
            float bias = 0;
            for (int i = 0; i < n; i++)
            {
                var dyPlane = dy.AsSpan((i * oc + o) * outPlane, outPlane);
                DepthwiseConv.WeightGradient(x.AsSpan((i * c + o / m) * inPlane, inPlane), dyPlane, g, partial);
                if (gb is not null) bias += TensorPrimitives.Sum(dyPlane);
            }
            var grad = gw.AsSpan(o * taps, taps);
            TensorPrimitives.Add(grad, partial, grad);
            if (gb is not null) gb[o] += bias;
        });
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var (t, l, b, r) = Pads;
        string padding = HasSymmetricPadding ? $"padding={t}x{l}" : $"pads=({t}, {l}, {b}, {r})";
        string dilation = Dilation == (1, 1) ? "" : $", dilation={Dilation.H}x{Dilation.W}";
        string groups = Groups == 1 ? "" : $", groups={Groups}";
        return $"Conv2d({InChannels}, {OutChannels}, kernel={KernelSize.H}x{KernelSize.W}, stride={Stride.H}x{Stride.W}, {padding}{dilation}{groups})";
    }
}
