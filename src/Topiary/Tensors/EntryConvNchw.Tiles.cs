// EntryConvNchw.Tiles: the tile kernel — eight output channels × one or two vectors of adjacent output pixels of one
// row (AVX-512, scalar lanes), or four channels × one to three vectors (AVX2, SSE): at most 16 or 12 accumulators in
// registers. Per product k = (c, kh, kw) in order: the input vector(s) at
// input + c·ChannelStride + kh·RowStride + KernelOffsets[kw] (a phase plane, EntryConvNchw.Planes.cs) are loaded once and
// multiplied into the tile's channels' accumulators, each channel's weight broadcast from the packed block (a four-channel
// tile reads half of it); then per channel + bias, the clamp and the store (the last vector masked when the row ends
// inside it; channels past OC are computed on the block's zero weights and not stored). The shape is a type parameter,
// so the JIT drops the unused accumulators. A pointwise row's tiles also prefetch each input vector's plane a set
// distance ahead (a hint: it changes no result, and may point past the row).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

internal static unsafe partial class EntryConvNchw
{
    /// <summary>What the tiles of one output row and channel block share.</summary>
    private struct TileArgs<TV> where TV : struct
    {
        /// <summary>The packed weights of the block (product 0's eight first).</summary>
        public float* Weights;
        /// <summary>The block's bias (eight values; fewer valid), or null.</summary>
        public float* Bias;
        /// <summary>Floats between an input channel's phase planes and the next's, and between kernel rows.</summary>
        public nint ChannelStride, RowStride;
        /// <summary>Offset of kernel column kw's run within a kernel row (phase plane and shift).</summary>
        public nint* KernelOffsets;
        /// <summary>Floats between output channels (OH·OW).</summary>
        public nint OutputPlane;
        /// <summary>Input channels C, kernel height KH and width KW.</summary>
        public int Channels, KernelH, KernelW;
        /// <summary>Floats ahead of each input vector to prefetch into the L1 (0: none; EntryConvNchw.PointwisePrefetch).</summary>
        public nint Prefetch;
        /// <summary>Output channels of the block that exist (≤ 8).</summary>
        public int ValidChannels;
        /// <summary>Whether the clamp runs.</summary>
        public bool Clamps;
        /// <summary>The clamp's bounds.</summary>
        public TV Lo, Hi;
    }

    /// <summary>A tile's shape: output channels (eight, or four where the register file is AVX2's sixteen) × vectors of
    /// adjacent output pixels (one to three).</summary>
    private interface ITileShape
    {
        static abstract int Channels { get; }
        static abstract int Vectors { get; }
    }
    private readonly struct Eight1 : ITileShape { public static int Channels => 8; public static int Vectors => 1; }
    private readonly struct Eight2 : ITileShape { public static int Channels => 8; public static int Vectors => 2; }
    private readonly struct Four1 : ITileShape { public static int Channels => 4; public static int Vectors => 1; }
    private readonly struct Four2 : ITileShape { public static int Channels => 4; public static int Vectors => 2; }
    private readonly struct Four3 : ITileShape { public static int Channels => 4; public static int Vectors => 3; }

