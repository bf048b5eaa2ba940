// AvgPool2d: PyTorch nn.AvgPool2d / ONNX AveragePool, NCHW, with rectangular windows, asymmetric pads
// (top, left, bottom, right), ceil_mode and count_include_pad.
//   input [N, C, H, W] → output [N, C, OH, OW],  OH = ⌊(H + PT + PB − KH)/SH⌋ + 1 (likewise OW); with ceil_mode
//   the ceiling, dropping a last window that would start in the bottom/right padding (Conv2dGeometry).
//   Window (i, j) covers rows [hs, hs + KH) with hs = i·SH − PT (columns likewise); padding counts as 0.
//   y[n, c, i, j] = (Σ over the window ∩ image) / divisor, PyTorch's divisor:
//     count_include_pad = true   (min(hs + KH, H + PB) − hs) · (min(ws + KW, W + PR) − ws)
//                                — the window clipped to the padded image: padding counts, but the part of a
//                                ceil_mode window beyond the padding never does
//     count_include_pad = false  the number of image elements in the window
// Forward, planes in parallel: the window rows' element-wise sums, then the windows' column sums (PoolRow: vectorised
// at strides 1 and 2; each output's additions in the same order on every path), times 1/divisor.
// Backward: every image input of a window receives dy/divisor. Parallel per sample, deterministic.
// The window settings, their checks and the legacy square properties live in Pool2d.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>2-D average pooling (PyTorch <c>nn.AvgPool2d</c>, ONNX <c>AveragePool</c>).</summary>
public sealed class AvgPool2d : Pool2d, IArenaOutput
{
    private Tensor? _output;
    private OutputSeat _seat;
    private KeptShape _kept;
    private Conv2dGeometry _geometry;

    /// <summary>Creates a k×k average pool; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>.</summary>
    /// <param name="kernelSize">Window k (k×k).</param>
    /// <param name="stride">Stride on both axes; default k.</param>
    /// <param name="padding">Implicit zero padding on every side, at most k/2.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch/ONNX ceil_mode; see the file header).</param>
    /// <param name="countIncludePad">Whether the padding counts in the divisor (PyTorch's default true).</param>
    /// <exception cref="ArgumentOutOfRangeException">Kernel or stride below 1, padding negative or above kernelSize/2 (PyTorch's rule).</exception>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
        : this((kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding, padding, padding), ceilMode, countIncludePad)
    {
    }

    /// <summary>Creates a KH×KW average pool with (top, left, bottom, right) padding; <paramref name="stride"/> defaults to the kernel.</summary>
    /// <param name="kernelSize">Window (KH, KW).</param>
    /// <param name="stride">Stride (SH, SW); default (KH, KW).</param>
    /// <param name="pads">Implicit zero padding (top, left, bottom, right), ONNX's pads order; each at most half the kernel along its axis.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch/ONNX ceil_mode; see the file header).</param>
    /// <param name="countIncludePad">Whether the padding counts in the divisor (see the file header).</param>
    /// <exception cref="ArgumentOutOfRangeException">Kernel or stride below 1, a pad negative or above half the kernel (PyTorch's rule).</exception>
    public AvgPool2d((int H, int W) kernelSize, (int H, int W)? stride = null, (int Top, int Left, int Bottom, int Right) pads = default,
        bool ceilMode = false, bool countIncludePad = true)
        : base(kernelSize, stride, pads, ceilMode)
    {
        CountIncludePad = countIncludePad;
    }

    /// <summary>Whether the padding counts in the divisor (count_include_pad).</summary>
    public bool CountIncludePad { get; }

    /// <summary>True when some output averages in padding: a pad is non-zero and <see cref="CountIncludePad"/> is set.</summary>
    public bool CountsPadding => CountIncludePad && Pads != (0, 0, 0, 0);

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>Pools [N, C, H, W] into [N, C, OH, OW] (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">Input not rank 4 or smaller than the window.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = Geometry(input);
        _geometry = g;
        int n = input.Dim(0), c = g.Channels;
        var y = _seat.Output(ref _output, training, n, c, g.OutH, g.OutW);
        float[] xs = input.Data, ys = y.Data;
        int inPlane = g.Height * g.Width, outPlane = g.OutH * g.OutW;
        Threading.For(0, n * c, plane => AveragePlane(xs.AsSpan(plane * inPlane, inPlane), g, ys.AsSpan(plane * outPlane, outPlane)));
        _kept.Keep(input, training);
        return y;
    }

