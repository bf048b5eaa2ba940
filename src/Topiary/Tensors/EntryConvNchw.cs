// EntryConvNchw: a direct convolution for few input channels, channels first in and out — a network's stem where the
// layers after it run channels first (3 → 64, 3×3, stride 2 in SqueezeNet 1.1; 3 → 24 in ShuffleNet; 3 → 64, 7×7,
// stride 2 in ResNets, GoogLeNet, DenseNet; 3 → 64, 3×3, stride 1 in VGG), and one group of a grouped or narrow 1×1
// layer (ShuffleNet's 34 → 34 per group; SqueezeNet's 64 → 16):
//   y[n, o, oh, ow] = min(max(Σ_k x[n, c, oh·SH − PT + kh·DH, ow·SW − PL + kw·DW] · W[o, c, kh, kw] + b[o], lo), hi)
// one group (its input channels read from an offset and a sample stride; Conv2d calls it group by group, or runs the
// groups side by side on one thread each when they share out evenly between the threads), any kernel,
// stride, padding and dilation (a Conv2dGeometry), C·KH·KW ≤ MaxDepth. A 1×1 layer's plane is one row of H·W pixels,
// cut into runs of tiles whose inputs (every channel of the run's pixels) fit the L1, each run taken through every
// channel block, so the input comes from memory once; when samples are too few for the threads, the row's tiles are
// split between them. Such a row reads 16–256 input planes side by side, more streams than the hardware prefetchers
// follow, so its tiles prefetch every plane PointwisePrefetch floats ahead: SqueezeNet 1.1's 128 → 16 squeeze at 55 × 55,
// from a cold cache, took 310 µs block after block without the prefetch and ~150 µs in runs with it (1 thread).
// Other layers with too few bands for the threads split the channel blocks between them.
// im2col + GEMM spends a pass as large as the output on a column matrix of K = C·KH·KW rows (27 for a 3×3 RGB stem),
// which the GEMM then packs again, and a K that small leaves the micro-kernel's loop mostly overhead: 35–64 GFLOP/s
// measured, a third to a half of one core's FMA peak. Here the output is vectorised along its rows instead: a tile is
// eight output channels × two vectors of adjacent output pixels of one row with AVX-512's 32 registers, four channels ×
// three vectors with AVX2's (or SSE's) 16 (12 accumulators, three inputs and a weight: eight × two spilled three
// accumulators there, and LeNet-5's conv1, 24 pixels a row, 20 channels, computed 32 × 24 to keep 24 × 20); per product
// k = (c, kh, kw) the tile loads its input vectors once and multiplies each into every channel's accumulator with a
// broadcast weight (10 loads per 16 multiply-adds; 7 per 12). A row's last tile may have fewer vectors.
// On AVX2 (Zen 3, 1 thread, against ONNX Runtime with pre-bound outputs) the four × three tile took LeNet-5's conv1 at
// batch 64 from 1,450 to 565 µs (ORT 760), ResNet's 7 × 7 / 2 stem from 3.8 to 2.9 ms (ORT 3.0).
// Stride 1 without padding reads the image itself. A strided row cannot be loaded as a vector, so otherwise each band
// of output rows first copies the input rows it reads into
// phase planes (EntryConvNchw.Planes.cs): row r of channel c split by column phase q = column mod SW, with the padding's
// zeros in place, so the products of kernel column kw read plane q = (kw·DW) mod SW from offset ow + ⌊kw·DW / SW⌋ —
// a contiguous run for every stride — and no tile ever tests a bound.
// Bits: per output element the C·KH·KW products in k = (c·KH + kh)·KW + kw order into one accumulator from +0, with the
// GEMM micro-kernel's multiply-add of the same tier (EntryConvLanes), then + b (when there is a bias), then IEEE Max(lo)
// and Min(hi) (when clamped): the bits of EntryConvNhwc and of the im2col + GEMM route, so EntryConvNhwcScalar (its
// output transposed) is this kernel's plain twin. Outputs are independent, so results never depend on the threads.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Direct channels-first convolution for few input channels (oracle: <see cref="EntryConvNhwcScalar"/>).</summary>
internal static unsafe partial class EntryConvNchw
{
    /// <summary>The largest C·KH·KW the kernel takes (as <see cref="EntryConvNhwc.MaxDepth"/>: one GEMM K block, the same bits).</summary>
    internal const int MaxDepth = EntryConvNhwc.MaxDepth;

