// MaxPool2d: PyTorch nn.MaxPool2d (dilation 1) / ONNX MaxPool, NCHW, with rectangular windows, asymmetric pads
// (top, left, bottom, right) and ceil_mode.
//   input [N, C, H, W] → output [N, C, OH, OW],  OH = ⌊(H + PT + PB − KH)/SH⌋ + 1 (likewise OW); with ceil_mode
//   the ceiling, dropping a last window that would start in the bottom/right padding (Conv2dGeometry).
//   y[n, c, i, j] = max over the KH×KW window at (i·SH − PT, j·SW − PL), clipped to the image (padding counts as −∞;
//   every window overlaps the image since pads ≤ kernel/2).
// The flat input index of each maximum (first one in row-major window order on ties) is kept, and
// Backward routes each output gradient to it (overlapping windows accumulate). Inference (training = false) keeps no
// index and takes the separable max: the window's rows element-wise (vectorised), then the window's columns
// (PoolRow: vectorised at strides 1 and 2), planes in parallel; the unpadded 2×2 stride-2 pool in ranges of planes
// (MaxPool2x2Inference: the same maxima in the same order). In training the 2×2 stride-2 pool runs MaxPool2x2 forward and
// MaxPool2x2Backward (a select per input element) backward. Training work runs per sample in parallel; each sample's
// gradient is written by one thread, so results are deterministic.
// The window settings, their checks and the legacy square properties live in Pool2d.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>2-D max pooling (PyTorch <c>nn.MaxPool2d</c>, ONNX <c>MaxPool</c>; no dilation).</summary>
public sealed class MaxPool2d : Pool2d, IArenaOutput
{
    private Tensor? _output;
    private OutputSeat _seat;
    private KeptShape _kept;
    private int[]? _argmax;
    private float[]? _pairMax;
    private int[]? _pairIdx;
    private bool _pooled2x2;
    private Conv2dGeometry _geometry;

    /// <summary>Creates a k×k max pool; <paramref name="stride"/> defaults to <paramref name="kernelSize"/>.</summary>
    /// <param name="kernelSize">Window k (k×k).</param>
    /// <param name="stride">Stride on both axes; default k.</param>
    /// <param name="padding">Implicit −∞ padding on every side, at most k/2.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch/ONNX ceil_mode; see the file header).</param>
    /// <exception cref="ArgumentOutOfRangeException">Kernel or stride below 1, padding negative or above kernelSize/2 (PyTorch's rule).</exception>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false)
        : this((kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding, padding, padding), ceilMode)
    {
    }

