// DirectSparseConv: a convolution whose pruned weights are applied straight to the image, without im2col
// (Park et al., ICLR 2017, "Faster CNNs with Direct Sparse Convolutions and Guided Pruning").
// The image is copied once into a zero-padded buffer [C', Hp, Wp] whose rows are a multiple of 16 floats long. Seen as
// one long row, output position (h, w) of channel o is then
//   y[o, h, w] = Σ over stored weights (c, i, j) of W[o, c, i, j] · xp[c·Hp·Wp + i·Wp + j + (h·Wp + w)]
// so every stored weight is one offset into the padded image, and it multiplies a *contiguous* stretch of it: the
// "virtual" output row q = h·Wp + w (w up to Wp; the columns past OW are computed and dropped). A stride s > 1 is first
// turned into stride 1 by splitting the padded image into its s×s phases (space to depth): tap (i, j) of channel c
// reads phase (i mod s, j mod s) at (i div s, j div s), so an 11×11 stride-4 kernel over 3 channels becomes a 3×3
// stride-1 kernel over 48 phase channels (the taps past 11 are not stored).
// The kernel keeps up to 8 vectors of consecutive q (128 outputs with AVX-512) in registers and streams one output
// channel's weights over them: per weight one broadcast, 8 loads and 8 FMAs, no gather and no index arithmetic. It is
// load-bound, and on Zen 4 a 512-bit load that crosses a cache line costs about two load slots — most would (offset j
// is arbitrary) — so the kernel reads per-thread copies instead: the (phase) channels are taken in blocks, and for each
// block a work item first copies the stretch its chunk of q reads, once per kernel column j shifted by j
// (DirectSparseConv.Input.cs); with rows of 16 floats every weight's stretch then starts on a 64-byte boundary. A
// block's copies fill most of an L1; every output channel of the work item then adds its weights of that block to its
// partial sums (kept in the same per-thread scratch between blocks). The weights are stored in exactly the order the
// work items read them (output-channel block, channel block, output channel), so they stream; the virtual row is cut
// into chunks of 1 to 8 vectors of near-equal size. Every output's sum runs over the channel's weights in
// (phase channel, i, j) order from 0, then + bias, + residual, clamp: the scalar twin computes the same FMAs in the
// same order, so all kernels give the same bits (the kernels are in DirectSparseConv.Kernels.cs). Grouped convolutions
// index into their group's channels. Work items — (chunk of q, 128 output channels), a chunk's items in turn so the
// stretch of the padded image they copy stays in L2 — run in parallel. Weights equal to 0 (±0) are not stored.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Element-wise sparse convolution weights laid out for the direct (no im2col) kernel.</summary>
internal sealed partial class DirectSparseConv
{
    private const int Vectors = 8; // accumulators per chunk
    private const int ChannelsPerItem = 128; // the copies of a block serve this many output channels
    private const int CopyBlockFloats = 6 * 1024; // 24 KiB of shifted input copies per channel block: most of a 32 KiB L1

    private readonly Conv2dGeometry _g;
    private readonly int _outChannels, _channels, _kernelH, _kernelW; // phase channels C·SH·SW, phase kernel ⌈KH/SH⌉×⌈KW/SW⌉
    private readonly int _paddedH, _paddedW, _plane, _virtual, _chunk, _unit;
    private readonly (int Q0, int Vectors)[] _pieces; // the virtual row cut into chunks of 1 to 8 vectors
    private readonly int _channelBlock, _blocks, _copyLength; // phase channels per block, blocks, floats per copy
    // First stored weight of each segment (an output channel's weights in one channel block), length OC·blocks + 1, and
    // the weights, in the order a work item reads them: its output channels' segments of block 0, of block 1, ...
    private readonly int[] _start;
    private readonly Tap[] _taps;

    private readonly int _lanes;

    // A stored weight and its stretch in the block's copies, (j·block + p mod block)·copy + i·Wp.
    private readonly record struct Tap(int Offset, float Value);

