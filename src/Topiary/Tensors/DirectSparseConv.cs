// DirectSparseConv: a stride-1 convolution whose pruned weights are applied straight to the image, without im2col
// (Park et al., ICLR 2017, "Faster CNNs with Direct Sparse Convolutions and Guided Pruning").
// The image is copied once into a zero-padded buffer [C, Hp, Wp] (Hp = H + pads, Wp = W + pads). Seen as one long row,
// output position (h, w) of channel o is then
//   y[o, h, w] = Σ over stored weights (c, i, j) of W[o, c, i, j] · xp[c·Hp·Wp + i·Wp + j + (h·Wp + w)]
// so every stored weight is one offset into the padded image, and it multiplies a *contiguous* stretch of it: the
// "virtual" output row q = h·Wp + w (w up to Wp; the KW − 1 columns past OW are computed and dropped). The kernel keeps
// 8 vectors of consecutive q (128 outputs with AVX-512) in registers and streams one output channel's weights over them:
// per weight one broadcast, 8 loads and 8 FMAs, no gather and no index arithmetic. The input channels are taken in blocks
// whose stretch of the padded image fits half an L1; the virtual row is cut into chunks of 8 vectors, its tail into
// chunks of 4 or 1 (a 13×13 image at Wp = 15: 195 = 128 + 64 + 16 − 13 instead of 2 × 128); for each block every output channel of the work item adds its
// weights of that block to its partial sums (kept in a per-thread buffer between blocks), so the loads hit L1. Every output's sum runs over the
// channel's weights in (c, i, j) order from 0, then + bias, + residual, clamp: the scalar twin (ScalarChunk) computes
// the same FMAs in the same order, so both give the same bits. Grouped convolutions index into their group's channels.
// Work items — (chunk of q, 32 output channels) — run in parallel; the padded image (the whole input of a sample) and
// the chunk's inputs are shared through L2. Weights equal to 0 (±0) are not stored.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Element-wise sparse convolution weights laid out for the direct (no im2col) stride-1 kernel.</summary>
internal sealed class DirectSparseConv
{
    private const int Vectors = 8; // accumulators per chunk
    private const int ChannelsPerItem = 32;
    private const int L1BlockFloats = 4 * 1024; // 16 KiB of inputs per channel block: half a 32 KiB L1 data cache

    private readonly Conv2dGeometry _g;
    private readonly int _outChannels, _paddedH, _paddedW, _virtual, _chunk, _unit;
    private readonly (int Q0, int Vectors)[] _pieces; // the virtual row cut into chunks of 8, 4 or 1 vectors
    private readonly int _channelBlock, _blocks; // input channels per block (its inputs fit half an L1), blocks
    private readonly int[] _start;   // first stored weight of each (output channel, channel block), length OC·blocks + 1
    private readonly int[] _offset;  // per stored weight: c·Hp·Wp + i·Wp + j
    private readonly float[] _value;
    private readonly bool _vectorise;
    private readonly int _lanes;
    [ThreadStatic]
    private static float[]? t_padded; // the calling thread's padded image, shared by every layer it runs in turn

    /// <summary>True when <paramref name="g"/> is a convolution this kernel computes (stride 1, dilation 1).</summary>
    public static bool Supports(in Conv2dGeometry g) => g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1 && !g.CeilMode;