    /// <summary>Creates a KH×KW max pool with (top, left, bottom, right) padding; <paramref name="stride"/> defaults to the kernel.</summary>
    /// <param name="kernelSize">Window (KH, KW).</param>
    /// <param name="stride">Stride (SH, SW); default (KH, KW).</param>
    /// <param name="pads">Implicit −∞ padding (top, left, bottom, right), ONNX's pads order; each at most half the kernel along its axis.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch/ONNX ceil_mode; see the file header).</param>
    /// <exception cref="ArgumentOutOfRangeException">Kernel or stride below 1, a pad negative or above half the kernel (PyTorch's rule).</exception>
    public MaxPool2d((int H, int W) kernelSize, (int H, int W)? stride = null, (int Top, int Left, int Bottom, int Right) pads = default,
        bool ceilMode = false)
        : base(kernelSize, stride, pads, ceilMode)
    {
    }

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>Pools [N, C, H, W] into [N, C, OH, OW] (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">Input not rank 4 or smaller than the window.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = Geometry(input);
        int n = input.Dim(0), c = g.Channels;
        var y = _seat.Output(ref _output, training, n, c, g.OutH, g.OutW);
        if (!training)
        {
            // Inference keeps no argmax: separable max (window rows, then window columns), planes in parallel.
            _kept.Keep(input, training: false);
            float[] xs = input.Data, ys = y.Data;
            int inPlane = g.Height * g.Width, outPlane = g.OutH * g.OutW;
            if (Kernel == (2, 2) && Strides == (2, 2) && Pads == (0, 0, 0, 0) && g.OutH == g.Height / 2 && g.OutW == g.Width / 2)
            {
                // Whole ranges of planes, a few per thread (LeNet-5's 8 × 8 planes cost more in per-plane setup than in maxima).
                int planes = n * c, parts = Math.Min(planes, 4 * Threading.MaxDegreeOfParallelism), h = g.Height, w = g.Width;
                if (parts <= 1) MaxPool2x2Inference.Planes(xs, h, w, 0, planes, ys);
                else Threading.For(0, parts, part => MaxPool2x2Inference.Planes(xs, h, w, planes * part / parts, planes * (part + 1) / parts, ys));
                return y;
            }
            Threading.For(0, n * c, plane => InferencePlane(xs.AsSpan(plane * inPlane, inPlane), g, ys.AsSpan(plane * outPlane, outPlane)));
            return y;
        }
        int[] argmax = LayerHelpers.Ensure(ref _argmax, y.Length);
        float[] x = input.Data, yd = y.Data;
        _geometry = g;
        _pooled2x2 = Kernel == (2, 2) && Strides == (2, 2) && Pads == (0, 0, 0, 0) && g.Width % 2 == 0 && g.OutH == g.Height / 2 && MaxPool2x2.IsSupported;
        if (_pooled2x2)
        {
            int per = g.ImageSize, half = per / 2, outPer = c * g.OutH * g.OutW;
            float[] pairMax = LayerHelpers.Ensure(ref _pairMax, n * half);
            int[] pairIdx = LayerHelpers.Ensure(ref _pairIdx, n * half);
            Threading.For(0, n, i => MaxPool2x2.Forward(x.AsSpan(i * per, per), i * per, c, g.Height, g.Width,
                yd.AsSpan(i * outPer, outPer), argmax.AsSpan(i * outPer, outPer), pairMax.AsSpan(i * half, half), pairIdx.AsSpan(i * half, half)));
        }
        else
        {
            Threading.For(0, n, i =>
            {
                for (int ch = 0; ch < c; ch++)
                {
                    int plane = i * c + ch;
                    ForwardPlane(x, plane * g.Height * g.Width, g, yd, argmax, plane * g.OutH * g.OutW);
                }
            });
        }
        _kept.Keep(input, training);
        return y;
    }

    // One plane without argmax: for each output row, the element-wise max of its window's input rows (PoolRow.Rows;
    // NaN propagates) into a row padded with −∞ where windows hang over the image, then the max over each window's
    // columns (PoolRow.Columns: vectorised at strides 1 and 2).
    private static void InferencePlane(ReadOnlySpan<float> x, in Conv2dGeometry g, Span<float> y)
    {
        int h = g.Height, w = g.Width, kh = g.KernelH, kw = g.KernelW, sh = g.StrideH, sw = g.StrideW, pt = g.PadTop, pl = g.PadLeft;
        // 16 spare −∞ values after the last window, so the column phase's last vector may read past it.
        int length = (g.OutW - 1) * sw + kw, used = Math.Min(w, length - pl);
        Span<float> padded = length <= 1024 ? stackalloc float[length + 16] : new float[length + 16];
        padded.Fill(float.NegativeInfinity);
        var middle = padded.Slice(pl, used);
        for (int oy = 0; oy < g.OutH; oy++)
        {
            int y0 = Math.Max(0, oy * sh - pt), y1 = Math.Min(h, oy * sh - pt + kh);
            PoolRow.Rows<PoolMax>(x, w, y0, y1, middle);
            PoolRow.Columns<PoolMax>(padded, sw, kw, y.Slice(oy * g.OutW, g.OutW));
        }
    }

