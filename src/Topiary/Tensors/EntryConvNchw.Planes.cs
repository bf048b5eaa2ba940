// EntryConvNchw.Planes: a band's input rows as phase planes, and the band's loops over output rows and channel blocks.
// A convolution with stride 1 and no padding whose rows hold a whole tile reads the image itself (no copy). Otherwise
// row r of the band (input row ih0 + r, ih0 = oh0·SH − PT) of channel c becomes SW planes of J floats,
//   plane[((c·R + r)·SW + q)·J + j] = x[c, ih0 + r, j·SW + q − PL]   (0 outside the image: the padding),
// so output pixel ow's product of kernel column kw (padded column ow·SW + kw·DW) is plane q = (kw·DW) mod SW at
// j = ow + ⌊kw·DW / SW⌋: along an output row, consecutive floats. J covers every tile's reads (the row's pixels rounded
// up to whole tiles, plus the widest shift), zeros past the image. Each plane is a shifted copy (stride 1) or a strided
// gather (Stride2, Stride4 — vectorised at every width; other strides float by float) between runs of zeros.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

internal static unsafe partial class EntryConvNchw
{
    [ThreadStatic] private static float[]? t_planes;

    /// <summary>The operands of one call and the loops over its bands.</summary>
    private sealed class Job(float[] x, int xOffset, int xStride, in Conv2dGeometry g, float[] w, int oc, float[]? bias, float min, float max,
        float[] y, int yOffset, int yStride, EntryConvNhwc.Lanes lanes, bool byPixels)
    {
        private readonly Conv2dGeometry _g = g;

        /// <summary>Output rows [oh0, oh0 + BandRows) (fewer at the bottom) of sample n, part <paramref name="part"/> of
        /// <paramref name="parts"/> of the channel blocks.</summary>
        public void Run(int n, int oh0, int part, int parts)
        {
            switch (lanes)
            {
                case EntryConvNhwc.Lanes.V512: Band<EntryConvLanes512, Vector512<float>>(n, oh0, part, parts); break;
                case EntryConvNhwc.Lanes.V256: Band<EntryConvLanes256, Vector256<float>>(n, oh0, part, parts); break;
                case EntryConvNhwc.Lanes.V128: Band<EntryConvLanes128, Vector128<float>>(n, oh0, part, parts); break;
                default: Band<EntryConvLanesScalar, float>(n, oh0, part, parts); break;
            }
        }

        private void Band<TL, TV>(int n, int oh0, int part, int parts) where TL : struct, IEntryConvLanes<TV> where TV : struct
        {
            // Eight channels × two vectors on AVX-512's 32 registers (and the scalar lanes); four channels × three vectors
            // on AVX2's or SSE's 16 (eight × two would hold 16 accumulators and spill).
            if (Narrow(lanes)) Band<TL, TV, Four3, Four2, Four1>(n, oh0, part, parts);
            else Band<TL, TV, Eight2, Eight2, Eight1>(n, oh0, part, parts);
        }

        // TS: the full tile; T2, T1: the last tile of a row when it needs two vectors, or one (TS itself when TS has that many).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Band<TL, TV, TS, T2, T1>(int n, int oh0, int part, int parts) where TL : struct, IEntryConvLanes<TV> where TV : struct
            where TS : struct, ITileShape where T2 : struct, ITileShape where T1 : struct, ITileShape
        {
            var g = _g;
            int oh1 = Math.Min(oh0 + BandRows, g.OutH), sh = g.StrideH, sw = g.StrideW, kw = g.KernelW, v = TL.Count, tile = TS.Vectors * v;
            // Stride 1 without padding, rows of at least a whole tile: the tiles read the image itself (every read stays
            // inside its row; the last tile is moved back to end at the row's end, recomputing a few outputs, same bits).
            bool direct = sh == 1 && sw == 1 && g.PadTop == 0 && g.PadLeft == 0 && g.PadBottom == 0 && g.PadRight == 0 && g.OutW >= tile;
            int rows = (oh1 - oh0 - 1) * sh + (g.KernelH - 1) * g.DilationH + 1;
            int span = direct ? g.Width : (g.OutW + tile - 1) / tile * tile + (kw - 1) * g.DilationW / sw;
            nint planeRow = direct ? g.Width : (nint)sw * span, channelStride = direct ? (nint)g.Height * g.Width : rows * planeRow;
            nint* offsets = stackalloc nint[kw];
            for (int j = 0; j < kw; j++)
            {
                int at = j * g.DilationW;
                offsets[j] = direct ? at : at % sw * span + at / sw;
            }
            float[] planes = [];
            if (!direct)
            {
                int length = checked(g.Channels * (int)channelStride);
                planes = t_planes is { } t && t.Length >= length ? t : t_planes = GC.AllocateUninitializedArray<float>(length, pinned: true);
            }
            int blocks = Blocks(oc), b0 = blocks * part / parts, b1 = blocks * (part + 1) / parts, depth = g.ColumnRows;
            int halves = ChannelBlock / TS.Channels, full = g.OutW / tile, rest = g.OutW - full * tile;
            fixed (float* px = x, pw = w, pb = bias, py = y, pp = planes)
            {
                float* image = px + xOffset + (long)n * xStride, source = pp;
                if (direct) source = image + (long)oh0 * g.Width;
                else Split(image, oh0 * sh - g.PadTop, rows, span, pp);
                var a = new TileArgs<TV>
                {
                    ChannelStride = channelStride, RowStride = g.DilationH * planeRow, KernelOffsets = offsets,
                    OutputPlane = (nint)g.OutH * g.OutW, Channels = g.Channels, KernelH = g.KernelH, KernelW = kw,
                    Clamps = min != float.NegativeInfinity || max != float.PositiveInfinity, Lo = TL.Broadcast(min), Hi = TL.Broadcast(max),
                };
                float* sample = py + yOffset + (long)n * yStride;
                if (byPixels)
                {
                    // One row (a pointwise plane read directly): part `part` of its tiles, in runs whose inputs fit the L1,
                    // each run through every channel block, so the input is read from memory once, not once per block.
                    int tiles = full + (rest == 0 ? 0 : 1), t0 = tiles * part / parts, t1 = tiles * (part + 1) / parts;
                    int run = Math.Max(1, PointwiseRunBytes / (tile * g.Channels * sizeof(float)));
                    a.Prefetch = PointwisePrefetch;
                    for (int s = t0; s < t1; s += run)
                    {
                        int e = Math.Min(s + run, t1), whole = Math.Min(e, full);
                        for (int b = 0; b < blocks; b++)
                            for (int h = 0; h < halves; h++)
                            {
                                if (!Block(ref a, b, h, TS.Channels, pw, pb, depth, sample, out float* output)) continue;
                                if (s < whole) Tiles<TL, TV, TS>(a, source + s * tile, output + s * tile, whole - s, v);
                                if (e > full) Tiles<TL, TV, TS>(a, source + g.OutW - tile, output + g.OutW - tile, 1, v);
                            }
                    }
                    return;
                }
                for (int oh = oh0; oh < oh1; oh++)
                {
                    float* input = source + (oh - oh0) * sh * planeRow;
                    for (int b = b0; b < b1; b++)
                        for (int h = 0; h < halves; h++)
                        {
                            if (!Block(ref a, b, h, TS.Channels, pw, pb, depth, sample, out float* output)) continue;
                            output += (long)oh * g.OutW;
                            if (full > 0) Tiles<TL, TV, TS>(a, input, output, full, v);
                            int at = full * tile;
                            if (rest == 0) continue;
                            if (direct) Tiles<TL, TV, TS>(a, input + g.OutW - tile, output + g.OutW - tile, 1, v);
                            else if (rest > 2 * v) Tiles<TL, TV, TS>(a, input + at, output + at, 1, rest - 2 * v);
                            else if (rest > v) Tiles<TL, TV, T2>(a, input + at, output + at, 1, rest - v);
                            else Tiles<TL, TV, T1>(a, input + at, output + at, 1, rest);
                        }
                }
            }
        }

        // Points the tile arguments at the `channels` output channels from h·channels on of channel block b, and `output` at
        // their first output plane of the sample; false when none of them exists.
        private bool Block<TV>(ref TileArgs<TV> a, int b, int h, int channels, float* pw, float* pb, int depth, float* sample, out float* output)
            where TV : struct
        {
            int first = b * ChannelBlock + h * channels;
            a.Weights = pw + (long)b * depth * ChannelBlock + h * channels;
            a.Bias = pb == null ? null : pb + first;
            a.ValidChannels = Math.Min(channels, oc - first);
            output = sample + first * a.OutputPlane;
            return a.ValidChannels > 0;
        }

        // The phase planes of input rows [ih0, ih0 + rows) of every channel of the sample at `image`.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Split(float* image, int ih0, int rows, int span, float* planes)
        {
            var g = _g;
            int sw = g.StrideW;
            for (int c = 0; c < g.Channels; c++)
                for (int r = 0; r < rows; r++, planes += sw * span)
                {
                    int ih = ih0 + r;
                    if ((uint)ih >= (uint)g.Height) new Span<float>(planes, sw * span).Clear();
                    else SplitRow(image + ((long)c * g.Height + ih) * g.Width, g.Width, g.PadLeft, sw, span, planes);
                }
        }
    }

    /// <summary>
    /// planes[q·span + j] = src[j·sw + q − padLeft] for q &lt; sw, j &lt; span (0 where the column is outside [0, width));
    /// padLeft ≥ 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SplitRow(float* src, int width, int padLeft, int sw, int span, float* planes)
    {
        var row = new ReadOnlySpan<float>(src, width);
        for (int q = 0; q < sw; q++)
        {
            // Plane q holds the image's columns j·sw + q − padLeft for j in [first, end): zeros, gathered columns, zeros.
            var plane = new Span<float>(planes + q * span, span);
            int first = Math.Min(span, (padLeft - q + sw - 1) / sw), end = Math.Clamp((width + padLeft - q + sw - 1) / sw, first, span);
            plane[..first].Clear();
            plane[end..].Clear();
            if (end == first) continue;
            var from = row[(first * sw + q - padLeft)..];
            var to = plane[first..end];
            switch (sw)
            {
                case 1: from[..to.Length].CopyTo(to); break;
                case 2: Stride2.Gather(from, to); break;
                case 4: Stride4.Gather(from, to); break;
                default:
                    for (int j = 0; j < to.Length; j++) to[j] = from[j * sw];
                    break;
            }
        }
    }
}
