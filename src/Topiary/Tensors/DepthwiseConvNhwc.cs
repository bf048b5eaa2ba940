// DepthwiseConvNhwc: the inference forward of a depthwise convolution (channel multiplier 1) on channels-last
// tensors, for the NHWC path of depthwise-separable stacks:
//   y[n, oh, ow, c] = min(max(b[c] + Σ_{kh,kw} w[c, kh, kw] · x[n, oh·SH − PT + kh·DH, ow·SW − PL + kw·DW, c], lo), hi)
// with x [N, H, W, C], y [N, OH, OW, C], any kernel size, stride, padding and dilation (a Conv2dGeometry whose Channels
// is C), the weights packed tap-major ([KH·KW, C]: a tap's C weights contiguous, PackWeights), lo/hi the clamp (−∞/+∞
// when none; ReLU6 is [0, 6]).
// Vectorised across channels: a pixel's C channels are contiguous, so a block of L channels (L = 16, then 8, 4 and 1 for
// what is left, never wider than the lane tier allows) is one vector at every pixel, with no transposes and no lanes
// wasted on narrow planes. Each block runs over all the output rows of a sample in turn (its input rows are reused from
// L1 by the next rows); when C is a multiple of 16 (and at least 64) the 16-lane blocks start at the input's 64-byte
// boundaries, so their loads never straddle two cache lines. Per output row and block:
//   - the kernel rows inside the image are found once (they are contiguous); rows in the padding are skipped;
//   - 3-wide rows at stride 1 or 2 (MobileNet) run in tiles of 8 adjacent outputs (4 for the last few), one
//     accumulator each: a kernel row's inputs are loaded once into registers (stride 1: 10 loads for 24 FMAs), then
//     each tap is applied to all the accumulators in turn (DepthwiseConvNhwc.Tiles.cs); tiles reaching into the
//     padding or cut short by the row's end read the missing inputs as +0 and store only their outputs;
//   - other windows run border columns one pixel at a time (taps in the padding skipped) and interior columns in tiles
//     of 4;
//   - the store adds the bias and clamps (fused), writing each output once.
// Every output receives the taps inside the image in (kh, kw) order, one fused multiply-add each into an accumulator
// that starts at +0, then + b (0 when there is no bias), then max lo, min hi (IEEE: NaN propagates, −0 < +0):
// DepthwiseConvScalar's forward followed by MathF.Min(MathF.Max(v, lo), hi), bit for bit, at every lane width (the
// scalar lanes are the twin). A padding input read as +0 adds fma(w, +0, acc) = acc exactly when w is finite: w·0 is
// ±0, and acc is never −0 (it starts at +0, and a round-to-nearest sum is −0 only when both terms are). So zeros are used
// only when every weight is finite; otherwise edge tiles skip those inputs (DepthwiseConvNhwc.Edges.cs). Outputs are
// independent, so results never depend on the split across threads.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Channels-last depthwise forward with a fused bias and clamp (oracle: <see cref="DepthwiseConvScalar"/>).</summary>
internal static partial class DepthwiseConvNhwc
{
    /// <summary>Widest lane tier a call may use; Best is the widest the hardware accelerates (tests force the others).</summary>
    internal enum Lanes { Best, V512, V256, V128, Scalar }

