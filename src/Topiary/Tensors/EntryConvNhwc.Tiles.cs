// EntryConvNhwc.Tiles: the tile kernel — P adjacent output pixels of one row × one chunk of output channels (one or two
// vectors), 2·P accumulators in registers. Per product k = (c, kh, kw) in order: the chunk's weight vectors are loaded
// once and each pixel's input value is broadcast and multiplied into its accumulators; then per pixel + bias, the clamp
// and the store (the last vector masked when the chunk ends inside it). The input is read at
// input + c·planeStride + kh·rowStride + kw·DW + i·SW (pixel i): the image itself for interior tiles, the tile's window
// copy otherwise. P, SW (1, 2 or any) and the chunk's vector count are
// type parameters, so the JIT unrolls the pixels with constant offsets and drops the unused accumulators.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

internal static unsafe partial class EntryConvNhwc
{
    /// <summary>What the tiles of one output row and chunk share.</summary>
    private struct TileArgs<TV> where TV : struct
    {
        /// <summary>The packed weight of product 0 at the chunk's first output channel.</summary>
        public float* Weights;
        /// <summary>Packed weights per input channel (KH·KW·OCp) and per kernel row (KW·OCp).</summary>
        public nint WeightPlane, WeightRow;
        /// <summary>Packed weights per product (OCp).</summary>
        public nint Ocp;
        /// <summary>Floats between adjacent output pixels (OC).</summary>
        public nint PixelStride;
        /// <summary>Horizontal dilation DW and stride SW.</summary>
        public nint Dilation, Stride;
        /// <summary>Input channels C, kernel height KH and width KW.</summary>
        public int Channels, Rows, KernelW;
        /// <summary>Valid lanes of the chunk's last vector (Count when it is whole).</summary>
        public int LastLanes;
        /// <summary>Whether the bias is added.</summary>
        public bool HasBias;
        /// <summary>How the clamp runs (<see cref="ClampKind"/>).</summary>
        public ClampKind Clamp;
        /// <summary>The chunk's bias vectors and the clamp's bounds.</summary>
        public TV Bias0, Bias1, Lo, Hi;
    }

    /// <summary>How the clamp [lo, hi] runs.</summary>
    private enum ClampKind : byte
    {
        /// <summary>No clamp (−∞, +∞).</summary>
        None,
        /// <summary>lo = +0 and hi &gt; 0 (ReLU, ReLU6): native max and min with a fix-up for −0.</summary>
        FromZero,
        /// <summary>Any other bounds: IEEE Max then Min.</summary>
        Any,
    }

    /// <summary>Pixels per tile.</summary>
    private interface IEntryPixels { static abstract int Count { get; } }
    private readonly struct Pixels8 : IEntryPixels { public static int Count => 8; }
    private readonly struct Pixels6 : IEntryPixels { public static int Count => 6; }
    private readonly struct Pixels4 : IEntryPixels { public static int Count => 4; }
    private readonly struct Pixels1 : IEntryPixels { public static int Count => 1; }

    /// <summary>The horizontal stride: a constant, or the call's.</summary>
    private interface IEntryStride { static abstract nint Of(nint stride); }
    private readonly struct Stride1 : IEntryStride { public static nint Of(nint stride) => 1; }
    private readonly struct Stride2 : IEntryStride { public static nint Of(nint stride) => 2; }
    private readonly struct StrideAny : IEntryStride { public static nint Of(nint stride) => stride; }

    /// <summary>Vectors of output channels per chunk: one or two.</summary>
    private interface IEntryVectors { static abstract bool Two { get; } }
    private readonly struct OneVector : IEntryVectors { public static bool Two => false; }
    private readonly struct TwoVectors : IEntryVectors { public static bool Two => true; }

