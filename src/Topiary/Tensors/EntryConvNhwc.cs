// EntryConvNhwc: a direct convolution for the entry of a channels-last stack (ChannelsLastConv2d reading channels
// first) with few input channels — a network's stem (3 → 32, 3×3, stride 2 in MobileNets and EfficientNets; 3 → 64,
// 7×7, stride 2 in ResNets):
//   y[n, oh, ow, o] = min(max(Σ_k x[n, c, oh·SH − PT + kh·DH, ow·SW − PL + kw·DW] · W[o, c, kh, kw] + b[o], lo), hi)
// with x [N, C, H, W] (channels first), y [N, OH, OW, OC] (channels last), groups 1, any kernel, stride, padding and
// dilation (a Conv2dGeometry), the weights packed once as [C·KH·KW, OC padded to 16] (PackWeights).
// It replaces im2col (a [C·KH·KW, OH·OW] column matrix: a pass as large as the output, then transposed again by the
// GEMM's packing) + GEMM. Vectorised across output channels: a chunk of up to two vectors of output channels (32 at
// 16 lanes) per pixel; a tile of P adjacent output pixels of one row (P = 8 at 16 lanes, 6 at 8 and 4 lanes, 4 scalar;
// 4 or 1 on narrower rows) keeps 2·P accumulators in registers, so each weight vector load feeds P multiply-adds and
// each input value is broadcast once per chunk (EntryConvNhwc.Tiles.cs). A row is covered by tiles at 0, P, 2P, ... and
// a last one ending at the row's end (overlapping its neighbour: those pixels are computed twice, to the same bits).
// Padding: a tile whose window reaches into the padding reads a copy of its window with zeros there (made once per row,
// shared by every chunk; in a row whose kernel reaches into the top or bottom padding, every tile's), so interior tiles
// read the image with no bounds checks, and every product is computed, padding zeros included, as the GEMM computes its
// column matrix's (skipping them would differ from it in two corner cases: a weight of ±∞ or NaN, 0·w = NaN; and an
// accumulator that underflowed to −0, which + 0·w turns into +0).
// Bits: per output element the C·KH·KW products in k = (c·KH + kh)·KW + kw order into one accumulator from +0, with the
// GEMM micro-kernel's multiply-add of the same tier (EntryConvLanes), then + b (when there is a bias), then Max(lo) and
// Min(hi) (when clamped): the im2col + GEMM route's bits (Kc = 256 ≥ C·KH·KW: a single K block, so the GEMM adds the
// bias after the sum). EntryConvNhwcScalar is the plain twin. Outputs are independent, so results never depend on the
// split across threads.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Direct channels-first → channels-last convolution for few input channels (oracle: <see cref="EntryConvNhwcScalar"/>).</summary>
internal static unsafe partial class EntryConvNhwc
{
    /// <summary>Widest lane tier a call may use; Best is the widest the hardware accelerates (tests force the others).</summary>
    internal enum Lanes { Best, V512, V256, V128, Scalar }

    /// <summary>
    /// The largest C·KH·KW the kernel takes: the GEMM's K block (beyond it the GEMM adds the bias before the sum, other
    /// bits). Measured (quick entry-nhwc, one thread), the kernel is 1.25–1.55× the im2col + GEMM route up to 144 and level
    /// with it at 252 (28 → 64, 3×3, 28²).
    /// </summary>
    internal const int MaxDepth = 256;

    /// <summary>Packed output channels are padded to a multiple of this (the widest vector).</summary>
    internal const int ChannelAlign = 16;

    [ThreadStatic] private static float[]? t_scratch;

    /// <summary>True when the kernel takes a groups-1 convolution of <paramref name="channels"/> input channels and a
    /// <paramref name="kernelH"/>×<paramref name="kernelW"/> kernel.</summary>
    internal static bool Applies(int channels, int kernelH, int kernelW) => (long)channels * kernelH * kernelW <= MaxDepth;