    // `count` tiles of shape TS, the next one TS.Vectors vectors further along the input row and the output row; the last
    // vector of the last tile stores `lastLanes` lanes.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles<TL, TV, TS>(in TileArgs<TV> a, float* input, float* output, int count, int lastLanes)
        where TL : struct, IEntryConvLanes<TV> where TV : struct where TS : struct, ITileShape
    {
        int channels = a.Channels, kernelH = a.KernelH, kernelW = a.KernelW, v = TL.Count, step = TS.Vectors * v;
        nint channelStride = a.ChannelStride, rowStride = a.RowStride;
        nint* offsets = a.KernelOffsets;
        for (int t = 0; t < count; t++, input += step, output += step)
        {
            TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            TV b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            TV c0 = default, c1 = default, c2 = default, c3 = default;
            float* w = a.Weights;
            for (int c = 0; c < channels; c++)
                for (int kh = 0; kh < kernelH; kh++)
                {
                    float* row = input + c * channelStride + kh * rowStride;
                    for (int kw = 0; kw < kernelW; kw++, w += ChannelBlock)
                    {
                        float* p = row + offsets[kw];
                        if (a.Prefetch != 0 && Sse.IsSupported)
                        {
                            Sse.Prefetch0(p + a.Prefetch);
                            if (step > 16) Sse.Prefetch0(p + a.Prefetch + 16);
                        }
                        TV x0 = TL.Load(p), x1 = TS.Vectors > 1 ? TL.Load(p + v) : default, x2 = TS.Vectors > 2 ? TL.Load(p + 2 * v) : default;
                        TV w0 = TL.Broadcast(w[0]);
                        a0 = TL.MultiplyAdd(x0, w0, a0);
                        if (TS.Vectors > 1) b0 = TL.MultiplyAdd(x1, w0, b0);
                        if (TS.Vectors > 2) c0 = TL.MultiplyAdd(x2, w0, c0);
                        TV w1 = TL.Broadcast(w[1]);
                        a1 = TL.MultiplyAdd(x0, w1, a1);
                        if (TS.Vectors > 1) b1 = TL.MultiplyAdd(x1, w1, b1);
                        if (TS.Vectors > 2) c1 = TL.MultiplyAdd(x2, w1, c1);
                        TV w2 = TL.Broadcast(w[2]);
                        a2 = TL.MultiplyAdd(x0, w2, a2);
                        if (TS.Vectors > 1) b2 = TL.MultiplyAdd(x1, w2, b2);
                        if (TS.Vectors > 2) c2 = TL.MultiplyAdd(x2, w2, c2);
                        TV w3 = TL.Broadcast(w[3]);
                        a3 = TL.MultiplyAdd(x0, w3, a3);
                        if (TS.Vectors > 1) b3 = TL.MultiplyAdd(x1, w3, b3);
                        if (TS.Vectors > 2) c3 = TL.MultiplyAdd(x2, w3, c3);
                        if (TS.Channels == 4) continue;
                        TV w4 = TL.Broadcast(w[4]);
                        a4 = TL.MultiplyAdd(x0, w4, a4);
                        if (TS.Vectors > 1) b4 = TL.MultiplyAdd(x1, w4, b4);
                        TV w5 = TL.Broadcast(w[5]);
                        a5 = TL.MultiplyAdd(x0, w5, a5);
                        if (TS.Vectors > 1) b5 = TL.MultiplyAdd(x1, w5, b5);
                        TV w6 = TL.Broadcast(w[6]);
                        a6 = TL.MultiplyAdd(x0, w6, a6);
                        if (TS.Vectors > 1) b6 = TL.MultiplyAdd(x1, w6, b6);
                        TV w7 = TL.Broadcast(w[7]);
                        a7 = TL.MultiplyAdd(x0, w7, a7);
                        if (TS.Vectors > 1) b7 = TL.MultiplyAdd(x1, w7, b7);
                    }
                }
            int lanes = t == count - 1 ? lastLanes : v;
            Finish<TL, TV, TS>(a, a0, b0, c0, 0, output, lanes);
            Finish<TL, TV, TS>(a, a1, b1, c1, 1, output, lanes);
            Finish<TL, TV, TS>(a, a2, b2, c2, 2, output, lanes);
            Finish<TL, TV, TS>(a, a3, b3, c3, 3, output, lanes);
            if (TS.Channels == 4) continue;
            Finish<TL, TV, TS>(a, a4, b4, default, 4, output, lanes);
            Finish<TL, TV, TS>(a, a5, b5, default, 5, output, lanes);
            Finish<TL, TV, TS>(a, a6, b6, default, 6, output, lanes);
            Finish<TL, TV, TS>(a, a7, b7, default, 7, output, lanes);
        }
    }

    // Channel i of the tile: + bias, clamp, store its vector(s) (the last one `lanes` wide); nothing for a channel past OC.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TL, TV, TS>(in TileArgs<TV> a, TV first, TV second, TV third, int i, float* output, int lanes)
        where TL : struct, IEntryConvLanes<TV> where TV : struct where TS : struct, ITileShape
    {
        if (i >= a.ValidChannels) return;
        float* dst = output + i * a.OutputPlane;
        if (a.Bias != null)
        {
            TV b = TL.Broadcast(a.Bias[i]);
            first = TL.Add(first, b);
            if (TS.Vectors > 1) second = TL.Add(second, b);
            if (TS.Vectors > 2) third = TL.Add(third, b);
        }
        if (a.Clamps)
        {
            first = TL.Min(TL.Max(first, a.Lo), a.Hi);
            if (TS.Vectors > 1) second = TL.Min(TL.Max(second, a.Lo), a.Hi);
            if (TS.Vectors > 2) third = TL.Min(TL.Max(third, a.Lo), a.Hi);
        }
        if (TS.Vectors == 1)
        {
            Store<TL, TV>(first, dst, lanes);
            return;
        }
        TL.Store(first, dst);
        if (TS.Vectors == 2)
        {
            Store<TL, TV>(second, dst + TL.Count, lanes);
            return;
        }
        TL.Store(second, dst + TL.Count);
        Store<TL, TV>(third, dst + 2 * TL.Count, lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TL, TV>(TV v, float* dst, int lanes) where TL : struct, IEntryConvLanes<TV> where TV : struct
    {
        if (lanes == TL.Count) TL.Store(v, dst);
        else TL.StoreFirst(v, dst, lanes);
    }
}