    /// <summary>Lays out <paramref name="weight"/> [OC, C/G, KH, KW] for inputs of geometry <paramref name="g"/>.</summary>
    /// <param name="weight">The weight, [OC, C/G, KH, KW] row-major.</param>
    /// <param name="outChannels">OC.</param>
    /// <param name="groups">G.</param>
    /// <param name="g">The input geometry (all C channels).</param>
    /// <param name="vectorise">False: the scalar twin only (tests; hosts without 256-bit vectors take it anyway).</param>
    /// <exception cref="ArgumentException">The geometry is not supported or the weight has the wrong length.</exception>
    public DirectSparseConv(ReadOnlySpan<float> weight, int outChannels, int groups, in Conv2dGeometry g, bool vectorise = true)
    {
        if (!Supports(g)) throw new ArgumentException($"Direct sparse convolution needs stride 1 and dilation 1; got stride {g.StrideH}×{g.StrideW}, dilation {g.DilationH}×{g.DilationW}.", nameof(g));
        int cg = g.Channels / groups, kh = g.KernelH, kw = g.KernelW, taps = cg * kh * kw;
        if (weight.Length != outChannels * taps)
            throw new ArgumentException($"Span 'weight' has {weight.Length} elements; [{outChannels}, {cg}, {kh}, {kw}] needs {outChannels * taps}.", nameof(weight));
        _g = g;
        _outChannels = outChannels;
        _paddedH = g.Height + g.PadTop + g.PadBottom;
        _paddedW = g.Width + g.PadLeft + g.PadRight;
        _virtual = g.OutH * _paddedW;
        _lanes = vectorise && Vector512.IsHardwareAccelerated ? 16 : vectorise && Vector256.IsHardwareAccelerated ? 8 : 0;
        _vectorise = _lanes > 0;
        _unit = Math.Max(_lanes, 8);
        _chunk = Vectors * _unit;
        _pieces = Pieces(_virtual, _unit, fours: _lanes != 8);
        // A chunk of one input channel spans chunk + (KH − 1)·Wp + KW − 1 floats; a block of channels keeps them in L1.
        int span = _chunk + (kh - 1) * _paddedW + kw;
        _channelBlock = Math.Clamp(L1BlockFloats / span, 1, g.Channels);
        _blocks = (g.Channels + _channelBlock - 1) / _channelBlock;
        int nnz = 0;
        foreach (float v in weight) if (v != 0) nnz++;
        _start = new int[outChannels * _blocks + 1];
        _offset = new int[nnz];
        _value = new float[nnz];
        int plane = _paddedH * _paddedW, ocg = outChannels / groups, at = 0;
        for (int o = 0; o < outChannels; o++)
        {
            int c0 = o / ocg * cg;
            for (int b = 0; b < _blocks; b++)
            {
                _start[o * _blocks + b] = at;
                // The taps of this channel block (in (c, i, j) order: the blocks of a channel list it in order).
                int t0 = Math.Clamp(b * _channelBlock - c0, 0, cg) * kh * kw, t1 = Math.Clamp((b + 1) * _channelBlock - c0, 0, cg) * kh * kw;
                for (int t = t0; t < t1; t++)
                {
                    float v = weight[o * taps + t];
                    if (v == 0) continue;
                    int c = c0 + t / (kh * kw), i = t / kw % kh, j = t % kw;
                    _offset[at] = c * plane + i * _paddedW + j;
                    _value[at++] = v;
                }
            }
        }
        _start[outChannels * _blocks] = at;
    }

    /// <summary>Stored weights.</summary>
    public int NonZeros => _value.Length;

    /// <summary>
    /// y[o] = clamp(conv(image)[o] + bias[o] + residual[o], min, max) for one sample: the output [OC, OH, OW] is written at
    /// <paramref name="at"/> in <paramref name="output"/>, and read at the same place in <paramref name="residual"/> (or null).
    /// </summary>
    public void Forward(ReadOnlySpan<float> image, float[] output, int at, float[]? bias, float[]? residual, float min, float max, int threads)
    {
        var g = _g;
        var padded = ScratchArray.Grow(ref t_padded, (long)g.Channels * _paddedH * _paddedW + _chunk + 2 * _paddedW, "direct sparse convolution");
        Pad(image, padded);
        int chunks = _pieces.Length, blocks = (_outChannels + ChannelsPerItem - 1) / ChannelsPerItem;
        int items = chunks * blocks;
        var job = new Job(this, padded, output, at, bias, residual, min, max, chunks);
        Threading.For(0, items, threads, job.Run);
    }

    private void Pad(ReadOnlySpan<float> image, float[] padded)
    {
        var g = _g;
        int h = g.Height, w = g.Width, wp = _paddedW, plane = _paddedH * wp;
        padded.AsSpan(0, g.Channels * plane + _chunk + 2 * wp).Clear();
        for (int c = 0; c < g.Channels; c++)
            for (int r = 0; r < h; r++)
                image.Slice((c * h + r) * w, w).CopyTo(padded.AsSpan(c * plane + (r + g.PadTop) * wp + g.PadLeft, w));
    }

    private sealed class Job(DirectSparseConv conv, float[] padded, float[] output, int at, float[]? bias, float[]? residual,
        float min, float max, int chunks)
    {
        public void Run(int item)
        {
            var (q0, vectors) = conv._pieces[item % chunks];
            int o0 = item / chunks * ChannelsPerItem, width = vectors * conv._unit;
            int count = Math.Min(width, conv._virtual - q0), o1 = Math.Min(conv._outChannels, o0 + ChannelsPerItem);
            // Partial sums of the item's channels; channel blocks outside, output channels inside, so a block's inputs
            // stay in L1 while every output channel streams its weights of that block over them.
            var sums = ScratchArray.Grow(ref t_sums, ChannelsPerItem * conv._chunk, "direct sparse convolution");
            for (int b = 0; b < conv._blocks; b++)
                for (int o = o0; o < o1; o++)
                    conv.Chunk(o * conv._blocks + b, b == 0, q0, padded, sums.AsSpan((o - o0) * width, width));
            for (int o = o0; o < o1; o++)
                conv.Store(o, q0, count, sums.AsSpan((o - o0) * width, width), output.AsSpan(at),
                    residual is null ? default : residual.AsSpan(at), bias is null ? 0f : bias[o], min, max);
        }
    }

