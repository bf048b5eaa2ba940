// DepthwiseShape: one depthwise 3×3 convolution layer at batch 1 (C channels, H×W input, stride S, padding 1) with
// operands allocated and filled deterministically, shared by DepthwiseConvBenchmarks and the quick mode's
// "depthwise" section. MobileNetShapes are MobileNet-v2 depthwise layers (expansion 6).
// Every call covers the whole layer — all C planes in turn, on the calling thread — through one of:
//   DepthwiseConv       forward / input gradient / weight gradient (the vectorised kernels, as Conv2d calls them)
//   DepthwiseConvScalar the same three through the scalar twin (the test oracle and the speed baseline)
//   DepthwiseConv3x3    the inference forward Conv2d runs for 3×3 layers (ReLU6 fused), as shipped and with every plane
//                       forced through the padded plane (Forward3x3Padded: the baseline of the flat path for narrow planes)
//   Pointwise           a dense 1×1 Conv2d(C, C) forward on the depthwise output (OH×OW): the pointwise layer that
//                       follows a depthwise one in MobileNet, through im2col + GEMM (batch 1: one chunk, one thread)
// Flops: 2·C·KH·KW·OH·OW per image for each depthwise pass (taps in the padding counted, as usual), 2·C·C·OH·OW for
// the pointwise layer.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Benchmarks.Tensors;

/// <summary>A depthwise convolution layer (C channels, H×W, K×K kernel, stride S, padding K/2), batch 1.</summary>
public sealed record DepthwiseShape(int Channels, int Size, int Stride, int Kernel = 3)
{
    /// <summary>MobileNet-v2-like depthwise layers: 3×3, stride 1 and 2.</summary>
    public static IReadOnlyList<DepthwiseShape> MobileNetShapes { get; } =
    [
        new(96, 56, 1),
        new(144, 56, 2),
        new(384, 14, 1),
        new(960, 7, 1),
    ];

    /// <summary>The per-plane geometry (padding K/2 on every side).</summary>
    public Conv2dGeometry Geometry => new(1, Size, Size, Kernel, Kernel, Stride, Stride, Kernel / 2, Kernel / 2);

    /// <summary>Output side OH = OW.</summary>
    public int OutSize => Geometry.OutH;

    /// <summary>Floating-point operations of one depthwise pass over the layer (2·C·K·K·OH·OW).</summary>
    public double Flops => 2.0 * Channels * Kernel * Kernel * OutSize * OutSize;

    /// <summary>Floating-point operations of the dense 1×1 Conv2d(C, C) on the output (2·C·C·OH·OW).</summary>
    public double PointwiseFlops => 2.0 * Channels * Channels * OutSize * OutSize;

    /// <summary>Short name (input C×H×W and stride, under BenchmarkDotNet's 20-character limit), e.g. "C144 56x56 s2".</summary>
    public string Name => $"C{Channels} {Size}x{Size} s{Stride}";

    /// <summary>The name (BenchmarkDotNet shows parameters with ToString).</summary>
    public override string ToString() => Name;

    /// <summary>Allocates operands with values in [-1, 1) from a fixed seed.</summary>
    public DepthwiseOperands Allocate(int seed = 42) => new(this, seed);
}

/// <summary>Operands of a <see cref="DepthwiseShape"/> and whole-layer calls into the kernels and their scalar twin.</summary>
public sealed class DepthwiseOperands
{
    private readonly Conv2dGeometry _g, _g3;
    private readonly int _c, _inPlane, _outPlane, _taps;
    private readonly float[] _x, _w, _b, _y, _dy, _dx, _dw;
    private readonly Conv2d _pointwise;
    private readonly Tensor _pointwiseInput;

    internal DepthwiseOperands(DepthwiseShape shape, int seed)
    {
        _g = shape.Geometry;
        _c = shape.Channels;
        _inPlane = _g.Height * _g.Width;
        _outPlane = _g.OutH * _g.OutW;
        _taps = _g.KernelH * _g.KernelW;
        _g3 = new Conv2dGeometry(_c, _g.Height, _g.Width, _g.KernelH, _g.KernelW, _g.StrideH, _g.StrideW, _g.PadTop, _g.PadLeft);
        var rng = new Random(seed);
        _x = Fill(rng, _c * _inPlane);
        _w = Fill(rng, _c * _taps);
        _b = Fill(rng, _c);
        _y = new float[_c * _outPlane];
        _dy = Fill(rng, _c * _outPlane);
        _dx = new float[_c * _inPlane];
        _dw = new float[_c * _taps];
        _pointwise = new Conv2d(_c, _c, 1, rng, bias: false);
        _pointwiseInput = new Tensor(Fill(rng, _c * _outPlane), 1, _c, _g.OutH, _g.OutW);
    }

