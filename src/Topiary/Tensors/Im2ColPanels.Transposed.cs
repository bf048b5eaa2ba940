// Im2ColPanels, the transposed product: C = alpha·A·im2col(image)ᵀ + beta·C — a convolution's weight gradient
// dY [OC, P] · colᵀ [P, K] — with colᵀ's B panels packed from the image as the forward product's are (the same tables
// and padded copy), so training's backward writes no column matrix for it. A panel of colᵀ is kc output positions ×
// Nr column-matrix rows; it is filled 8 rows × 8 positions at a time: each row's 8 positions by one load when they lie
// in one output row at stride 1, two loads blended across two such rows, else an AVX2 gather, and the 8 × 8 block stored transposed
// (GemmPacking.StoreTransposed). Copies only: the product is bitwise the GEMM's with the unfolded matrix as its
// transposed B operand (the tests compare them); the scalar loop is the twin.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

internal static unsafe partial class Im2ColPanels
{
    /// <summary>
    /// C[i, r] = beta·C[i, r] + alpha·Σ_q A[i, q] · im2col(image)[row0 + r, q] for r &lt; <paramref name="rowCount"/>, over
    /// the output positions q of <paramref name="g"/> (A is [m, P], or [m, samples·P] with several images side by side,
    /// as <see cref="Multiply"/> reads them). <paramref name="vectorise"/> false: the scalar twin packs;
    /// <paramref name="tier"/>: the GEMM tier (default the best this host runs).
    /// </summary>
    /// <exception cref="ArgumentException">The images, A or C are too short, the rows fall outside the geometry's, samples or threads &lt; 1, or the image stride is smaller than an image.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyTransposed(int threads, int m, float alpha, ReadOnlySpan<float> a, int lda, float[] images, int offset,
        in Conv2dGeometry g, int row0, int rowCount, float beta, Span<float> c, int ldc, bool vectorise = true, int samples = 1,
        int imageStride = 0, GemmTier? tier = null)
    {
        CheckRows(g, row0, rowCount);
        var layout = Prepare(threads, images, offset, g, samples, imageStride);
        fixed (float* img = images, pad = layout.Padded)
        fixed (int* pos = layout.Positions, off = layout.Rows)
        {
            var state = layout.State(img + offset, pad, pos, off + row0, vectorise);
            Gemm.Sgemm(threads, false, m, rowCount, samples * g.ColumnCols, alpha, a, lda, new GemmBSource(&PackTransposed, &state), beta, c, ldc, tier);
        }
    }

    // One B panel of colᵀ: dest[p·nr + i] = image[rows[j + i] + positions[p0 + p]] for i < lanes, 0 up to nr.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed(void* state, int p0, int kc, int j, int lanes, float* dest, int nr)
    {
        var s = (State*)state;
        int* rows = s->Rows + j, pos = s->Positions + p0;
        float* image = s->Image;
        int i = 0;
        if (s->Vectorise && Avx2.IsSupported)
        {
            for (; i + 8 <= lanes; i += 8)
            {
                float* r0 = image + rows[i], r1 = image + rows[i + 1], r2 = image + rows[i + 2], r3 = image + rows[i + 3];
                float* r4 = image + rows[i + 4], r5 = image + rows[i + 5], r6 = image + rows[i + 6], r7 = image + rows[i + 7];
                float* d = dest + i;
                int p = 0;
                for (; p + 8 <= kc; p += 8, d += 8 * nr)
                {
                    int* q = pos + p;
                    if (Spaced(q) == 1)
                    {
                        // In one output row at stride 1: each row's 8 positions are contiguous.
                        int o = q[0];
                        GemmPacking.StoreTransposed(Avx.LoadVector256(r0 + o), Avx.LoadVector256(r1 + o), Avx.LoadVector256(r2 + o),
                            Avx.LoadVector256(r3 + o), Avx.LoadVector256(r4 + o), Avx.LoadVector256(r5 + o), Avx.LoadVector256(r6 + o),
                            Avx.LoadVector256(r7 + o), d, nr);
                    }
                    else if (TwoRuns(q) is var split and > 0)
                    {
                        // Across two output rows at stride 1: two loads, each right for its own lanes, blended.
                        int o = q[0], o2 = q[split] - split;
                        var second = Lanes(split);
                        GemmPacking.StoreTransposed(Join(r0, o, o2, second), Join(r1, o, o2, second), Join(r2, o, o2, second),
                            Join(r3, o, o2, second), Join(r4, o, o2, second), Join(r5, o, o2, second), Join(r6, o, o2, second),
                            Join(r7, o, o2, second), d, nr);
                    }
                    else
                    {
                        var index = Avx.LoadVector256(q);
                        GemmPacking.StoreTransposed(Avx2.GatherVector256(r0, index, 4), Avx2.GatherVector256(r1, index, 4),
                            Avx2.GatherVector256(r2, index, 4), Avx2.GatherVector256(r3, index, 4), Avx2.GatherVector256(r4, index, 4),
                            Avx2.GatherVector256(r5, index, 4), Avx2.GatherVector256(r6, index, 4), Avx2.GatherVector256(r7, index, 4), d, nr);
                    }
                }
                for (; p < kc; p++, d += nr)
                    for (int l = 0; l < 8; l++) d[l] = image[rows[i + l] + pos[p]];
            }
        }
        if (i < nr) PackTransposedScalar(image, rows, pos, kc, i, lanes, dest, nr);
    }

    /// <summary>The scalar twin of the colᵀ panel packing from lane <paramref name="from"/> on: dest[p·nr + i] =
    /// image[rows[i] + positions[p]] for from ≤ i &lt; lanes, 0 for lanes ≤ i &lt; nr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposedScalar(float* image, int* rows, int* positions, int kc, int from, int lanes, float* dest, int nr)
    {
        for (int p = 0; p < kc; p++, dest += nr)
        {
            int q = positions[p], i = from;
            for (; i < lanes; i++) dest[i] = image[rows[i] + q];
            for (; i < nr; i++) dest[i] = 0;
        }
    }
}