    /// <summary>Output channels per tile; the packed weights pad OC to a multiple of it.</summary>
    internal const int ChannelBlock = 8;

    /// <summary>Output rows per work item: its input rows are split into phase planes once and stay in L1/L2 for its tiles.</summary>
    private const int BandRows = 8;

    /// <summary>The input bytes of one run of a pointwise row's tiles (every channel of the run's pixels; at least one tile),
    /// which every channel block then reads from the L1.</summary>
    private const int PointwiseRunBytes = 32 << 10;

    /// <summary>How far ahead (floats) a pointwise row's tiles prefetch each input plane into the L1 (0: not at all).</summary>
    private const int PointwisePrefetch = 128;

    /// <summary>True when the kernel takes a groups-1 convolution of geometry <paramref name="g"/>.</summary>
    internal static bool Applies(in Conv2dGeometry g) => g.ColumnRows <= MaxDepth && g.OutH > 0 && g.OutW > 0;

    /// <summary>
    /// Weights W [OC, K] (PyTorch's [OC, C, KH, KW], K = C·KH·KW) as blocks of <see cref="ChannelBlock"/> output channels,
    /// each [K, 8]: row k holds the block's eight weights of product k (zeros past OC).
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
        var packed = new float[(long)Blocks(outChannels) * depth * ChannelBlock];
        for (int o = 0; o < outChannels; o++)
            for (int k = 0; k < depth; k++)
                packed[((o / ChannelBlock) * depth + k) * ChannelBlock + o % ChannelBlock] = w[o * depth + k];
        return packed;
    }

    private static int Blocks(int outChannels) => (outChannels + ChannelBlock - 1) / ChannelBlock;

    /// <summary>
    /// y = clamp(conv(x) + b, min, max) for x [batch, C, H, W] (sample i from <paramref name="xOffset"/> +
    /// i·<paramref name="xStride"/> on: a whole image, or a group's channels), sample i's output [OC, OH, OW] written into
    /// <paramref name="y"/> from <paramref name="yOffset"/> + i·<paramref name="yStride"/> on (a layer's own output:
    /// offset 0, stride OC·OH·OW; or channels of a concatenation), <paramref name="packedW"/> from
    /// <see cref="PackWeights"/>, bias [OC] or null, geometry g (g.Channels = C, C·KH·KW ≤ <see cref="MaxDepth"/>), split
    /// over at most <paramref name="threads"/> workers (1 = run on the caller's thread).
    /// </summary>
    /// <exception cref="ArgumentNullException">x, packedW or y is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">batch, xOffset or yOffset is negative, outChannels or threads below 1, C·KH·KW above <see cref="MaxDepth"/>, xStride below an image or yStride below a sample's output.</exception>
    /// <exception cref="ArgumentException">An array is shorter than the geometry needs.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Forward(float[] x, int xOffset, int xStride, int batch, in Conv2dGeometry g, float[] packedW, int outChannels,
        float[]? bias, float min, float max, float[] y, int yOffset, int yStride, int threads, EntryConvNhwc.Lanes lanes = EntryConvNhwc.Lanes.Best)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(packedW);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(xOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(yOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(xStride, g.ImageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(g.ColumnRows, MaxDepth, nameof(g));
        long per = (long)outChannels * g.OutH * g.OutW;
        ArgumentOutOfRangeException.ThrowIfLessThan(yStride, per);
        long inLength = batch == 0 ? 0 : xOffset + (batch - 1L) * xStride + g.ImageSize, outEnd = batch == 0 ? 0 : yOffset + (batch - 1L) * yStride + per;
        long wLength = (long)Blocks(outChannels) * g.ColumnRows * ChannelBlock;
        if (x.Length < inLength) throw new ArgumentException($"{batch} inputs [{g.Channels}, {g.Height}, {g.Width}] from offset {xOffset}, stride {xStride}, need {inLength} values, got {x.Length}.", nameof(x));
        if (packedW.Length < wLength) throw new ArgumentException($"Packed weights need {wLength} values, got {packedW.Length}.", nameof(packedW));
        if (bias is not null && bias.Length < outChannels) throw new ArgumentException($"Bias needs {outChannels} values, got {bias.Length}.", nameof(bias));
        if (y.Length < outEnd) throw new ArgumentException($"{batch} outputs [{outChannels}, {g.OutH}, {g.OutW}] from offset {yOffset}, stride {yStride}, need {outEnd} values, got {y.Length}.", nameof(y));
        if (batch == 0 || per == 0) return;
        if (lanes == EntryConvNhwc.Lanes.Best)
            lanes = Vector512.IsHardwareAccelerated ? EntryConvNhwc.Lanes.V512 : Vector256.IsHardwareAccelerated ? EntryConvNhwc.Lanes.V256
                : Vector128.IsHardwareAccelerated ? EntryConvNhwc.Lanes.V128 : EntryConvNhwc.Lanes.Scalar;
        // A pointwise convolution's plane is one row of H·W pixels: whole tiles instead of one short row after another.
        // When the row holds a whole tile, it is cut into runs of pixels, each run through every channel block (ByPixels).
        bool pointwise = IsPointwise(g);
        var view = pointwise ? new Conv2dGeometry(g.Channels, 1, g.Height * g.Width, 1, 1, 1, 1, 0, 0) : g;
        int tile = (Narrow(lanes) ? 3 : 2) * LaneCount(lanes);
        bool byPixels = pointwise && view.OutW >= tile;
        var job = new Job(x, xOffset, xStride, view, packedW, outChannels, bias, min, max, y, yOffset, yStride, lanes, byPixels);
        int bands = (view.OutH + BandRows - 1) / BandRows, items = batch * bands;
        // Too few bands for the threads (a pointwise plane is one band): the row's tiles (by pixels), else the channel
        // blocks, are split too.
        int splits = byPixels ? (view.OutW + tile - 1) / tile : Blocks(outChannels);
        int parts = threads == 1 || items >= 4 * threads ? 1 : Math.Min(splits, (4 * threads + items - 1) / items);
        if (threads == 1 || items * parts == 1)
        {
            for (int item = 0; item < items; item++) job.Run(item / bands, item % bands * BandRows, 0, 1);
            return;
        }
        RunParallel(job, items, bands, parts, threads);
    }

    private static int LaneCount(EntryConvNhwc.Lanes lanes) => lanes switch
    {
        EntryConvNhwc.Lanes.V512 => Vector512<float>.Count,
        EntryConvNhwc.Lanes.V256 => Vector256<float>.Count,
        EntryConvNhwc.Lanes.V128 => Vector128<float>.Count,
        _ => 1,
    };

    /// <summary>Lane widths whose tiles are four channels × three vectors (AVX2's and SSE's 16 registers), not eight × two.</summary>
    private static bool Narrow(EntryConvNhwc.Lanes lanes) => lanes is EntryConvNhwc.Lanes.V256 or EntryConvNhwc.Lanes.V128;

    /// <summary>1×1, stride 1, no padding: the image is its own column matrix (as Conv2d's pointwise path tests it).</summary>
    private static bool IsPointwise(in Conv2dGeometry g) => g.KernelH == 1 && g.KernelW == 1 && Im2Col.IsDense(g);

    // Items of (sample, band of output rows, part of the channel blocks). A method of its own: the closure is allocated only here.
    private static void RunParallel(Job job, int items, int bands, int parts, int threads) =>
        Threading.For(0, items * parts, threads, item => job.Run(item / parts / bands, item / parts % bands * BandRows, item % parts, parts));
}