    private static void ForwardPlane(float[] x, int xOff, in Conv2dGeometry g, float[] y, int[] argmax, int yOff)
    {
        int h = g.Height, w = g.Width, kh = g.KernelH, kw = g.KernelW, sh = g.StrideH, sw = g.StrideW, pt = g.PadTop, pl = g.PadLeft;
        // Unpadded 2×2 windows with equal strides that all lie inside the image (no ceil_mode window hanging over the edge).
        if (kh == 2 && kw == 2 && sh == sw && pt == 0 && pl == 0 && (g.OutH - 1) * sh + 2 <= h && (g.OutW - 1) * sw + 2 <= w)
        {
            ForwardPlane2x2(x, xOff, w, sh, g.OutH, g.OutW, y, argmax, yOff);
            return;
        }
        for (int oy = 0; oy < g.OutH; oy++)
        {
            int y0 = Math.Max(0, oy * sh - pt), y1 = Math.Min(h, oy * sh - pt + kh);
            for (int ox = 0; ox < g.OutW; ox++)
            {
                int x0 = Math.Max(0, ox * sw - pl), x1 = Math.Min(w, ox * sw - pl + kw);
                float best = float.NegativeInfinity;
                int bestIdx = xOff + y0 * w + x0;
                for (int iy = y0; iy < y1; iy++)
                {
                    int row = xOff + iy * w;
                    for (int ix = x0; ix < x1; ix++)
                    {
                        float v = x[row + ix];
                        // Branch-free select (random data makes a branch here mispredict half the time).
                        // NaN wins, so a NaN in the window propagates as in PyTorch.
                        bool take = v > best | float.IsNaN(v);
                        best = take ? v : best;
                        bestIdx = take ? row + ix : bestIdx;
                    }
                }
                y[yOff + oy * g.OutW + ox] = best;
                argmax[yOff + oy * g.OutW + ox] = bestIdx;
            }
        }
    }

    // The common 2×2 unpadded window (LeNet, VGG): unrolled and truly branch-free. The JIT does not
    // if-convert float selects, and on real activations a data-dependent branch mispredicts about half
    // the time, so the selects are done on the bit patterns with 0/−1 masks. Order of comparison is
    // row-major (a, b | c, d), so ties keep the first maximum as the generic path does; NaN wins.
    private static void ForwardPlane2x2(float[] x, int xOff, int w, int s, int oh, int ow, float[] y, int[] argmax, int yOff)
    {
        for (int oy = 0; oy < oh; oy++)
        {
            int r0 = xOff + oy * s * w, o = yOff + oy * ow;
            var row0 = x.AsSpan(r0, (ow - 1) * s + 2);
            var row1 = x.AsSpan(r0 + w, (ow - 1) * s + 2);
            var yRow = y.AsSpan(o, ow);
            var aRow = argmax.AsSpan(o, ow);
            for (int ox = 0; ox < ow; ox++)
            {
                int j = ox * s;
                float a = row0[j], b = row0[j + 1], c = row1[j], d = row1[j + 1];
                int tb = Take(b, a), td = Take(d, c);
                float top = Select(tb, a, b), bottom = Select(td, c, d);
                int tv = Take(bottom, top);
                int iTop = j + (tb & 1), iBottom = w + j + (td & 1);
                yRow[ox] = Select(tv, top, bottom);
                aRow[ox] = r0 + ((iTop & ~tv) | (iBottom & tv));
            }
        }
    }

    /// <summary>−1 when <paramref name="candidate"/> replaces <paramref name="best"/> (greater, or NaN), else 0.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Take(float candidate, float best)
    {
        return candidate > best | float.IsNaN(candidate) ? -1 : 0;
    }

    /// <summary><paramref name="mask"/> == −1 ? <paramref name="ifSet"/> : <paramref name="ifClear"/>, on the bit patterns.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static float Select(int mask, float ifClear, float ifSet) =>
        BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(ifClear) & ~mask) | (BitConverter.SingleToInt32Bits(ifSet) & mask));

    /// <summary>dx[argmax] += dy for every output element; returns dx [N, C, H, W] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        var dx = _kept.BeginBackward(this, gradOutput, _output!);
        int n = dx.Dim(0);
        int inPer = dx.Length / Math.Max(1, n), outPer = gradOutput.Length / Math.Max(1, n);
        float[] dy = gradOutput.Data, d = dx.Data;
        int[] argmax = _argmax!;
        if (_pooled2x2)
        {
            // Non-overlapping windows: each input element is selected or zero (MaxPool2x2Backward), no clear and scatter.
            var g = _geometry;
            Threading.For(0, n, i => MaxPool2x2Backward.Run(dy.AsSpan(i * outPer, outPer), argmax.AsSpan(i * outPer, outPer), i * inPer,
                g.Channels, g.Height, g.Width, d.AsSpan(i * inPer, inPer)));
            return dx;
        }
        Threading.For(0, n, i =>
        {
            d.AsSpan(i * inPer, inPer).Clear();
            for (int j = i * outPer, end = j + outPer; j < end; j++) d[argmax[j]] += dy[j];
        });
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => $"MaxPool2d({PoolHelpers.Describe(Kernel, Strides, Pads, CeilMode)})";
}
