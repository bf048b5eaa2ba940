// GemmPacking: copies blocks of op(A) and op(B) into the contiguous micro-panel layout the
// kernels read (see IGemmKernel), for all four transA/transB cases, zero-padding short panels.
//   packed A block: panels of Mr rows; panel q holds, for p = 0..kc-1, the Mr values op(A)[i0+q*Mr+r, p0+p].
//   packed B block: panels of Nr cols; panel q holds, for p = 0..kc-1, the Nr values op(B)[p0+p, j0+q*Nr+j].
// Both reduce to two primitives: a strided copy (the panel's lanes are contiguous in memory) and a
// transposing copy (the panel's lanes are separate rows in memory), the latter 8x8-blocked with AVX.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>Packing of GEMM operands into kernel micro-panels.</summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[i0.., p0..] (mc x kc) into panels of <paramref name="mr"/> rows at <paramref name="dest"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, nint lda, int i0, int mc, int p0, int kc, float* dest, int mr)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int lanes = Math.Min(mr, mc - ir);
            float* panel = dest + (nint)ir * kc;
            if (transA)
                PackCopy(a + p0 * lda + i0 + ir, lda, lanes, kc, panel, mr);
            else
                PackTranspose(a + (i0 + ir) * lda + p0, lda, lanes, kc, panel, mr);
        }
    }

    /// <summary>Packs panels [panelStart, panelEnd) of op(B)[p0.., j0..] (kc x nc) at <paramref name="dest"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, nint ldb, int p0, int kc, int j0, int nc, float* dest, int nr,
        int panelStart, int panelEnd)
    {
        int whole = Math.Min(panelEnd, nc / nr);
        if (!transB && whole - panelStart > 1 && nr % 8 == 0 && Vector256.IsHardwareAccelerated)
        {
            // Row-major B, two or more whole panels: row by row, one contiguous run of the rows' panels at a time (a
            // panel at a time read 64-byte pieces of rows far apart: one stream per row, more than the prefetchers follow).
            PackRows(b + (nint)p0 * ldb + j0 + panelStart * nr, ldb, kc, whole - panelStart, dest + (nint)panelStart * nr * kc, nr);
            panelStart = whole;
        }
        for (int q = panelStart; q < panelEnd; q++)
        {
            int jr = q * nr;
            PackBPanel(transB, b, ldb, p0, kc, j0 + jr, Math.Min(nr, nc - jr), dest + (nint)jr * kc, nr);
        }
    }

    // dest[q·kc·nr + p·nr + r] = src[p·ld + q·nr + r]: `panels` whole panels of a row-major B, row by row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRows(float* src, nint ld, int kc, int panels, float* dest, int nr)
    {
        nint panelSize = (nint)kc * nr;
        for (int p = 0; p < kc; p++, src += ld, dest += nr)
        {
            float* from = src, to = dest;
            for (int q = 0; q < panels; q++, from += nr, to += panelSize)
                for (int r = 0; r < nr; r += 8)
                    Vector256.Store(Vector256.Load(from + r), to + r);
        }
    }

    /// <summary>Packs one B micro-panel: op(B)[p0.., j..j+lanes) (kc x lanes), zero-padded to <paramref name="nr"/> columns.</summary>
    public static void PackBPanel(bool transB, float* b, nint ldb, int p0, int kc, int j, int lanes, float* dest, int nr)
    {
        if (transB)
            PackTranspose(b + j * ldb + p0, ldb, lanes, kc, dest, nr);
        else
            PackCopy(b + p0 * ldb + j, ldb, lanes, kc, dest, nr);
    }

    /// <summary>
    /// Asks for the source of the B panels in columns [j, j + cols) of K rows [p0, p0 + kc) to be brought into L2 (row-major
    /// B only): packing reads one short run from each of kc rows far apart — more streams than the hardware prefetchers
    /// follow — so the next group's runs are requested while this group is multiplied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrefetchB(bool transB, float* b, nint ldb, int p0, int kc, int j, int cols)
    {
        if (transB) return;
        float* row = b + p0 * ldb + j;
        for (int p = 0; p < kc; p++, row += ldb) Prefetch.Run(row, cols);
    }

    /// <summary>dest[p*width + r] = src[p*ld + r] for r &lt; lanes, 0 for lanes ≤ r &lt; width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackCopy(float* src, nint ld, int lanes, int kc, float* dest, int width)
    {
        Debug.Assert(lanes > 0 && lanes <= width);
        if (lanes == width && width % 16 == 0 && Vector512.IsHardwareAccelerated)
        {
            for (int p = 0; p < kc; p++, src += ld, dest += width)
                for (int r = 0; r < width; r += 16)
                    Vector512.Store(Vector512.Load(src + r), dest + r);
            return;
        }
        if (lanes == width && width % 8 == 0 && Vector256.IsHardwareAccelerated)
        {
            for (int p = 0; p < kc; p++, src += ld, dest += width)
                for (int r = 0; r < width; r += 8)
                    Vector256.Store(Vector256.Load(src + r), dest + r);
            return;
        }
        if (lanes == 6 && width == 6 && Vector128.IsHardwareAccelerated)
        {
            // The AVX2 and SSE tiers' 6-row A panels (Winograd's V, colᵀ): element by element this copy took 10 % of a
            // pruned VGG-16 pass. A step's 8 floats, of which the next step overwrites the last two: the two extra floats
            // read lie before the next step's first (ld ≥ 6), so inside the source; the last step copies 4 + 2.
            Debug.Assert(ld >= 6);
            int p = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; p + 1 < kc; p++, src += ld, dest += 6)
                    Vector256.Store(Vector256.Load(src), dest);
            for (; p < kc; p++, src += ld, dest += 6)
            {
                Vector128.Store(Vector128.Load(src), dest);
                *(long*)(dest + 4) = *(long*)(src + 4);
            }
            return;
        }
        for (int p = 0; p < kc; p++, src += ld, dest += width)
        {
            int r = 0;
            for (; r < lanes; r++) dest[r] = src[r];
            for (; r < width; r++) dest[r] = 0;
        }
    }

    /// <summary>dest[p*width + r] = src[r*ld + p] for r &lt; lanes, 0 for lanes ≤ r &lt; width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackTranspose(float* src, nint ld, int lanes, int kc, float* dest, int width)
    {
        Debug.Assert(lanes > 0 && lanes <= width);
        int r0 = 0;
        if (Avx.IsSupported && width == 6)
        {
            // AVX2's 6-row A panels: 8 columns of the 6 rows (two zero rows beside them) as one 8x8 transpose whose rows of
            // 8 are stored 6 apart, each overwriting the next one's first two floats: so only while a row follows. A last
            // panel of fewer rows (M = 16: 6 + 6 + 4) has zero rows in their place; element by element it cost more than
            // the two full panels (4 % of ResNet-20's 16-channel weight gradients).
            int p = 0;
            var zero = Vector256<float>.Zero;
            float* s1 = src + Math.Min(1, lanes - 1) * ld, s2 = src + Math.Min(2, lanes - 1) * ld, s3 = src + Math.Min(3, lanes - 1) * ld;
            float* s4 = src + Math.Min(4, lanes - 1) * ld, s5 = src + Math.Min(5, lanes - 1) * ld;
            for (; p + 8 < kc; p += 8)
                StoreTransposed(Avx.LoadVector256(src + p), lanes > 1 ? Avx.LoadVector256(s1 + p) : zero, lanes > 2 ? Avx.LoadVector256(s2 + p) : zero,
                    lanes > 3 ? Avx.LoadVector256(s3 + p) : zero, lanes > 4 ? Avx.LoadVector256(s4 + p) : zero,
                    lanes > 5 ? Avx.LoadVector256(s5 + p) : zero, zero, zero, dest + (nint)p * 6, 6);
            for (; p < kc; p++)
                for (int r = 0; r < 6; r++) dest[(nint)p * 6 + r] = r < lanes ? src[r * ld + p] : 0f;
            return;
        }
        if (Avx.IsSupported)
        {
            for (; r0 + 8 <= lanes; r0 += 8)
            {
                float* s = src + r0 * ld;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                    Transpose8x8(s + p, ld, dest + (nint)p * width + r0, width);
                for (; p < kc; p++)
                    for (int r = 0; r < 8; r++)
                        dest[(nint)p * width + r0 + r] = s[r * ld + p];
            }
        }
        for (int p = 0; p < kc; p++)
        {
            float* d = dest + (nint)p * width;
            int r = r0;
            for (; r < lanes; r++) d[r] = src[r * ld + p];
            for (; r < width; r++) d[r] = 0;
        }
    }

    /// <summary>Transposes the 8x8 block at <paramref name="s"/> (row stride ld) into d (row stride dld).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, nint ld, float* d, int dld) =>
        StoreTransposed(Avx.LoadVector256(s), Avx.LoadVector256(s + ld), Avx.LoadVector256(s + 2 * ld), Avx.LoadVector256(s + 3 * ld),
            Avx.LoadVector256(s + 4 * ld), Avx.LoadVector256(s + 5 * ld), Avx.LoadVector256(s + 6 * ld), Avx.LoadVector256(s + 7 * ld), d, dld);

    /// <summary>d[k·dld + i] = r_i[k]: the 8x8 block whose rows are r0..r7 stored transposed (row stride dld). Needs AVX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreTransposed(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* d, int dld)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + dld, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * dld, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * dld, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * dld, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * dld, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * dld, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 7 * dld, Avx.Permute2x128(u3, u7, 0x31));
    }
}