    // `count` tiles, the next one `tileStep` floats further along the input and P pixels further along the output.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles<TL, TV, TP, TS, TW>(in TileArgs<TV> a, float* input, nint planeStride, nint rowStride, nint tileStep,
        float* output, int count)
        where TL : struct, IEntryConvLanes<TV> where TV : struct where TP : struct, IEntryPixels where TS : struct, IEntryStride
        where TW : struct, IEntryVectors
    {
        int channels = a.Channels, rows = a.Rows, kernelW = a.KernelW;
        nint dw = a.Dilation, ocp = a.Ocp, wPlane = a.WeightPlane, wRow = a.WeightRow, pixel = a.PixelStride, s = TS.Of(a.Stride);
        float* weights = a.Weights;
        for (; count > 0; count--, input += tileStep, output += TP.Count * pixel)
        {
            TV a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            TV b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            float* xc = input, wc = weights;
            for (int c = 0; c < channels; c++, xc += planeStride, wc += wPlane)
            {
                float* xr = xc, wr = wc;
                for (int r = 0; r < rows; r++, xr += rowStride, wr += wRow)
                {
                    float* xk = xr, wk = wr;
                    for (int k = 0; k < kernelW; k++, xk += dw, wk += ocp)
                    {
                        TV w0 = TL.Load(wk), w1 = TW.Two ? TL.Load(wk + TL.Count) : default, v;
                        v = TL.Broadcast(xk[0]);
                        a0 = TL.MultiplyAdd(v, w0, a0);
                        if (TW.Two) b0 = TL.MultiplyAdd(v, w1, b0);
                        if (TP.Count > 1)
                        {
                            v = TL.Broadcast(xk[s]);
                            a1 = TL.MultiplyAdd(v, w0, a1);
                            if (TW.Two) b1 = TL.MultiplyAdd(v, w1, b1);
                        }
                        if (TP.Count > 2)
                        {
                            v = TL.Broadcast(xk[2 * s]);
                            a2 = TL.MultiplyAdd(v, w0, a2);
                            if (TW.Two) b2 = TL.MultiplyAdd(v, w1, b2);
                        }
                        if (TP.Count > 3)
                        {
                            v = TL.Broadcast(xk[3 * s]);
                            a3 = TL.MultiplyAdd(v, w0, a3);
                            if (TW.Two) b3 = TL.MultiplyAdd(v, w1, b3);
                        }
                        if (TP.Count > 4)
                        {
                            v = TL.Broadcast(xk[4 * s]);
                            a4 = TL.MultiplyAdd(v, w0, a4);
                            if (TW.Two) b4 = TL.MultiplyAdd(v, w1, b4);
                        }
                        if (TP.Count > 5)
                        {
                            v = TL.Broadcast(xk[5 * s]);
                            a5 = TL.MultiplyAdd(v, w0, a5);
                            if (TW.Two) b5 = TL.MultiplyAdd(v, w1, b5);
                        }
                        if (TP.Count > 6)
                        {
                            v = TL.Broadcast(xk[6 * s]);
                            a6 = TL.MultiplyAdd(v, w0, a6);
                            if (TW.Two) b6 = TL.MultiplyAdd(v, w1, b6);
                        }
                        if (TP.Count > 7)
                        {
                            v = TL.Broadcast(xk[7 * s]);
                            a7 = TL.MultiplyAdd(v, w0, a7);
                            if (TW.Two) b7 = TL.MultiplyAdd(v, w1, b7);
                        }
                    }
                }
            }
            Store<TL, TV, TW>(a, a0, b0, output);
            if (TP.Count > 1) Store<TL, TV, TW>(a, a1, b1, output + pixel);
            if (TP.Count > 2) Store<TL, TV, TW>(a, a2, b2, output + 2 * pixel);
            if (TP.Count > 3) Store<TL, TV, TW>(a, a3, b3, output + 3 * pixel);
            if (TP.Count > 4) Store<TL, TV, TW>(a, a4, b4, output + 4 * pixel);
            if (TP.Count > 5) Store<TL, TV, TW>(a, a5, b5, output + 5 * pixel);
            if (TP.Count > 6) Store<TL, TV, TW>(a, a6, b6, output + 6 * pixel);
            if (TP.Count > 7) Store<TL, TV, TW>(a, a7, b7, output + 7 * pixel);
        }
    }

    // One pixel's chunk: + bias, max lo, min hi, stored (the last vector's valid lanes only).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TL, TV, TW>(in TileArgs<TV> a, TV v0, TV v1, float* y)
        where TL : struct, IEntryConvLanes<TV> where TV : struct where TW : struct, IEntryVectors
    {
        if (a.HasBias)
        {
            v0 = TL.Add(v0, a.Bias0);
            if (TW.Two) v1 = TL.Add(v1, a.Bias1);
        }
        if (a.Clamp == ClampKind.FromZero)
        {
            // maxNative(+0, v) is v when v is NaN or −0; + 0 turns −0 into +0; then minNative(hi, ·) passes NaN: IEEE's
            // Max(v, +0) then Min(·, hi), for any hi > 0, in three instructions instead of seven.
            v0 = TL.MinNative(a.Hi, TL.Add(TL.MaxNative(a.Lo, v0), a.Lo));
            if (TW.Two) v1 = TL.MinNative(a.Hi, TL.Add(TL.MaxNative(a.Lo, v1), a.Lo));
        }
        else if (a.Clamp == ClampKind.Any)
        {
            v0 = TL.Min(TL.Max(v0, a.Lo), a.Hi);
            if (TW.Two) v1 = TL.Min(TL.Max(v1, a.Lo), a.Hi);
        }
        if (TW.Two)
        {
            TL.Store(v0, y);
            y += TL.Count;
            v0 = v1;
        }
        if (a.LastLanes == TL.Count) TL.Store(v0, y);
        else TL.StoreFirst(v0, y, a.LastLanes);
    }
}
