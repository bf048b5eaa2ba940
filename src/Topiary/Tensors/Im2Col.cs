// Im2Col: lowering a 2-D convolution (one image) to a matrix product — PyTorch's unfold/fold.
//   Unfold (im2col): image [C, H, W] → columns [C·KH·KW, OH·OW] with row r = (c·KH + kh)·KW + kw and
//     column p = oh·OW + ow:  columns[r, p] = image[c, oh·SH − PT + kh·DH, ow·SW − PL + kw·DW], 0 outside the image
//     (Conv2dGeometry: PT/PL = top/left padding, D = dilation; the bottom/right padding only sets OH/OW).
//   Fold (col2im): the adjoint, ACCUMULATING: image[c, ih, iw] += Σ columns[r, p] over every (r, p) reading it.
// The column matrix may be a slice of a wider matrix (row stride ldColumns ≥ OH·OW), so a batch can be
// laid out side by side as [C·KH·KW, N·OH·OW] and multiplied by one GEMM.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>im2col / col2im (PyTorch <c>unfold</c> / <c>fold</c>) for one image.</summary>
public static class Im2Col
{
    /// <summary>
    /// im2col: columns[(c·KH+kh)·KW+kw, oh·OW+ow] = image[c, oh·SH−PT+kh·DH, ow·SW−PL+kw·DW] (0 in the padding).
    /// Overwrites the OH·OW leading entries of every column row.
    /// </summary>
    /// <param name="image">One image [C, H, W].</param>
    /// <param name="g">The geometry.</param>
    /// <param name="columns">Destination [C·KH·KW rows, row stride <paramref name="ldColumns"/>].</param>
    /// <param name="ldColumns">Row stride of <paramref name="columns"/>, at least OH·OW.</param>
    /// <exception cref="ArgumentException">A span is too short or the stride too small.</exception>
    public static void Unfold(ReadOnlySpan<float> image, in Conv2dGeometry g, Span<float> columns, int ldColumns)
    {
        Validate(image.Length, g, columns.Length, ldColumns);
        if (IsDense(g))
        {
            UnfoldDense(image, g, columns, ldColumns);
            return;
        }
        UnfoldImage(image, g, columns, ldColumns);
    }