    // One plane: for each output row, the element-wise sum of its window's input rows (PoolRow.Rows) into a row padded
    // with zeros where windows hang over the image, the sums over each window's columns (PoolRow.Columns: vectorised at
    // strides 1 and 2), then each times 1/divisor (a row of factors, remade when the window's rows change).
    private void AveragePlane(ReadOnlySpan<float> x, in Conv2dGeometry g, Span<float> y)
    {
        int h = g.Height, w = g.Width, ow = g.OutW;
        // 16 spare zeros after the last window, so the column phase's last vector may read past it.
        int length = (ow - 1) * g.StrideW + g.KernelW, used = Math.Min(w, length - g.PadLeft);
        Span<float> padded = length <= 1024 ? stackalloc float[length + 16] : new float[length + 16];
        Span<float> factors = ow <= 1024 ? stackalloc float[ow] : new float[ow];
        padded.Clear();
        var middle = padded.Slice(g.PadLeft, used);
        (int Rows, int Padded) factorsFor = (-1, -1);
        for (int oy = 0; oy < g.OutH; oy++)
        {
            var (y0, y1, rows) = Window(oy, g.StrideH, g.PadTop, g.KernelH, h, g.PadBottom);
            var output = y.Slice(oy * ow, ow);
            PoolRow.Rows<PoolSum>(x, w, y0, y1, middle);
            PoolRow.Columns<PoolSum>(padded, g.StrideW, g.KernelW, output);
            if (factorsFor != (y1 - y0, rows))
            {
                factorsFor = (y1 - y0, rows);
                for (int ox = 0; ox < ow; ox++)
                {
                    var (x0, x1, cols) = Window(ox, g.StrideW, g.PadLeft, g.KernelW, w, g.PadRight);
                    factors[ox] = Scale(y1 - y0, x1 - x0, rows, cols);
                }
            }
            TensorPrimitives.Multiply(output, factors, output);
        }
    }

    /// <summary>dx[window] += dy/divisor for every output element; returns dx [N, C, H, W] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        var dx = _kept.BeginBackward(this, gradOutput, _output!);
        var g = _geometry;
        int n = dx.Dim(0), c = g.Channels, h = g.Height, w = g.Width;
        float[] dy = gradOutput.Data, d = dx.Data;
        Threading.For(0, n, i =>
        {
            d.AsSpan(i * c * h * w, c * h * w).Clear();
            Spread(g, i * c, (i + 1) * c, dy, d);
        });
        return dx;
    }

    // dx[window] += dy[output] / divisor for every window of planes [first, end), in order.
    private void Spread(in Conv2dGeometry g, int first, int end, float[] dy, float[] dx)
    {
        int h = g.Height, w = g.Width;
        for (int plane = first; plane < end; plane++)
        {
            int xOff = plane * h * w, yOff = plane * g.OutH * g.OutW;
            for (int oy = 0; oy < g.OutH; oy++)
            {
                var (y0, y1, rows) = Window(oy, g.StrideH, g.PadTop, g.KernelH, h, g.PadBottom);
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    var (x0, x1, cols) = Window(ox, g.StrideW, g.PadLeft, g.KernelW, w, g.PadRight);
                    float v = dy[yOff + oy * g.OutW + ox] * Scale(y1 - y0, x1 - x0, rows, cols);
                    for (int iy = y0; iy < y1; iy++)
                    {
                        var row = dx.AsSpan(xOff + iy * w + x0, x1 - x0);
                        TensorPrimitives.Add(row, v, row);
                    }
                }
            }
        }
    }

    // Window o along one axis: image range [start, end) and its length inside the padded image (PyTorch's pool_size factor).
    private static (int Start, int End, int Padded) Window(int o, int stride, int padBegin, int kernel, int size, int padEnd)
    {
        int s = o * stride - padBegin, e = Math.Min(s + kernel, size + padEnd);
        return (Math.Max(s, 0), Math.Min(e, size), e - s);
    }

    private float Scale(int rows, int cols, int paddedRows, int paddedCols) =>
        1f / (CountIncludePad ? paddedRows * paddedCols : rows * cols);

    /// <inheritdoc/>
    public override string ToString() =>
        $"AvgPool2d({PoolHelpers.Describe(Kernel, Strides, Pads, CeilMode)}{(CountIncludePad ? "" : ", count_include_pad=false")})";
}