    // Row mode (AVX-512, stride 1, 3 columns, every kernel row kept whole or pruned whole — Mao et al.'s "vector"
    // granularity): one entry per kept kernel row (c, i) at c·plane + i·Wp in the padded image itself, whose aligned
    // loads the kernel shifts by 1 and 2 columns in registers; no copies. _taps is then empty.
    private readonly Row[]? _rows;
    private readonly record struct Row(int Offset, float W0, float W1, float W2);

    /// <summary>True when <paramref name="g"/> is a convolution this kernel computes (dilation 1, no ceil mode).</summary>
    public static bool Supports(in Conv2dGeometry g) => g.DilationH == 1 && g.DilationW == 1 && !g.CeilMode;

    /// <summary>Lays out <paramref name="weight"/> [OC, C/G, KH, KW] for inputs of geometry <paramref name="g"/>.</summary>
    /// <param name="weight">The weight, [OC, C/G, KH, KW] row-major.</param>
    /// <param name="outChannels">OC.</param>
    /// <param name="groups">G.</param>
    /// <param name="g">The input geometry (all C channels).</param>
    /// <param name="vectorise">False: the scalar twin only (tests; hosts without 256-bit vectors take it anyway).</param>
    /// <exception cref="ArgumentException">The geometry is not supported or the weight has the wrong length.</exception>
    public DirectSparseConv(ReadOnlySpan<float> weight, int outChannels, int groups, in Conv2dGeometry g, bool vectorise = true)
    {
        if (!Supports(g)) throw new ArgumentException($"Direct sparse convolution needs dilation 1 and no ceil mode; got dilation {g.DilationH}×{g.DilationW}, ceil mode {g.CeilMode}.", nameof(g));
        int cg = g.Channels / groups, kh = g.KernelH, kw = g.KernelW, taps = cg * kh * kw, sh = g.StrideH, sw = g.StrideW;
        if (weight.Length != outChannels * taps)
            throw new ArgumentException($"Span 'weight' has {weight.Length} elements; [{outChannels}, {cg}, {kh}, {kw}] needs {outChannels * taps}.", nameof(weight));
        _g = g;
        _outChannels = outChannels;
        _channels = g.Channels * sh * sw;
        _kernelH = (kh + sh - 1) / sh;
        _kernelW = (kw + sw - 1) / sw;
        _paddedH = g.OutH + _kernelH - 1;
        _paddedW = (g.OutW + _kernelW - 1 + 15) / 16 * 16;
        _plane = _paddedH * _paddedW;
        _virtual = g.OutH * _paddedW;
        _lanes = vectorise && Vector512.IsHardwareAccelerated ? 16 : vectorise && Vector256.IsHardwareAccelerated ? 8 : 0;
        _unit = Math.Max(_lanes, 8);
        _chunk = Vectors * _unit;
        _pieces = Pieces(_virtual, _unit);
        // A chunk of one phase channel reads chunk + (KH' − 1)·Wp floats from each of its KW' copies.
        _copyLength = _chunk + (_kernelH - 1) * _paddedW;
        bool rows = _lanes == 16 && Avx512F.IsSupported && sh == 1 && sw == 1 && kw == 3 && WholeRows(weight);
        // A block's copies (or in row mode its stretches of the padded image) fill most of an L1.
        _channelBlock = Math.Clamp(CopyBlockFloats / (rows ? _copyLength + 16 : _kernelW * _copyLength), 1, _channels);
        _blocks = (_channels + _channelBlock - 1) / _channelBlock;
        int nnz = 0;
        foreach (float v in weight) if (v != 0) nnz++;
        _start = new int[outChannels * _blocks + 1];
        _taps = new Tap[rows ? 0 : nnz];
        _rows = rows ? new Row[nnz / 3] : null;
        int ocg = outChannels / groups, phases = sh * sw, at = 0;
        for (int o0 = 0; o0 < outChannels; o0 += ChannelsPerItem)
            for (int b = 0; b < _blocks; b++)
                for (int o = o0; o < Math.Min(outChannels, o0 + ChannelsPerItem); o++)
                {
                    _start[Segment(o, b)] = at;
                    int p0 = o / ocg * cg * phases, p1 = p0 + cg * phases; // the group's phase channels
                    for (int p = Math.Max(p0, b * _channelBlock); p < Math.Min(p1, (b + 1) * _channelBlock); p++)
                    {
                        if (rows)
                        {
                            for (int i = 0, w0 = o * taps + (p - p0) * kh * kw; i < kh; i++, w0 += kw)
                                if (weight[w0] != 0) _rows![at++] = new Row(p * _plane + i * _paddedW, weight[w0], weight[w0 + 1], weight[w0 + 2]);
                            continue;
                        }
                        int c = p / phases - o / ocg * cg, a = p % phases / sw, e = p % sw; // channel in the group, phase (a, e)
                        for (int i = 0; i < _kernelH; i++)
                            for (int j = 0; j < _kernelW; j++)
                            {
                                int ki = i * sh + a, kj = j * sw + e;
                                if (ki >= kh || kj >= kw) continue;
                                float v = weight[o * taps + (c * kh + ki) * kw + kj];
                                if (v == 0) continue;
                                _taps[at++] = new Tap((j * _channelBlock + p - b * _channelBlock) * _copyLength + i * _paddedW, v);
                            }
                    }
                }
        _start[outChannels * _blocks] = at;
    }