    /// <summary>
    /// im2col of the output columns [<paramref name="p0"/>, <paramref name="p0"/> + <paramref name="count"/>) only:
    /// columns[r, p − p0] = the <see cref="Unfold"/> value at (r, p). Inference unfolds a block of output positions at a
    /// time so the block's columns stay in cache while the GEMM reads them.
    /// </summary>
    /// <param name="image">One image [C, H, W].</param>
    /// <param name="g">The geometry.</param>
    /// <param name="p0">First output position (oh·OW + ow).</param>
    /// <param name="count">Output positions in the block.</param>
    /// <param name="columns">Destination [C·KH·KW rows, row stride <paramref name="ldColumns"/>].</param>
    /// <param name="ldColumns">Row stride of <paramref name="columns"/>, at least <paramref name="count"/>.</param>
    /// <exception cref="ArgumentException">The range lies outside [0, OH·OW), a span is too short or the stride too small.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnfoldColumns(ReadOnlySpan<float> image, in Conv2dGeometry g, int p0, int count, Span<float> columns, int ldColumns)
    {
        if (p0 < 0 || count < 0 || p0 + count > g.ColumnCols)
            throw new ArgumentException($"Output columns [{p0}, {p0 + count}) lie outside [0, {g.ColumnCols}).");
        if (ldColumns < count) throw new ArgumentException($"Column row stride {ldColumns} is smaller than the block's {count} columns.");
        if (image.Length < g.ImageSize) throw new ArgumentException($"Image span has {image.Length} elements; the geometry needs {g.ImageSize}.");
        if (count == 0) return;
        long need = (long)(g.ColumnRows - 1) * ldColumns + count;
        if (columns.Length < need) throw new ArgumentException($"Column span has {columns.Length} elements; the block needs {need}.");
        int h = g.Height, w = g.Width, ow = g.OutW, sh = g.StrideH, sw = g.StrideW, dh = g.DilationH, dw = g.DilationW;
        int yFirst = p0 / ow, yLast = (p0 + count - 1) / ow;
        int r = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            for (int kh = 0; kh < g.KernelH; kh++)
            {
                for (int kw = 0; kw < g.KernelW; kw++, r++)
                {
                    var dst = columns.Slice(r * ldColumns, count);
                    int off = kw * dw - g.PadLeft;
                    ValidRange(off, sw, w, ow, out int o0, out int o1);
                    for (int y = yFirst; y <= yLast; y++)
                    {
                        // This output row's part of the block: output columns [xa, xb), at dst[y·OW + xa − p0].
                        int xa = y == yFirst ? p0 - y * ow : 0, xb = y == yLast ? p0 + count - y * ow : ow;
                        var seg = dst.Slice(y * ow + xa - p0, xb - xa);
                        int ih = y * sh - g.PadTop + kh * dh;
                        int v0 = Math.Clamp(o0, xa, xb), v1 = Math.Clamp(o1, v0, xb);
                        if ((uint)ih >= (uint)h || v1 == v0) { seg.Clear(); continue; }
                        var src = plane.Slice(ih * w, w);
                        seg[..(v0 - xa)].Clear();
                        seg[(v1 - xa)..].Clear();
                        var valid = seg[(v0 - xa)..(v1 - xa)];
                        if (sw == 1) CopyRow(src.Slice(v0 + off, v1 - v0), valid);
                        else if (sw == 2) Stride2.Gather(src[(v0 * 2 + off)..], valid);
                        else if (sw == 4) Stride4.Gather(src[(v0 * 4 + off)..], valid);
                        else for (int x = v0; x < v1; x++) valid[x - v0] = src[x * sw + off];
                    }
                }
            }
        }
    }

    /// <summary>
    /// col2im, accumulating: image[c, ih, iw] += columns[r, p] for every (r, p) that <see cref="Unfold"/> reads from (c, ih, iw).
    /// Entries that fall in the padding are dropped. The caller clears <paramref name="image"/> first if it wants a plain fold.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short or the stride too small.</exception>
    public static void Fold(ReadOnlySpan<float> columns, int ldColumns, in Conv2dGeometry g, Span<float> image)
    {
        Validate(image.Length, g, columns.Length, ldColumns);
        if (IsDense(g))
        {
            FoldDense(columns, ldColumns, g, image);
            return;
        }
        FoldImage(columns, ldColumns, g, image);
    }

    // The whole image (any stride, padding, dilation): per column row r = (c, kh, kw) the valid output columns
    // [o0, o1) are the same for every output row, so each output row is a zero head, one contiguous (stride 1),
    // stride-2 or strided copy, and a zero tail; output rows whose input row lies in the padding are cleared whole.
    // Plain refs instead of per-row span slicing: the rows are short (28, 14, 7 floats in a ResNet on MNIST), so the
    // fixed cost of slicing and Clear calls, not the copying, dominated.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnfoldImage(ReadOnlySpan<float> image, in Conv2dGeometry g, Span<float> columns, int ldColumns)
    {
        int h = g.Height, w = g.Width, oh = g.OutH, ow = g.OutW, sh = g.StrideH, sw = g.StrideW, dh = g.DilationH, dw = g.DilationW;
        ref float img0 = ref MemoryMarshal.GetReference(image);
        ref float col0 = ref MemoryMarshal.GetReference(columns);
        bool shifted = sh == 1 && sw == 1 && dh == 1 && dw == 1 && ow == w; // input row y + const → output row y, same width
        nint r = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref img0, (nint)c * h * w);
            for (int kh = 0; kh < g.KernelH; kh++)
            {
                ValidRange(kh * dh - g.PadTop, sh, h, oh, out int y0, out int y1);
                for (int kw = 0; kw < g.KernelW; kw++, r++)
                {
                    ref float dst = ref Unsafe.Add(ref col0, r * ldColumns);
                    int off = kw * dw - g.PadLeft;
                    ValidRange(off, sw, w, ow, out int o0, out int o1);
                    int yEnd = o1 == o0 ? y0 : y1; // no valid column: every row is padding
                    Clear(ref dst, y0 * ow);
                    if (shifted && yEnd > y0)
                    {
                        // "Same" padding at stride 1: output rows y0..yEnd read consecutive input rows at one offset, so
                        // the block is one contiguous copy of the plane shifted by (kh − PT)·W + off; the elements that
                        // wrapped in from a neighbouring row (columns outside [o0, o1)) are then zeroed. The copy is
                        // trimmed to the plane at both ends (those elements are in the zeroed columns anyway).
                        int from = (y0 - g.PadTop + kh) * w + off, a = y0 * ow, b = yEnd * ow;
                        if (from < 0) { a -= from; from = 0; }
                        int last = from + (b - a);
                        if (last > h * w) b -= last - h * w;
                        if (b > a)
                            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref plane, from), b - a)
                                .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref dst, a), b - a));
                        ClearColumns(ref dst, ow, y0, yEnd, 0, o0);
                        ClearColumns(ref dst, ow, y0, yEnd, o1, ow);
                        if (yEnd < oh) Clear(ref Unsafe.Add(ref dst, (nint)yEnd * ow), (oh - yEnd) * ow);
                        continue;
                    }
                    for (int y = y0; y < yEnd; y++)
                    {
                        ref float row = ref Unsafe.Add(ref dst, (nint)y * ow);
                        // First valid input element of this row (never a ref before the plane: o0 skips the left padding).
                        ref float src = ref Unsafe.Add(ref plane, (nint)(y * sh - g.PadTop + kh * dh) * w + off + o0 * sw);
                        Clear(ref row, o0);
                        if (sw == 1) CopyRow(ref src, ref Unsafe.Add(ref row, o0), o1 - o0);
                        else if (sw == 2)
                            Stride2.Gather(MemoryMarshal.CreateReadOnlySpan(ref src, 2 * (o1 - o0) - 1),
                                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref row, o0), o1 - o0));
                        else if (sw == 4)
                            Stride4.Gather(MemoryMarshal.CreateReadOnlySpan(ref src, 4 * (o1 - o0) - 3),
                                MemoryMarshal.CreateSpan(ref Unsafe.Add(ref row, o0), o1 - o0));
                        else for (int x = 0; x < o1 - o0; x++) Unsafe.Add(ref row, o0 + x) = Unsafe.Add(ref src, x * sw);
                        if (o1 < ow) Clear(ref Unsafe.Add(ref row, o1), ow - o1);
                    }
                    if (yEnd < oh) Clear(ref Unsafe.Add(ref dst, (nint)yEnd * ow), (oh - yEnd) * ow);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Fold"/> for a column matrix the caller no longer needs (a GEMM's scratch output): with "same" padding
    /// at stride 1 (OW = W) each column row's block is added to the plane as one contiguous run after the entries that
    /// fall in the padding are set to 0 in <paramref name="columns"/> (so they add nothing; a −0 in the image may become
    /// +0). Other geometries fold as <see cref="Fold"/> and leave the columns as they are.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short or the stride too small.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void FoldOverwriting(Span<float> columns, int ldColumns, in Conv2dGeometry g, Span<float> image)
    {
        Validate(image.Length, g, columns.Length, ldColumns);
        int h = g.Height, w = g.Width, oh = g.OutH, ow = g.OutW;
        if (IsDense(g) || g.StrideH != 1 || g.StrideW != 1 || g.DilationH != 1 || g.DilationW != 1 || ow != w)
        {
            Fold(columns, ldColumns, g, image);
            return;
        }
        int r = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            var plane = image.Slice(c * h * w, h * w);
            for (int kh = 0; kh < g.KernelH; kh++)
            {
                ValidRange(kh - g.PadTop, 1, h, oh, out int y0, out int y1);
                for (int kw = 0; kw < g.KernelW; kw++, r++)
                {
                    int off = kw - g.PadLeft;
                    ValidRange(off, 1, w, ow, out int o0, out int o1);
                    if (o1 == o0 || y1 == y0) continue;
                    var src = columns.Slice(r * ldColumns, oh * ow);
                    ref float first = ref MemoryMarshal.GetReference(src);
                    // The padding columns (one or two at each side), a column at a time: two loops per row over its
                    // one or two of them cost a sixth of the fold.
                    ClearColumns(ref first, ow, y0, y1, 0, o0);
                    ClearColumns(ref first, ow, y0, y1, o1, ow);
                    // Output row y, column x adds to input (y − PT + kh, x + off): one run shifted by (kh − PT)·W + off,
                    // trimmed to the plane (the trimmed entries lie in the cleared columns).
                    int from = (y0 - g.PadTop + kh) * w + off, a = y0 * ow, b = y1 * ow;
                    if (from < 0) { a -= from; from = 0; }
                    if (from + (b - a) > h * w) b = a + h * w - from;
                    if (b > a) AddRow(ref Unsafe.Add(ref first, a), ref plane[from], b - a);
                }
            }
        }
    }

    // rows[y·ow + x] = 0 for y0 ≤ y < y1, x0 ≤ x < x1.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ClearColumns(ref float rows, int ow, int y0, int y1, int x0, int x1)
    {
        for (int x = x0; x < x1; x++)
            for (nint at = (nint)y0 * ow + x, end = (nint)y1 * ow; at < end; at += ow) Unsafe.Add(ref rows, at) = 0f;
    }

    // The adjoint of UnfoldImage: for every valid (output row, column range), image row segment += column row segment.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldImage(ReadOnlySpan<float> columns, int ldColumns, in Conv2dGeometry g, Span<float> image)
    {
        int h = g.Height, w = g.Width, oh = g.OutH, ow = g.OutW, sh = g.StrideH, sw = g.StrideW, dh = g.DilationH, dw = g.DilationW;
        ref float col0 = ref MemoryMarshal.GetReference(columns);
        ref float img0 = ref MemoryMarshal.GetReference(image);
        nint r = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref img0, (nint)c * h * w);
            for (int kh = 0; kh < g.KernelH; kh++)
            {
                ValidRange(kh * dh - g.PadTop, sh, h, oh, out int y0, out int y1);
                for (int kw = 0; kw < g.KernelW; kw++, r++)
                {
                    ref float src = ref Unsafe.Add(ref col0, r * ldColumns);
                    int off = kw * dw - g.PadLeft;
                    ValidRange(off, sw, w, ow, out int o0, out int o1);
                    if (o1 == o0) continue;
                    for (int y = y0; y < y1; y++)
                    {
                        ref float seg = ref Unsafe.Add(ref src, (nint)y * ow);
                        ref float dst = ref Unsafe.Add(ref plane, (nint)(y * sh - g.PadTop + kh * dh) * w + off + o0 * sw);
                        if (sw == 1) AddRow(ref Unsafe.Add(ref seg, o0), ref dst, o1 - o0);
                        else for (int x = 0; x < o1 - o0; x++) Unsafe.Add(ref dst, x * sw) += Unsafe.Add(ref seg, o0 + x);
                    }
                }
            }
        }
    }

    // Short zero fills (a pad column or two, or a few padded rows): a vector or scalar store beats a Clear call.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Clear(ref float d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8) Vector256<float>.Zero.StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref d, i) = 0f;
    }

    // Every window inside the image at unit stride and dilation (the output is then exactly (H − KH + 1) × (W − KW + 1)).
    /// <summary>Stride 1, no padding, no dilation: every window lies inside the image (the dense fast paths).</summary>
    internal static bool IsDense(in Conv2dGeometry g) =>
        g.PadTop == 0 && g.PadLeft == 0 && g.PadBottom == 0 && g.PadRight == 0 && g.StrideH == 1 && g.StrideW == 1
        && g.DilationH == 1 && g.DilationW == 1 && !g.CeilMode;

    // Stride 1, no padding (LeNet, most 3x3 "valid" convs): every window is inside the image, so each
    // column row is OH contiguous copies of OW elements; no clipping, no clearing, no per-row slicing.
    private static void UnfoldDense(ReadOnlySpan<float> image, in Conv2dGeometry g, Span<float> columns, int ldColumns) =>
        DenseRows<Copy>(ref MemoryMarshal.GetReference(image), g, ref MemoryMarshal.GetReference(columns), ldColumns);

    // The adjoint of UnfoldDense: OH contiguous row additions per column row.
    private static void FoldDense(ReadOnlySpan<float> columns, int ldColumns, in Conv2dGeometry g, Span<float> image) =>
        DenseRows<Add>(ref MemoryMarshal.GetReference(image), g, ref MemoryMarshal.GetReference(columns), ldColumns);

    // For every column row r = (c, i, j) and output row y: TRow on the image's OW floats at (c, i + y, j) and the column
    // row's OW floats at y·OW.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DenseRows<TRow>(ref float image0, in Conv2dGeometry g, ref float columns0, int ldColumns) where TRow : struct, IRow
    {
        int h = g.Height, w = g.Width, oh = g.OutH, ow = g.OutW, kh = g.KernelH, kw = g.KernelW;
        nint r = 0;
        for (int c = 0; c < g.Channels; c++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++, r++)
                {
                    ref float column = ref Unsafe.Add(ref columns0, r * ldColumns);
                    ref float image = ref Unsafe.Add(ref image0, (c * h + i) * w + j);
                    for (int y = 0; y < oh; y++)
                        TRow.Run(ref Unsafe.Add(ref image, y * w), ref Unsafe.Add(ref column, y * ow), ow);
                }
    }

    // A row operation of DenseRows (a struct the JIT specialises).
    private interface IRow
    {
        static abstract void Run(ref float image, ref float column, int n);
    }

    private readonly struct Copy : IRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run(ref float image, ref float column, int n) => CopyRow(ref image, ref column, n);
    }

    private readonly struct Add : IRow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Run(ref float image, ref float column, int n) => AddRow(ref column, ref image, n);
    }

    // Whole vectors, then one last vector ending at n that overlaps the previous one (the rows never alias), so a
    // row of 27 or 7 floats takes 4 or 2 stores instead of a scalar tail.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void CopyRow(ref float s, ref float d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            for (; i + 8 <= n; i += 8) Vector256.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
            if (i < n) Vector256.LoadUnsafe(ref s, (nuint)(n - 8)).StoreUnsafe(ref d, (nuint)(n - 8));
            return;
        }
        if (Vector128.IsHardwareAccelerated && n >= 4)
        {
            for (; i + 4 <= n; i += 4) Vector128.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
            if (i < n) Vector128.LoadUnsafe(ref s, (nuint)(n - 4)).StoreUnsafe(ref d, (nuint)(n - 4));
            return;
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
    }

    // Rows are short (LeNet's conv2 output is 8 wide): inline vector copies beat both a scalar loop and
    // a memmove/TensorPrimitives call, whose fixed cost dominates at these lengths.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRow(ReadOnlySpan<float> src, Span<float> dst) =>
        CopyRow(ref MemoryMarshal.GetReference(src), ref MemoryMarshal.GetReference(dst), src.Length);

    // dst += src, for the same short rows. (No overlapping last vector as in CopyRow: its load of dst would wait
    // on the store just made to the same bytes — measured twice as slow.)
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AddRow(ref float s, ref float d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
                (Vector256.LoadUnsafe(ref d, (nuint)i) + Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= n; i += 4)
                (Vector128.LoadUnsafe(ref d, (nuint)i) + Vector128.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref d, i) += Unsafe.Add(ref s, i);
    }

    /// <summary>The output columns x in [o0, o1) whose input column x·sw + off lies inside [0, w) (o0 ≤ o1 ≤ ow).</summary>
    internal static void ValidRange(int off, int sw, int w, int ow, out int o0, out int o1)
    {
        o0 = off >= 0 ? 0 : (-off + sw - 1) / sw;
        int last = w - 1 - off; // x·sw <= last
        o1 = last < 0 ? 0 : Math.Min(ow, last / sw + 1);
        if (o0 > ow) o0 = ow;
        if (o1 < o0) o1 = o0;
    }

    private static void Validate(int imageLength, in Conv2dGeometry g, int columnsLength, int ldColumns)
    {
        if (imageLength < g.ImageSize)
            throw new ArgumentException($"Image span has {imageLength} elements; the geometry needs {g.ImageSize}.");
        if (ldColumns < g.ColumnCols)
            throw new ArgumentException($"Column row stride {ldColumns} is smaller than OH·OW = {g.ColumnCols}.");
        long need = (long)(g.ColumnRows - 1) * ldColumns + g.ColumnCols;
        if (columnsLength < need)
            throw new ArgumentException($"Column span has {columnsLength} elements; the geometry needs {need}.");
    }
}
