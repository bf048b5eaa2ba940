// AvgPool2d: PyTorch nn.AvgPool2d (ceil_mode false, count_include_pad true), NCHW.
//   input [N, C, H, W] → output [N, C, OH, OW],  OH = ⌊(H + 2·pad − k)/stride⌋ + 1 (likewise OW)
//   y[n, c, i, j] = (1/k²) · Σ over the k×k window at (i·stride − pad, j·stride − pad); padding counts as 0
//   and is included in the divisor (count_include_pad = true).
// Backward: every input in a window receives dy/k². Parallel per sample, deterministic.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>2-D average pooling (PyTorch <c>nn.AvgPool2d</c>, count_include_pad = true, ceil_mode = false).</summary>
public sealed class AvgPool2d : Module
{
    private Tensor? _output, _gradInput;
    private int[]? _inputShape;
    private Conv2dGeometry _geometry;
    private bool _ready;

    /// <summary>Creates a k×k average pool; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Kernel or stride below 1, padding negative or above kernelSize/2 (PyTorch's rule).</exception>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        PoolHelpers.Validate(kernelSize, stride, padding);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    /// <summary>Window size k.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Implicit zero padding on every side (counted in the divisor).</summary>
    public int Padding { get; }

    /// <summary>Pools [N, C, H, W] into [N, C, OH, OW] (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">Input not rank 4 or smaller than the window.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = PoolHelpers.Geometry(ToString(), input, KernelSize, Stride, Padding);
        _geometry = g;
        int n = input.Dim(0), c = g.Channels;
        var y = LayerHelpers.Ensure(ref _output, n, c, g.OutH, g.OutW);
        float[] x = input.Data, yd = y.Data;
        int k = KernelSize, s = Stride, pad = Padding, h = g.Height, w = g.Width;
        float scale = 1f / (k * k);
        Threading.For(0, n, i =>
        {
            for (int plane = i * c; plane < (i + 1) * c; plane++)
            {
                int xOff = plane * h * w, yOff = plane * g.OutH * g.OutW;
                for (int oy = 0; oy < g.OutH; oy++)
                {
                    int y0 = Math.Max(0, oy * s - pad), y1 = Math.Min(h, oy * s - pad + k);
                    for (int ox = 0; ox < g.OutW; ox++)
                    {
                        int x0 = Math.Max(0, ox * s - pad), x1 = Math.Min(w, ox * s - pad + k);
                        float sum = 0;
                        for (int iy = y0; iy < y1; iy++)
                            sum += TensorPrimitives.Sum(x.AsSpan(xOff + iy * w + x0, x1 - x0));
                        yd[yOff + oy * g.OutW + ox] = sum * scale;
                    }
                }
            }
        });
        _ready = training;
        if (training && (_inputShape is null || !input.Shape.SequenceEqual(_inputShape))) _inputShape = input.Shape.ToArray();
        return y;
    }

    /// <summary>dx[window] += dy/k² for every output element; returns dx [N, C, H, W] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, _inputShape!);
        var g = _geometry;
        int n = dx.Dim(0), c = g.Channels, k = KernelSize, s = Stride, pad = Padding, h = g.Height, w = g.Width;
        float scale = 1f / (k * k);
        float[] dy = gradOutput.Data, d = dx.Data;
        Threading.For(0, n, i =>
        {
            d.AsSpan(i * c * h * w, c * h * w).Clear();
            for (int plane = i * c; plane < (i + 1) * c; plane++)
            {
                int xOff = plane * h * w, yOff = plane * g.OutH * g.OutW;
                for (int oy = 0; oy < g.OutH; oy++)
                {
                    int y0 = Math.Max(0, oy * s - pad), y1 = Math.Min(h, oy * s - pad + k);
                    for (int ox = 0; ox < g.OutW; ox++)
                    {
                        int x0 = Math.Max(0, ox * s - pad), x1 = Math.Min(w, ox * s - pad + k);
                        float v = dy[yOff + oy * g.OutW + ox] * scale;
                        for (int iy = y0; iy < y1; iy++)
                        {
                            var row = d.AsSpan(xOff + iy * w + x0, x1 - x0);
                            TensorPrimitives.Add(row, v, row);
                        }
                    }
                }
            }
        });
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => $"AvgPool2d(kernel={KernelSize}, stride={Stride}, padding={Padding})";
}