    /// <summary>
    /// Depthwise filters [C, KH·KW] (PyTorch's [C, 1, KH, KW], channel multiplier 1) as [KH·KW, C]: tap t's C weights
    /// contiguous.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> or <paramref name="taps"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> holds fewer than channels·taps weights.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float[] PackWeights(ReadOnlySpan<float> w, int channels, int taps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(taps, 1);
        if (w.Length < (long)channels * taps)
            throw new ArgumentException($"Depthwise weights need {(long)channels * taps} values ({channels} channels x {taps} taps), got {w.Length}.", nameof(w));
        var packed = new float[channels * taps];
        for (int c = 0; c < channels; c++)
            for (int t = 0; t < taps; t++)
                packed[t * channels + c] = w[c * taps + t];
        return packed;
    }

    /// <summary>
    /// y [batch, OH, OW, C] = clamp(b[c] + Σ_taps w·x, min, max) for x [batch, H, W, C] (channels last), packedW from
    /// <see cref="PackWeights"/>, bias [C] or null, geometry g (g.Channels = C; any kernel size, stride, padding,
    /// dilation; multiplier 1), split over at most <paramref name="threads"/> workers (1 = run on the caller's thread, no
    /// allocation).
    /// </summary>
    /// <exception cref="ArgumentNullException">x, packedW or y is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative or <paramref name="threads"/> below 1.</exception>
    /// <exception cref="ArgumentException">An array is shorter than the geometry needs.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(float[] x, int batch, in Conv2dGeometry g, float[] packedW, float[]? bias, float min, float max, float[] y, int threads) =>
        Forward(x, batch, g, packedW, bias, min, max, y, threads, Lanes.Best);

    /// <summary>As the other overload with a forced widest lane tier (tests run them all).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(float[] x, int batch, in Conv2dGeometry g, float[] packedW, float[]? bias, float min, float max, float[] y,
        int threads, Lanes lanes)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(packedW);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int c = g.Channels;
        long inLength = (long)batch * g.Height * g.Width * c, outLength = (long)batch * g.OutH * g.OutW * c, wLength = (long)g.KernelH * g.KernelW * c;
        if (x.Length < inLength) throw new ArgumentException($"Input [{batch}, {g.Height}, {g.Width}, {c}] needs {inLength} values, got {x.Length}.", nameof(x));
        if (packedW.Length < wLength) throw new ArgumentException($"Packed weights [{g.KernelH * g.KernelW}, {c}] need {wLength} values, got {packedW.Length}.", nameof(packedW));
        if (bias is not null && bias.Length < c) throw new ArgumentException($"Bias needs {c} values, got {bias.Length}.", nameof(bias));
        if (y.Length < outLength) throw new ArgumentException($"Output [{batch}, {g.OutH}, {g.OutW}, {c}] needs {outLength} values, got {y.Length}.", nameof(y));
        if (outLength == 0) return;
        if (lanes == Lanes.Best)
            lanes = Vector512.IsHardwareAccelerated ? Lanes.V512 : Vector256.IsHardwareAccelerated ? Lanes.V256
                : Vector128.IsHardwareAccelerated ? Lanes.V128 : Lanes.Scalar;
        int width = lanes switch { Lanes.V512 => 16, Lanes.V256 => 8, Lanes.V128 => 4, _ => 1 };
        // Finite weights (a finite sum; an overflowing one only costs speed) let edge tiles read the padding as zeros.
        bool finite = float.IsFinite(TensorPrimitives.Sum(packedW.AsSpan(0, (int)wLength)));
        var job = new Job(x, g, packedW, bias, min, max, y, width, finite);
        if (threads == 1)
        {
            for (int n = 0; n < batch; n++) job.Run(n, 0, g.OutH, 0, c);
            return;
        }
        RunParallel(job, batch, g.OutH, c, threads);
    }

    /// <summary>
    /// Output rows [<paramref name="oh0"/>, <paramref name="oh1"/>) of sample <paramref name="n"/> only, on the caller's
    /// thread, written from the start of <paramref name="y"/> (row oh at (oh − oh0)·OW·C): one band of a larger image
    /// (BandedSeparableBlock). The same bits as those rows of <see cref="Forward(float[], int, in Conv2dGeometry, float[], float[], float, float, float[], int)"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rows are not within [0, OH], or n is negative.</exception>
    /// <exception cref="ArgumentException">An array is shorter than the geometry needs.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForwardRows(float[] x, int n, in Conv2dGeometry g, float[] packedW, float[]? bias, float min, float max,
        int oh0, int oh1, float[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(packedW);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(oh0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oh1, g.OutH);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oh0, oh1);
        int c = g.Channels;
        long inLength = (long)(n + 1) * g.Height * g.Width * c, outLength = (long)(oh1 - oh0) * g.OutW * c, wLength = (long)g.KernelH * g.KernelW * c;
        if (x.Length < inLength) throw new ArgumentException($"Input sample {n} of [{g.Height}, {g.Width}, {c}] needs {inLength} values, got {x.Length}.", nameof(x));
        if (packedW.Length < wLength) throw new ArgumentException($"Packed weights [{g.KernelH * g.KernelW}, {c}] need {wLength} values, got {packedW.Length}.", nameof(packedW));
        if (bias is not null && bias.Length < c) throw new ArgumentException($"Bias needs {c} values, got {bias.Length}.", nameof(bias));
        if (y.Length < outLength) throw new ArgumentException($"Rows [{oh0}, {oh1}) of [{g.OutW}, {c}] need {outLength} values, got {y.Length}.", nameof(y));
        if (outLength == 0) return;
        int width = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1;
        bool finite = float.IsFinite(TensorPrimitives.Sum(packedW.AsSpan(0, (int)wLength)));
        new Job(x, g, packedW, bias, min, max, y, width, finite, ((long)n * g.OutH + oh0) * g.OutW * c).Run(n, oh0, oh1, 0, c);
    }

    // Items of (sample, range of 16-channel blocks, range of output rows): about four per thread, channels split before
    // rows (a block's rows run in order, each input row reused from L1 by the next output rows). A method of its own: the
    // closure is allocated only here, never on the one-thread path.
    private static void RunParallel(Job job, int batch, int outH, int c, int threads)
    {
        int wanted = 4 * threads, blocks = Math.Max(1, c / 16);
        int cParts = Math.Clamp((wanted + batch - 1) / batch, 1, blocks);
        int rParts = Math.Clamp((wanted + batch * cParts - 1) / (batch * cParts), 1, outH);
        Threading.For(0, batch * cParts * rParts, threads, item =>
        {
            int n = item / (cParts * rParts), cp = item / rParts % cParts, rp = item % rParts;
            int c0 = cp == 0 ? 0 : blocks * cp / cParts * 16, c1 = cp == cParts - 1 ? c : blocks * (cp + 1) / cParts * 16;
            job.Run(n, (int)((long)outH * rp / rParts), (int)((long)outH * (rp + 1) / rParts), c0, c1);
        });
    }
}
