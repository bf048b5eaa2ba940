// GroupKernels: the products of the group-structured formats (SimdGroupWeight, BlockSparseWeight), shared through
// one layout: rows are cut into bands of BandRows rows (1 for SIMD groups, the block height for BSR); band R owns
// the groups [Pointers[R], Pointers[R + 1]); group g holds, for row i of the band, Width consecutive weights at
// Values + (g·BandRows + i)·Width starting at column Index[g] (the group's first column, a multiple of Width).
// The batch-1 kernel is Scalpel's: per stored group one contiguous (unaligned) load of x at the group's column
// times the group's values, FMA into four per-row accumulators (four groups in flight) — no gather. A group
// that runs past the last column (Cols not a multiple of Width; its stored values are zero-padded) is summed
// scalar so x is never read past its end. Bands of 4 rows (the default BSR block height) at n < 4 share each x
// load across the band's rows. Batches (n ≥ 4) share each value load across four examples.
// MultiplyColumns: per row, one axpy over the p columns for every stored weight.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Topiary.Runtime.Sparse;

/// <summary>The group layout of <see cref="SimdGroupWeight"/> and <see cref="BlockSparseWeight"/> (pointers pinned by the caller).</summary>
internal unsafe readonly struct GroupLayout<TIndex>(float* values, TIndex* index, int* pointers, int rows, int cols, int width, int bandRows)
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    public readonly float* Values = values;
    public readonly TIndex* Index = index;
    public readonly int* Pointers = pointers;
    public readonly int Rows = rows;
    public readonly int Cols = cols;
    public readonly int Width = width;
    public readonly int BandRows = bandRows;

    /// <summary>First column of the partial last group, or -1 when Cols is a multiple of Width.</summary>
    public int TailStart => Cols % Width == 0 ? -1 : Cols - Cols % Width;
}