    /// <summary>OC rounded up to <see cref="ChannelAlign"/>: the row length of the packed weights.</summary>
    internal static int PaddedChannels(int outChannels) => (outChannels + ChannelAlign - 1) / ChannelAlign * ChannelAlign;

    /// <summary>
    /// Weights W [OC, K] (PyTorch's [OC, C, KH, KW], K = C·KH·KW) as [K, PaddedChannels(OC)]: row k holds the OC weights
    /// of product k, then zeros.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outChannels"/> or <paramref name="depth"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="w"/> holds fewer than OC·K weights.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float[] PackWeights(ReadOnlySpan<float> w, int outChannels, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        if (w.Length < (long)outChannels * depth)
            throw new ArgumentException($"Weights need {(long)outChannels * depth} values ({outChannels} x {depth}), got {w.Length}.", nameof(w));
        int padded = PaddedChannels(outChannels);
        var packed = new float[(long)depth * padded];
        for (int o = 0; o < outChannels; o++)
            for (int k = 0; k < depth; k++)
                packed[k * padded + o] = w[o * depth + k];
        return packed;
    }

    /// <summary>
    /// y [batch, OH, OW, OC] = clamp(conv(x) + b, min, max) for x [batch, C, H, W], <paramref name="packedW"/> from
    /// <see cref="PackWeights"/>, bias [OC] or null, geometry g (g.Channels = C, C·KH·KW ≤ <see cref="MaxDepth"/>), split
    /// over at most <paramref name="threads"/> workers (1 = run on the caller's thread).
    /// </summary>
    /// <exception cref="ArgumentNullException">x, packedW or y is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">batch is negative, outChannels or threads below 1, or C·KH·KW above <see cref="MaxDepth"/>.</exception>
    /// <exception cref="ArgumentException">An array is shorter than the geometry needs.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(float[] x, int batch, in Conv2dGeometry g, float[] packedW, int outChannels, float[]? bias, float min, float max,
        float[] y, int threads, Lanes lanes = Lanes.Best)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(packedW);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(g.ColumnRows, MaxDepth, nameof(g));
        long inLength = (long)batch * g.ImageSize, outLength = (long)batch * g.OutH * g.OutW * outChannels;
        long wLength = (long)g.ColumnRows * PaddedChannels(outChannels);
        if (x.Length < inLength) throw new ArgumentException($"Input [{batch}, {g.Channels}, {g.Height}, {g.Width}] needs {inLength} values, got {x.Length}.", nameof(x));
        if (packedW.Length < wLength) throw new ArgumentException($"Packed weights need {wLength} values, got {packedW.Length}.", nameof(packedW));
        if (bias is not null && bias.Length < outChannels) throw new ArgumentException($"Bias needs {outChannels} values, got {bias.Length}.", nameof(bias));
        if (y.Length < outLength) throw new ArgumentException($"Output [{batch}, {g.OutH}, {g.OutW}, {outChannels}] needs {outLength} values, got {y.Length}.", nameof(y));
        if (outLength == 0) return;
        if (lanes == Lanes.Best)
            lanes = Vector512.IsHardwareAccelerated ? Lanes.V512 : Vector256.IsHardwareAccelerated ? Lanes.V256
                : Vector128.IsHardwareAccelerated ? Lanes.V128 : Lanes.Scalar;
        var job = new Job(x, g, packedW, outChannels, bias, min, max, y, lanes);
        if (threads == 1)
        {
            for (int n = 0; n < batch; n++) job.Run(n, 0, g.OutH);
            return;
        }
        RunParallel(job, batch, g.OutH, threads);
    }

    // Items of (sample, band of output rows), about four per thread. A method of its own: the closure is allocated only
    // here, never on the one-thread path.
    private static void RunParallel(Job job, int batch, int outH, int threads)
    {
        int parts = Math.Clamp((4 * threads + batch - 1) / batch, 1, outH);
        Threading.For(0, batch * parts, threads, item =>
        {
            int n = item / parts, part = item % parts;
            job.Run(n, (int)((long)outH * part / parts), (int)((long)outH * (part + 1) / parts));
        });
    }
}