    /// <summary>Stored weights.</summary>
    public int NonZeros => _rows is null ? _taps.Length : 3 * _rows.Length;

    // True when every kernel row W[o, c, i, :] is all non-zero or all zero.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool WholeRows(ReadOnlySpan<float> weight)
    {
        for (int r = 0; r < weight.Length; r += 3)
        {
            int kept = (weight[r] != 0 ? 1 : 0) + (weight[r + 1] != 0 ? 1 : 0) + (weight[r + 2] != 0 ? 1 : 0);
            if (kept is 1 or 2) return false;
        }
        return true;
    }

    // The index of output channel o's segment of channel block b in _start.
    private int Segment(int o, int b)
    {
        int o0 = o / ChannelsPerItem * ChannelsPerItem;
        return o0 * _blocks + b * Math.Min(ChannelsPerItem, _outChannels - o0) + o - o0;
    }

    /// <summary>
    /// y[o] = clamp(conv(image)[o] + bias[o] + residual[o], min, max) for one sample: the output [OC, OH, OW] is written at
    /// <paramref name="at"/> in <paramref name="output"/>, and read at the same place in <paramref name="residual"/> (or null).
    /// </summary>
    public void Forward(ReadOnlySpan<float> image, float[] output, int at, float[]? bias, float[]? residual, float min, float max, int threads)
    {
        var padded = Aligned(ref t_padded, (long)_channels * _plane + _chunk + _kernelW + 16, out int origin);
        Pad(image, padded.AsSpan(origin));
        int blocks = (_outChannels + ChannelsPerItem - 1) / ChannelsPerItem;
        int items = _pieces.Length * blocks;
        var job = new Job(this, padded, origin, output, at, bias, residual, min, max, blocks);
        Threading.For(0, items, threads, job.Run);
    }

    private sealed class Job(DirectSparseConv conv, float[] padded, int paddedOrigin, float[] output, int at, float[]? bias, float[]? residual,
        float min, float max, int blocks)
    {
        // Items of one chunk of q run in turn (and side by side), so the stretch of the padded image they copy stays in L2.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int item)
        {
            var (q0, vectors) = conv._pieces[item / blocks];
            int o0 = item % blocks * ChannelsPerItem, width = vectors * conv._unit;
            int count = Math.Min(width, conv._virtual - q0), o1 = Math.Min(conv._outChannels, o0 + ChannelsPerItem);
            // Partial sums of the item's channels, then the block copies, in one aligned per-thread scratch; channel blocks
            // outside, output channels inside, so a block's copies stay in L1 while every output channel streams its
            // weights of that block over them.
            int sums = ChannelsPerItem * conv._chunk;
            var scratch = Aligned(ref t_scratch, sums + (conv._rows is null ? conv._kernelW * conv._channelBlock * conv._copyLength : 0), out int origin);
            for (int b = 0; b < conv._blocks; b++)
            {
                int first = conv.Segment(o0, b), end = first + o1 - o0;
                if (conv._rows is not null)
                {
                    conv.RowSegments(first, end, b == 0, padded, paddedOrigin + q0, scratch, origin, width);
                    continue;
                }
                if (conv._start[end] > conv._start[first]) conv.Copy(padded.AsSpan(paddedOrigin), b, q0, width, scratch.AsSpan(origin + sums));
                conv.Segments(first, end, b == 0, scratch, origin, origin + sums, width);
            }
            for (int o = o0; o < o1; o++)
                conv.Store(o, q0, count, scratch.AsSpan(origin + (o - o0) * width, width), output.AsSpan(at),
                    residual is null ? default : residual.AsSpan(at), bias is null ? 0f : bias[o], min, max);
        }
    }