/// <summary>Vectorised products over a <see cref="GroupLayout{TIndex}"/>.</summary>
internal static unsafe partial class GroupKernels
{
    /// <summary>Y[i, r] = act(Σ_c X[i, c]·W[r, c] + bias[r]) for n examples; x [n, Cols], y [n, Rows].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TIndex>(in GroupLayout<TIndex> a, float* x, int n, float* y, float* bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        switch (a.Width)
        {
            case 16: Multiply<Lanes16, Vector512<float>, TIndex>(a, x, n, y, bias, relu); break;
            case 8: Multiply<Lanes8, Vector256<float>, TIndex>(a, x, n, y, bias, relu); break;
            case 4: Multiply<Lanes4, Vector128<float>, TIndex>(a, x, n, y, bias, relu); break;
            default: Multiply<Lanes2, Vector128<float>, TIndex>(a, x, n, y, bias, relu); break;
        }
    }

    /// <summary>C[r, 0..p) = act(Σ_j W[r, j]·B[j, 0..p) + bias[r]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyColumns<TIndex>(in GroupLayout<TIndex> a, ReadOnlySpan<float> b, int ldb, int p, Span<float> c, int ldc,
        ReadOnlySpan<float> bias, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int w = a.Width, br = a.BandRows;
        for (int r = 0; r < a.Rows; r++)
        {
            int band = r / br, i = r - band * br;
            var dst = c.Slice(r * ldc, p);
            dst.Clear();
            for (int g = a.Pointers[band], end = a.Pointers[band + 1]; g < end; g++)
            {
                int col = int.CreateTruncating(a.Index[g]);
                float* v = a.Values + ((nint)g * br + i) * w;
                int count = Math.Min(w, a.Cols - col);
                for (int k = 0; k < count; k++)
                    TensorPrimitives.MultiplyAdd(b.Slice((col + k) * ldb, p), v[k], dst, dst);
            }
            if (!bias.IsEmpty) TensorPrimitives.Add(dst, bias[r], dst);
            if (relu) TensorPrimitives.Max(dst, 0f, dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply<TLanes, TVec, TIndex>(in GroupLayout<TIndex> a, float* x, int n, float* y, float* bias, bool relu)
        where TLanes : struct, IGroupLanes<TVec>
        where TVec : struct
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int rows = a.Rows, cols = a.Cols, br = a.BandRows, tail = a.TailStart;
        nint stride = (nint)br * TLanes.Width;
        int r = 0;
        if (br == 1 && n == 1 && TLanes.Width == 8 && Rows8Supported)
            r = Rows8Width8(a, x, y, bias, relu); // eight rows per pass, one transposed reduction
        if (br == 4 && n < 4)
        {
            // Block rows of 4: each x load is shared by the band's four rows (the dense GEMV's trick, on kept blocks only).
            for (; r + 4 <= rows; r += 4)
                for (int i = 0; i < n; i++) Band4<TLanes, TVec, TIndex>(a, x + (nint)i * cols, y + (nint)i * rows, r, bias, relu);
        }
        for (; r < rows; r++)
        {
            int band = r / br;
            int start = a.Pointers[band], end = a.Pointers[band + 1];
            float* v = a.Values + ((nint)start * br + (r - band * br)) * TLanes.Width;
            TIndex* idx = a.Index + start;
            int count = end - start;
            bool partial = tail >= 0 && count > 0 && int.CreateTruncating(idx[count - 1]) == tail;
            if (partial) count--;
            float b = bias is null ? 0f : bias[r];
            int i = 0;
            for (; i + 4 <= n; i += 4)
            {
                float* x0 = x + (nint)i * cols;
                Dot4<TLanes, TVec, TIndex>(v, stride, idx, count, x0, cols, out float s0, out float s1, out float s2, out float s3);
                if (partial)
                {
                    float* vt = v + count * stride;
                    s0 += TailDot(vt, x0, tail, cols);
                    s1 += TailDot(vt, x0 + cols, tail, cols);
                    s2 += TailDot(vt, x0 + 2 * cols, tail, cols);
                    s3 += TailDot(vt, x0 + 3 * cols, tail, cols);
                }
                y[(nint)i * rows + r] = Act(s0 + b, relu);
                y[(nint)(i + 1) * rows + r] = Act(s1 + b, relu);
                y[(nint)(i + 2) * rows + r] = Act(s2 + b, relu);
                y[(nint)(i + 3) * rows + r] = Act(s3 + b, relu);
            }
            for (; i < n; i++)
            {
                float* xi = x + (nint)i * cols;
                float s = Dot<TLanes, TVec, TIndex>(v, stride, idx, count, xi);
                if (partial) s += TailDot(v + count * stride, xi, tail, cols);
                y[(nint)i * rows + r] = Act(s + b, relu);
            }
        }
    }

    // Rows r..r+3 (one band of 4) for one example: per block one load of x, four value loads, four FMAs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Band4<TLanes, TVec, TIndex>(in GroupLayout<TIndex> a, float* x, float* y, int r, float* bias, bool relu)
        where TLanes : struct, IGroupLanes<TVec>
        where TVec : struct
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int w = TLanes.Width, band = r / 4, tail = a.TailStart;
        int start = a.Pointers[band], count = a.Pointers[band + 1] - start;
        float* v = a.Values + (nint)start * 4 * w;
        TIndex* idx = a.Index + start;
        bool partial = tail >= 0 && count > 0 && int.CreateTruncating(idx[count - 1]) == tail;
        if (partial) count--;
        TVec a0 = TLanes.Zero, a1 = TLanes.Zero, a2 = TLanes.Zero, a3 = TLanes.Zero;
        for (int g = 0; g < count; g++)
        {
            var xv = TLanes.Load(x + nint.CreateTruncating(idx[g]));
            a0 = TLanes.MultiplyAdd(TLanes.Load(v), xv, a0);
            a1 = TLanes.MultiplyAdd(TLanes.Load(v + w), xv, a1);
            a2 = TLanes.MultiplyAdd(TLanes.Load(v + 2 * w), xv, a2);
            a3 = TLanes.MultiplyAdd(TLanes.Load(v + 3 * w), xv, a3);
            v += 4 * w;
        }
        float s0 = TLanes.Sum(a0), s1 = TLanes.Sum(a1), s2 = TLanes.Sum(a2), s3 = TLanes.Sum(a3);
        if (partial)
        {
            s0 += TailDot(v, x, tail, a.Cols);
            s1 += TailDot(v + w, x, tail, a.Cols);
            s2 += TailDot(v + 2 * w, x, tail, a.Cols);
            s3 += TailDot(v + 3 * w, x, tail, a.Cols);
        }
        y[r] = Act(s0 + (bias is null ? 0f : bias[r]), relu);
        y[r + 1] = Act(s1 + (bias is null ? 0f : bias[r + 1]), relu);
        y[r + 2] = Act(s2 + (bias is null ? 0f : bias[r + 2]), relu);
        y[r + 3] = Act(s3 + (bias is null ? 0f : bias[r + 3]), relu);
    }

    // Σ over count groups of values(g)·x[col(g)..+Width), four groups in flight.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Dot<TLanes, TVec, TIndex>(float* v, nint stride, TIndex* idx, int count, float* x)
        where TLanes : struct, IGroupLanes<TVec>
        where TVec : struct
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        TVec a0 = TLanes.Zero, a1 = TLanes.Zero, a2 = TLanes.Zero, a3 = TLanes.Zero;
        int g = 0;
        for (; g + 4 <= count; g += 4)
        {
            a0 = TLanes.MultiplyAdd(TLanes.Load(v), TLanes.Load(x + nint.CreateTruncating(idx[g])), a0);
            a1 = TLanes.MultiplyAdd(TLanes.Load(v + stride), TLanes.Load(x + nint.CreateTruncating(idx[g + 1])), a1);
            a2 = TLanes.MultiplyAdd(TLanes.Load(v + 2 * stride), TLanes.Load(x + nint.CreateTruncating(idx[g + 2])), a2);
            a3 = TLanes.MultiplyAdd(TLanes.Load(v + 3 * stride), TLanes.Load(x + nint.CreateTruncating(idx[g + 3])), a3);
            v += 4 * stride;
        }
        for (; g < count; g++)
        {
            a0 = TLanes.MultiplyAdd(TLanes.Load(v), TLanes.Load(x + nint.CreateTruncating(idx[g])), a0);
            v += stride;
        }
        return TLanes.Sum(TLanes.Add(TLanes.Add(a0, a1), TLanes.Add(a2, a3)));
    }

    // Four examples (rows of x ld apart) against one row: each value load is shared by the four.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dot4<TLanes, TVec, TIndex>(float* v, nint stride, TIndex* idx, int count, float* x, nint ld,
        out float s0, out float s1, out float s2, out float s3)
        where TLanes : struct, IGroupLanes<TVec>
        where TVec : struct
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        TVec a0 = TLanes.Zero, a1 = TLanes.Zero, a2 = TLanes.Zero, a3 = TLanes.Zero;
        for (int g = 0; g < count; g++)
        {
            var w = TLanes.Load(v);
            float* xc = x + nint.CreateTruncating(idx[g]);
            a0 = TLanes.MultiplyAdd(w, TLanes.Load(xc), a0);
            a1 = TLanes.MultiplyAdd(w, TLanes.Load(xc + ld), a1);
            a2 = TLanes.MultiplyAdd(w, TLanes.Load(xc + 2 * ld), a2);
            a3 = TLanes.MultiplyAdd(w, TLanes.Load(xc + 3 * ld), a3);
            v += stride;
        }
        s0 = TLanes.Sum(a0);
        s1 = TLanes.Sum(a1);
        s2 = TLanes.Sum(a2);
        s3 = TLanes.Sum(a3);
    }

    // The partial last group: values v[0..cols - tail) against x[tail..cols).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float TailDot(float* v, float* x, int tail, int cols)
    {
        float s = 0;
        for (int k = 0; k < cols - tail; k++) s += v[k] * x[tail + k];
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Act(float v, bool relu) => relu ? Math.Max(v, 0f) : v;
}
