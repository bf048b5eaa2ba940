// EntryConvNhwc.Rows: one call's operands and its loop over output rows — per row the copies of the edge tiles' windows
// (every tile's when a kernel row falls in the top or bottom padding), and per chunk of output channels the tiles (EntryConvNhwc.Tiles.cs) in three runs:
// the left edge tiles, the interior tiles (one run at a fixed step, plus the last, overlapping tile), the right edge tiles.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

internal static unsafe partial class EntryConvNhwc
{
    /// <summary>The operands of one call and the loops over its output rows.</summary>
    private readonly struct Job(float[] x, in Conv2dGeometry g, float[] w, int oc, float[]? bias, float min, float max, float[] y, Lanes lanes)
    {
        private readonly Conv2dGeometry _g = g;
        private readonly ClampKind _clamp = min == float.NegativeInfinity && max == float.PositiveInfinity ? ClampKind.None
            : BitConverter.SingleToInt32Bits(min) == 0 && max > 0 ? ClampKind.FromZero : ClampKind.Any;

        /// <summary>Output rows [oh0, oh1) of sample n, all output channels.</summary>
        public void Run(int n, int oh0, int oh1)
        {
            switch (lanes)
            {
                case Lanes.V512: Pixels<EntryConvLanes512, Vector512<float>>(n, oh0, oh1, 8); break;
                case Lanes.V256: Pixels<EntryConvLanes256, Vector256<float>>(n, oh0, oh1, 6); break;
                case Lanes.V128: Pixels<EntryConvLanes128, Vector128<float>>(n, oh0, oh1, 6); break;
                default: Pixels<EntryConvLanesScalar, float>(n, oh0, oh1, 4); break;
            }
        }

        // Tiles of `widest` pixels (as many accumulators as the tier's registers hold), or 4 or 1 on narrower rows.
        private void Pixels<TL, TV>(int n, int oh0, int oh1, int widest) where TL : struct, IEntryConvLanes<TV> where TV : struct
        {
            int ow = _g.OutW, p = ow >= widest ? widest : ow >= 4 ? 4 : 1;
            switch (p)
            {
                case 8: Strides<TL, TV, Pixels8>(n, oh0, oh1); break;
                case 6: Strides<TL, TV, Pixels6>(n, oh0, oh1); break;
                case 4: Strides<TL, TV, Pixels4>(n, oh0, oh1); break;
                default: Strides<TL, TV, Pixels1>(n, oh0, oh1); break;
            }
        }

        private void Strides<TL, TV, TP>(int n, int oh0, int oh1)
            where TL : struct, IEntryConvLanes<TV> where TV : struct where TP : struct, IEntryPixels
        {
            switch (_g.StrideW)
            {
                case 1: Rows<TL, TV, TP, Stride1>(n, oh0, oh1); break;
                case 2: Rows<TL, TV, TP, Stride2>(n, oh0, oh1); break;
                default: Rows<TL, TV, TP, StrideAny>(n, oh0, oh1); break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Rows<TL, TV, TP, TS>(int n, int oh0, int oh1)
            where TL : struct, IEntryConvLanes<TV> where TV : struct where TP : struct, IEntryPixels where TS : struct, IEntryStride
        {
            var g = _g;
            int h = g.Height, wd = g.Width, kh = g.KernelH, kw = g.KernelW, sh = g.StrideH, sw = g.StrideW, dh = g.DilationH, dw = g.DilationW;
            int ow = g.OutW, p = TP.Count, lanes = TL.Count, ocp = PaddedChannels(oc);
            // Tile t covers output columns [Start(t), Start(t) + P); its window, input columns [Start(t)·SW − PL, + span).
            int tiles = (ow + p - 1) / p, span = (p - 1) * sw + (kw - 1) * dw + 1;
            int Start(int t) => t < tiles - 1 ? t * p : ow - p;
            // Interior tiles (window inside the row) are [first, end): the window's start grows with t, so the tiles
            // whose window starts in the left padding come first, those whose window ends in the right padding last.
            int first = 0;
            while (first < tiles && Start(first) * sw < g.PadLeft) first++;
            int end = first;
            while (end < tiles && Start(end) * sw - g.PadLeft + span <= wd) end++;
            int windowSize = g.Channels * kh * span;
            float[] scratch = ScratchArray.Grow(ref t_scratch, ocp + (long)tiles * windowSize, "EntryConvNhwc");
            fixed (float* px = x, pw = w, py = y, ps = scratch, pb = bias)
            {
                float* biasPadded = ps, windows = ps + ocp;
                if (pb != null)
                {
                    new ReadOnlySpan<float>(pb, oc).CopyTo(new Span<float>(biasPadded, oc));
                    new Span<float>(biasPadded + oc, ocp - oc).Clear();
                }
                float* image = px + (nint)n * g.ImageSize;
                nint plane = (nint)h * wd, rowStep = (nint)dh * wd;
                var args = new TileArgs<TV>
                {
                    Channels = g.Channels, KernelW = kw, Dilation = dw, Stride = sw, Ocp = ocp, PixelStride = oc,
                    WeightPlane = (nint)kh * kw * ocp, WeightRow = (nint)kw * ocp, Weights = pw, Rows = kh,
                    HasBias = pb != null, Clamp = _clamp, Lo = TL.Broadcast(min), Hi = TL.Broadcast(max),
                };
                for (int oh = oh0; oh < oh1; oh++)
                {
                    // A row whose kernel rows reach into the top or bottom padding runs every tile from a window copy (the
                    // padding rows are zeros there, multiplied as the GEMM multiplies its column matrix's zeros).
                    int top = oh * sh - g.PadTop;
                    bool inside = top >= 0 && top + (kh - 1) * dh < h;
                    int rowFirst = inside ? first : tiles, rowEnd = inside ? end : tiles;
                    float* win = windows;
                    for (int t = 0; t < rowFirst; t++, win += windowSize) CopyWindow(image, top, Start(t) * sw - g.PadLeft, span, win);
                    for (int t = rowEnd; t < tiles; t++, win += windowSize) CopyWindow(image, top, Start(t) * sw - g.PadLeft, span, win);
                    // Column −PL of image row `top` (never read there: interior tiles start at or after column 0).
                    float* row0 = image + (nint)top * wd - g.PadLeft;
                    float* yRow = py + (nint)(n * g.OutH + oh) * ow * oc;
                    for (int j0 = 0; j0 < oc; j0 += 2 * lanes)
                    {
                        bool two = oc - j0 > lanes;
                        args.Weights = pw + j0;
                        args.LastLanes = Math.Min(oc - j0 - (two ? lanes : 0), lanes);
                        if (args.HasBias)
                        {
                            args.Bias0 = TL.Load(biasPadded + j0);
                            if (two) args.Bias1 = TL.Load(biasPadded + j0 + lanes);
                        }
                        var run = new RowRun(row0, plane, rowStep, windows, windowSize, span, yRow + j0, rowFirst, rowEnd, tiles, ow, p);
                        if (two) Chunk<TL, TV, TP, TS, TwoVectors>(args, run);
                        else Chunk<TL, TV, TP, TS, OneVector>(args, run);
                    }
                }
            }
        }

        // The window of the tile whose first input column is `col`: for each channel, the KH kernel rows from image row
        // `top` (step DH), columns [col, col + span), zeros outside the image; [C][KH][span].
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void CopyWindow(float* image, int top, int col, int span, float* dst)
        {
            int h = _g.Height, wd = _g.Width, dh = _g.DilationH;
            int a = Math.Clamp(-col, 0, span), b = Math.Clamp(wd - col, a, span);
            for (int c = 0; c < _g.Channels; c++)
            {
                float* plane = image + (nint)c * h * wd;
                for (int j = 0, ih = top; j < _g.KernelH; j++, ih += dh, dst += span)
                {
                    if ((uint)ih >= (uint)h)
                    {
                        new Span<float>(dst, span).Clear();
                        continue;
                    }
                    float* src = plane + (nint)ih * wd + col;
                    for (int t = 0; t < a; t++) dst[t] = 0f;
                    new ReadOnlySpan<float>(src + a, b - a).CopyTo(new Span<float>(dst + a, b - a));
                    for (int t = b; t < span; t++) dst[t] = 0f;
                }
            }
        }
    }

    /// <summary>Where one output row's tiles read and write (a chunk's output channels start at <see cref="Output"/>).</summary>
    private readonly struct RowRun(float* row0, nint plane, nint rowStep, float* windows, int windowSize, int span, float* output,
        int first, int end, int tiles, int outW, int pixels)
    {
        public readonly float* Row0 = row0, Windows = windows, Output = output;
        public readonly nint Plane = plane, RowStep = rowStep;
        public readonly int WindowSize = windowSize, Span = span, First = first, End = end, Tiles = tiles;

        /// <summary>Tile t's first output column: t·P, the last tile's OW − P.</summary>
        public int Start(int t) => t < Tiles - 1 ? t * pixels : outW - pixels;
    }

    // One row's tiles for one chunk: the left edge tiles from their windows, the interior run at a fixed step of P pixels,
    // the last tile (ending at the row's end) when interior, the right edge tiles.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<TL, TV, TP, TS, TW>(in TileArgs<TV> a, in RowRun r)
        where TL : struct, IEntryConvLanes<TV> where TV : struct where TP : struct, IEntryPixels where TS : struct, IEntryStride
        where TW : struct, IEntryVectors
    {
        int tiles = r.Tiles, first = r.First, end = r.End;
        nint pixel = a.PixelStride, sw = a.Stride, winPlane = (nint)a.Rows * r.Span;
        float* win = r.Windows;
        for (int t = 0; t < first; t++, win += r.WindowSize)
            Tiles<TL, TV, TP, TS, TW>(a, win, winPlane, r.Span, 0, r.Output + r.Start(t) * pixel, 1);
        int uniform = Math.Min(end, tiles - 1);
        if (uniform > first)
            Tiles<TL, TV, TP, TS, TW>(a, r.Row0 + r.Start(first) * sw, r.Plane, r.RowStep, TP.Count * sw, r.Output + r.Start(first) * pixel,
                uniform - first);
        if (end == tiles && tiles - 1 >= first)
            Tiles<TL, TV, TP, TS, TW>(a, r.Row0 + r.Start(tiles - 1) * sw, r.Plane, r.RowStep, 0, r.Output + r.Start(tiles - 1) * pixel, 1);
        for (int t = end; t < tiles; t++, win += r.WindowSize)
            Tiles<TL, TV, TP, TS, TW>(a, win, winPlane, r.Span, 0, r.Output + r.Start(t) * pixel, 1);
    }
}