    [ThreadStatic]
    private static float[]? t_sums;

    // Segment `segment` (an output channel's weights of one channel block) over virtual positions [q0, q0 + chunk):
    // sums = (first ? 0 : sums) + Σ weight · input, one FMA per weight and position in storage order.
    private void Chunk(int segment, bool first, int q0, float[] padded, Span<float> sums)
    {
        int s0 = _start[segment], s1 = _start[segment + 1];
        if (s0 == s1 && !first) return;
        ref float x = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(padded), q0);
        int vectors = sums.Length / _unit;
        if (_lanes == 16 && vectors == Vectors) Chunk512(ref x, s0, s1, first, sums);
        else if (_lanes == 16 && vectors == 4) Chunk512x4(ref x, s0, s1, first, sums);
        else if (_lanes == 16) Chunk512x1(ref x, s0, s1, first, sums);
        else if (_lanes == 8 && vectors == Vectors) Chunk256(ref x, s0, s1, first, sums);
        else if (_lanes == 8) Chunk256x1(ref x, s0, s1, first, sums);
        else ScalarChunk(ref x, s0, s1, first, sums);
    }

    private void Chunk512(ref float x, int s0, int s1, bool first, Span<float> sums)
    {
        ref float d = ref MemoryMarshal.GetReference(sums);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        if (!first)
        {
            a0 = Vector512.LoadUnsafe(ref d); a1 = Vector512.LoadUnsafe(ref d, 16); a2 = Vector512.LoadUnsafe(ref d, 32); a3 = Vector512.LoadUnsafe(ref d, 48);
            a4 = Vector512.LoadUnsafe(ref d, 64); a5 = Vector512.LoadUnsafe(ref d, 80); a6 = Vector512.LoadUnsafe(ref d, 96); a7 = Vector512.LoadUnsafe(ref d, 112);
        }
        ref int off = ref MemoryMarshal.GetArrayDataReference(_offset);
        ref float val = ref MemoryMarshal.GetArrayDataReference(_value);
        for (int s = s0; s < s1; s++)
        {
            var v = Vector512.Create(Unsafe.Add(ref val, s));
            ref float p = ref Unsafe.Add(ref x, Unsafe.Add(ref off, s));
            a0 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p), a0);
            a1 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 16), a1);
            a2 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 32), a2);
            a3 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 48), a3);
            a4 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 64), a4);
            a5 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 80), a5);
            a6 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 96), a6);
            a7 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 112), a7);
        }
        a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, 16); a2.StoreUnsafe(ref d, 32); a3.StoreUnsafe(ref d, 48);
        a4.StoreUnsafe(ref d, 64); a5.StoreUnsafe(ref d, 80); a6.StoreUnsafe(ref d, 96); a7.StoreUnsafe(ref d, 112);
    }

    // As Chunk512 with 4 vectors (64 outputs): tails.
    private void Chunk512x4(ref float x, int s0, int s1, bool first, Span<float> sums)
    {
        ref float d = ref MemoryMarshal.GetReference(sums);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        if (!first)
        {
            a0 = Vector512.LoadUnsafe(ref d); a1 = Vector512.LoadUnsafe(ref d, 16); a2 = Vector512.LoadUnsafe(ref d, 32); a3 = Vector512.LoadUnsafe(ref d, 48);
        }
        ref int off = ref MemoryMarshal.GetArrayDataReference(_offset);
        ref float val = ref MemoryMarshal.GetArrayDataReference(_value);
        for (int s = s0; s < s1; s++)
        {
            var v = Vector512.Create(Unsafe.Add(ref val, s));
            ref float p = ref Unsafe.Add(ref x, Unsafe.Add(ref off, s));
            a0 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p), a0);
            a1 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 16), a1);
            a2 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 32), a2);
            a3 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref p, 48), a3);
        }
        a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, 16); a2.StoreUnsafe(ref d, 32); a3.StoreUnsafe(ref d, 48);
    }

    // As Chunk512 with one vector (16 outputs): tails.
    private void Chunk512x1(ref float x, int s0, int s1, bool first, Span<float> sums)
    {
        ref float d = ref MemoryMarshal.GetReference(sums);
        var a = first ? default : Vector512.LoadUnsafe(ref d);
        ref int off = ref MemoryMarshal.GetArrayDataReference(_offset);
        ref float val = ref MemoryMarshal.GetArrayDataReference(_value);
        for (int s = s0; s < s1; s++)
            a = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref val, s)), Vector512.LoadUnsafe(ref Unsafe.Add(ref x, Unsafe.Add(ref off, s))), a);
        a.StoreUnsafe(ref d);
    }

    // As Chunk512x1 with 8 lanes.
    private void Chunk256x1(ref float x, int s0, int s1, bool first, Span<float> sums)
    {
        ref float d = ref MemoryMarshal.GetReference(sums);
        var a = first ? default : Vector256.LoadUnsafe(ref d);
        ref int off = ref MemoryMarshal.GetArrayDataReference(_offset);
        ref float val = ref MemoryMarshal.GetArrayDataReference(_value);
        for (int s = s0; s < s1; s++)
            a = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref val, s)), Vector256.LoadUnsafe(ref Unsafe.Add(ref x, Unsafe.Add(ref off, s))), a);
        a.StoreUnsafe(ref d);
    }

    // Chunks of 8 vectors, the tail in chunks of 4 (when allowed) or 1, so little past the row's end is computed.
    private static (int, int)[] Pieces(int length, int unit, bool fours)
    {
        var pieces = new List<(int, int)>();
        for (int q = 0; q < length;)
        {
            int rest = length - q;
            int vectors = rest > 6 * unit ? Vectors : fours && rest > 2 * unit ? 4 : rest > 4 * unit ? Vectors : 1;
            pieces.Add((q, vectors));
            q += vectors * unit;
        }
        return [.. pieces];
    }

    // As Chunk512 with 8 lanes (64 outputs).
    private void Chunk256(ref float x, int s0, int s1, bool first, Span<float> sums)
    {
        ref float d = ref MemoryMarshal.GetReference(sums);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        if (!first)
        {
            a0 = Vector256.LoadUnsafe(ref d); a1 = Vector256.LoadUnsafe(ref d, 8); a2 = Vector256.LoadUnsafe(ref d, 16); a3 = Vector256.LoadUnsafe(ref d, 24);
            a4 = Vector256.LoadUnsafe(ref d, 32); a5 = Vector256.LoadUnsafe(ref d, 40); a6 = Vector256.LoadUnsafe(ref d, 48); a7 = Vector256.LoadUnsafe(ref d, 56);
        }
        ref int off = ref MemoryMarshal.GetArrayDataReference(_offset);
        ref float val = ref MemoryMarshal.GetArrayDataReference(_value);
        for (int s = s0; s < s1; s++)
        {
            var v = Vector256.Create(Unsafe.Add(ref val, s));
            ref float p = ref Unsafe.Add(ref x, Unsafe.Add(ref off, s));
            a0 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p), a0);
            a1 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 8), a1);
            a2 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 16), a2);
            a3 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 24), a3);
            a4 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 32), a4);
            a5 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 40), a5);
            a6 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 48), a6);
            a7 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref p, 56), a7);
        }
        a0.StoreUnsafe(ref d); a1.StoreUnsafe(ref d, 8); a2.StoreUnsafe(ref d, 16); a3.StoreUnsafe(ref d, 24);
        a4.StoreUnsafe(ref d, 32); a5.StoreUnsafe(ref d, 40); a6.StoreUnsafe(ref d, 48); a7.StoreUnsafe(ref d, 56);
    }

    // The scalar twin: the same FMAs in the same order, one output at a time.
    private void ScalarChunk(ref float x, int s0, int s1, bool first, Span<float> sums)
    {
        for (int q = 0; q < sums.Length; q++)
        {
            float acc = first ? 0f : sums[q];
            for (int s = s0; s < s1; s++) acc = MathF.FusedMultiplyAdd(_value[s], Unsafe.Add(ref x, _offset[s] + q), acc);
            sums[q] = acc;
        }
    }

    // Writes the valid outputs of virtual positions [q0, q0 + count): y = clamp(sum + b + residual, min, max).
    private void Store(int o, int q0, int count, ReadOnlySpan<float> sums, Span<float> output, ReadOnlySpan<float> residual, float b, float min, float max)
    {
        int wp = _paddedW, ow = _g.OutW, oh = _g.OutH, q1 = q0 + count;
        for (int h = q0 / wp; h < oh && h * wp < q1; h++)
        {
            int from = Math.Max(q0, h * wp), to = Math.Min(q1, h * wp + ow);
            if (from >= to) continue;
            int at = o * oh * ow + h * ow + (from - h * wp);
            var y = output.Slice(at, to - from);
            TensorPrimitives.Add(sums.Slice(from - q0, to - from), b, y);
            if (!residual.IsEmpty) TensorPrimitives.Add(y, residual.Slice(at, to - from), y);
            if (min != float.NegativeInfinity) TensorPrimitives.Max(y, min, y);
            if (max != float.PositiveInfinity) TensorPrimitives.Min(y, max, y);
        }
    }
}