    /// <summary>Forward of all C planes through <see cref="DepthwiseConv"/>.</summary>
    public void Forward()
    {
        for (int c = 0; c < _c; c++)
            DepthwiseConv.Forward(_x.AsSpan(c * _inPlane, _inPlane), _w.AsSpan(c * _taps, _taps), _b[c], _g, _y.AsSpan(c * _outPlane, _outPlane));
    }

    /// <summary>Forward of all C planes through the scalar twin.</summary>
    /// <summary>Whether the layer runs DepthwiseConv3x3's flat path at the machine's widest lanes.</summary>
    public bool RunsFlat3x3 => DepthwiseConv3x3.RunsFlat(_g3, Lanes3x3);

    private static DepthwiseConv3x3.Lanes Lanes3x3 => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? DepthwiseConv3x3.Lanes.V512
        : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? DepthwiseConv3x3.Lanes.V256 : DepthwiseConv3x3.Lanes.V128;

    /// <summary>DepthwiseConv3x3 over all planes as Conv2d calls it at inference (bias, ReLU6), as shipped.</summary>
    public void Forward3x3() => DepthwiseConv3x3.Forward(_x, _w, _b, 1, _g3, _y, null, 0f, 6f, 0, _c, Lanes3x3);

    /// <summary>As <see cref="Forward3x3"/> with every plane through the padded plane.</summary>
    public void Forward3x3Padded() => DepthwiseConv3x3.Forward(_x, _w, _b, 1, _g3, _y, null, 0f, 6f, 0, _c, Lanes3x3, flat: false);

    public void ForwardScalar()
    {
        for (int c = 0; c < _c; c++)
            DepthwiseConvScalar.Forward(_x.AsSpan(c * _inPlane, _inPlane), _w.AsSpan(c * _taps, _taps), _b[c], _g, _y.AsSpan(c * _outPlane, _outPlane));
    }

    /// <summary>Input gradient (dx overwritten) of all C planes through <see cref="DepthwiseConv"/>.</summary>
    public void InputGradient()
    {
        for (int c = 0; c < _c; c++)
            DepthwiseConv.InputGradient(_dy.AsSpan(c * _outPlane, _outPlane), _w.AsSpan(c * _taps, _taps), _g, _dx.AsSpan(c * _inPlane, _inPlane), accumulate: false);
    }

    /// <summary>Input gradient (dx overwritten) of all C planes through the scalar twin.</summary>
    public void InputGradientScalar()
    {
        for (int c = 0; c < _c; c++)
            DepthwiseConvScalar.InputGradient(_dy.AsSpan(c * _outPlane, _outPlane), _w.AsSpan(c * _taps, _taps), _g, _dx.AsSpan(c * _inPlane, _inPlane), accumulate: false);
    }

    /// <summary>Weight gradient (dw accumulated) of all C planes through <see cref="DepthwiseConv"/>.</summary>
    public void WeightGradient()
    {
        for (int c = 0; c < _c; c++)
            DepthwiseConv.WeightGradient(_x.AsSpan(c * _inPlane, _inPlane), _dy.AsSpan(c * _outPlane, _outPlane), _g, _dw.AsSpan(c * _taps, _taps));
    }

    /// <summary>Weight gradient (dw accumulated) of all C planes through the scalar twin.</summary>
    public void WeightGradientScalar()
    {
        for (int c = 0; c < _c; c++)
            DepthwiseConvScalar.WeightGradient(_x.AsSpan(c * _inPlane, _inPlane), _dy.AsSpan(c * _outPlane, _outPlane), _g, _dw.AsSpan(c * _taps, _taps));
    }

    /// <summary>Dense 1×1 Conv2d(C, C) forward on a [1, C, OH, OW] input (the pointwise layer after the depthwise one).</summary>
    public void Pointwise() => _pointwise.Forward(_pointwiseInput, training: false);

    private static float[] Fill(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
