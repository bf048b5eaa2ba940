// Im2ColGather: im2col of a whole small image by AVX2 gathers (8 floats a vgatherdps; .NET has no 512-bit gather). When output rows are short (ResNet-50's 28×28, 14×14
// and 7×7 stages) the row-segment unfold spends its time on per-segment setup — a stride-2 3×3 layer at 14×14 has
// 2,304 column rows × 14 segments of 14 floats — not on copying. Here the image is first copied into a zero-padded
// buffer [C, Hp, Wp] covering every window (so no read needs a bounds test), and each column row (c, kh, kw) is one
// sweep of gathers: columns[r, q] = padded[c, y·SH + kh·DH, x·SW + kw·DW] for q = y·OW + x, with one index table
// base[q] = y·SH·Wp + x·SW shared by every row (a row only adds its constant offset). Any stride, dilation, padding.
// A copy, so the values are the row-segment unfold's bit for bit (the tests compare them); the scalar loop is its twin.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Whole-image im2col by AVX2 gathers from a zero-padded copy (oracle: <see cref="Im2Col.UnfoldColumns"/>).</summary>
internal static unsafe class Im2ColGather
{
    /// <summary>True when this machine runs the gathers (AVX2).</summary>
    public static bool IsSupported => Avx2.IsSupported;

    [ThreadStatic] private static float[]? t_padded;
    [ThreadStatic] private static int[]? t_index;

    /// <summary>columns [C·KH·KW, row stride <paramref name="ldColumns"/>] = im2col(image) for all OH·OW positions.</summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unfold(ReadOnlySpan<float> image, in Conv2dGeometry g, Span<float> columns, int ldColumns, bool vectorise = true)
    {
        int p = g.ColumnCols;
        if (image.Length < g.ImageSize) throw new ArgumentException($"Image span has {image.Length} elements; the geometry needs {g.ImageSize}.");
        if (ldColumns < p || columns.Length < (long)(g.ColumnRows - 1) * ldColumns + p)
            throw new ArgumentException($"Columns need {g.ColumnRows} rows of {p} (row stride {ldColumns}); the span has {columns.Length}.");
        int h = g.Height, w = g.Width, c = g.Channels, ow = g.OutW;
        // Padded extent: every window's last row/column (windows may hang over the bottom/right in ceil mode).
        int hp = Math.Max(g.PadTop + h, (g.OutH - 1) * g.StrideH + (g.KernelH - 1) * g.DilationH + 1);
        int wp = Math.Max(g.PadLeft + w, (ow - 1) * g.StrideW + (g.KernelW - 1) * g.DilationW + 1);
        int planeP = hp * wp;
        float[] padded = ScratchArray.Grow(ref t_padded, (long)c * planeP);
        int[] index = t_index is { } ix && ix.Length >= p + 16 ? ix : t_index = new int[p + 16];
        padded.AsSpan(0, c * planeP).Clear();
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                image.Slice((ch * h + y) * w, w).CopyTo(padded.AsSpan(ch * planeP + (y + g.PadTop) * wp + g.PadLeft, w));
        for (int q = 0; q < p; q++) index[q] = q / ow * g.StrideH * wp + q % ow * g.StrideW;
        int r = 0;
        fixed (float* pad0 = padded)
        fixed (int* idx = index)
        fixed (float* col0 = columns)
            for (int ch = 0; ch < c; ch++)
                for (int kh = 0; kh < g.KernelH; kh++)
                    for (int kw = 0; kw < g.KernelW; kw++, r++)
                    {
                        float* src = pad0 + ch * planeP + kh * g.DilationH * wp + kw * g.DilationW;
                        float* dst = col0 + (long)r * ldColumns;
                        int q = 0;
                        if (vectorise && Avx2.IsSupported)
                            for (; q + 8 <= p; q += 8)
                                Avx2.GatherVector256(src, Avx.LoadVector256(idx + q), 4).Store(dst + q);
                        for (; q < p; q++) dst[q] = src[idx[q]];
                    }
    }
}