    // The virtual row (a whole number of units) cut into the fewest chunks of at most 8 vectors, their sizes within one
    // of each other: 13 vectors are 7 + 6, not 8 + 4 + 1.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int, int)[] Pieces(int length, int unit)
    {
        int vectors = length / unit, count = (vectors + Vectors - 1) / Vectors;
        var pieces = new (int, int)[count];
        for (int k = 0, q = 0; k < count; k++)
        {
            int n = vectors / count + (k < vectors % count ? 1 : 0);
            pieces[k] = (q, n);
            q += n * unit;
        }
        return pieces;
    }

    // Writes the valid outputs of virtual positions [q0, q0 + count): y = clamp(sum + b + residual, min, max), one pass
    // per output row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Store(int o, int q0, int count, ReadOnlySpan<float> sums, Span<float> output, ReadOnlySpan<float> residual, float b, float min, float max)
    {
        int wp = _paddedW, ow = _g.OutW, oh = _g.OutH, q1 = q0 + count;
        for (int h = q0 / wp; h < oh && h * wp < q1; h++)
        {
            int from = Math.Max(q0, h * wp), to = Math.Min(q1, h * wp + ow);
            if (from >= to) continue;
            int at = o * oh * ow + h * ow + (from - h * wp);
            Epilogue(sums.Slice(from - q0, to - from), residual.IsEmpty ? default : residual.Slice(at, to - from), output.Slice(at, to - from), b, min, max);
        }
    }

    // y = min(max(s + b + r, lo), hi) (r empty: none).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Epilogue(ReadOnlySpan<float> s, ReadOnlySpan<float> r, Span<float> y, float b, float lo, float hi)
    {
        ref float sp = ref MemoryMarshal.GetReference(s);
        ref float rp = ref MemoryMarshal.GetReference(r);
        ref float yp = ref MemoryMarshal.GetReference(y);
        bool residual = !r.IsEmpty;
        var bounds = new NativeClamp(lo, hi);
        int k = 0, n = y.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> vb = Vector512.Create(b), vlo = Vector512.Create(lo), vhi = Vector512.Create(hi), fix = Vector512.Create(bounds.Fix);
            for (; k + 16 <= n; k += 16)
            {
                var v = Vector512.LoadUnsafe(ref sp, (nuint)k) + vb;
                if (residual) v += Vector512.LoadUnsafe(ref rp, (nuint)k);
                NativeClamp.Clamp(v, vlo, vhi, fix, bounds.Applies).StoreUnsafe(ref yp, (nuint)k);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vb = Vector256.Create(b), vlo = Vector256.Create(lo), vhi = Vector256.Create(hi), fix = Vector256.Create(bounds.Fix);
            for (; k + 8 <= n; k += 8)
            {
                var v = Vector256.LoadUnsafe(ref sp, (nuint)k) + vb;
                if (residual) v += Vector256.LoadUnsafe(ref rp, (nuint)k);
                NativeClamp.Clamp(v, vlo, vhi, fix, bounds.Applies).StoreUnsafe(ref yp, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            float v = Unsafe.Add(ref sp, k) + b;
            if (residual) v += Unsafe.Add(ref rp, k);
            Unsafe.Add(ref yp, k) = MathF.Min(MathF.Max(v, lo), hi);
        }
    }
}
