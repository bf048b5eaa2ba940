// Im2ColPanels: a convolution's product W · im2col(image) with the image read as the GEMM's B operand directly
// (implicit im2col): the GEMM packs each B micro-panel — K rows (c, kh, kw) × Nr output positions — from the image
// itself (GemmBSource), so no column matrix is written and read back. That matrix is K/C times the image (9x for 3 × 3):
// ResNet-50's stride-2 3 × 3 layer at 56 × 56 spent a quarter of its time unfolding blocks of it whose 900 KB did not
// stay in L2 for the GEMM, which then copied them once more into its panels.
// The image is first copied into a zero-padded buffer [C, Hp, Wp] covering every window (skipped when no window leaves
// the image: an unpadded strided 1 × 1 layer), so no read needs a bounds test; then with one table of positions
// base[q] = oh·SH·Wp + ow·SW (q = oh·OW + ow) and one of rows off[r] = c·Hp·Wp + kh·DH·Wp + kw·DW, the value at
// column-matrix entry (r, q) is padded[off[r] + base[q]]. A panel row is Nr such values, taken 8 at a time: one
// contiguous load when the 8 positions lie in one output row at stride 1, two loads blended when they straddle two
// output rows at stride 1, every other float of a contiguous run at stride 2 (two floats read as one 64-bit lane and
// narrowed to the first; 16 at a time with AVX-512, one two-register permute of 32 floats), two such runs blended when
// they straddle two output rows at stride 2, else an AVX2 gather (vgatherdps) (a 7 × 7 stride-2 stem 1.06x, ResNet-50's
// stride-2 3 × 3 layer 1.06x against the 8-lane narrowing and the gather, in one process on an Ice Lake core); a 16-column panel (AVX2's) whose two groups are both
// stride-1 runs (one load or two blended) fills both in one pass over its rows. These are copies, so the product is
// bitwise the one of the unfolded matrix (the tests compare them); the scalar loop is the twin. The tables stay while
// the geometry, the sample count and their span repeat (a layer's blocks). Im2ColPanels.Transposed.cs: the product with im2col's transpose.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Topiary.Tensors;

/// <summary>The product W · im2col(image) with im2col read by the GEMM's packing (oracle: <see cref="Im2Col.Unfold"/> then the GEMM).</summary>
internal static unsafe partial class Im2ColPanels
{
    [ThreadStatic] private static float[]? t_padded;
    [ThreadStatic] private static int[]? t_positions, t_rows;
    [ThreadStatic] private static (Conv2dGeometry Geometry, int Samples, int SampleSpan) t_tables; // what the tables hold

    // What the packing function reads (pinned by Multiply for the GEMM call).
    private struct State
    {
        public float* Image;      // the padded image (or the image itself)
        public long Readable;     // floats readable from Image (the stride-2 path reads one past its last value)
        public int* Positions;    // base[q] per output position
        public int* Rows;         // off[r] per column-matrix row
        public bool Vectorise;
    }

    /// <summary>
    /// C[m, q] = clamp(init + Σ_r W[m, r] · im2col(image)[r, q]) for the output positions q of <paramref name="g"/>, with
    /// column-matrix rows [<paramref name="row0"/>, <paramref name="row0"/> + W.K) (a group's rows), the image
    /// [C, H, W] at <paramref name="images"/>[<paramref name="offset"/>..]; with <paramref name="samples"/> &gt; 1, that
    /// many images <paramref name="imageStride"/> apart, their positions side by side (C has samples · OH·OW columns, as
    /// a batch's column matrices laid side by side). The epilogue as <see cref="Gemm"/>'s packed-A overload applies it.
    /// <paramref name="vectorise"/> false: the scalar twin packs.
    /// </summary>
    /// <exception cref="ArgumentException">The images or C are too short, the rows fall outside the geometry's, samples or threads &lt; 1, or the image stride is smaller than an image.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int threads, GemmPackedA w, float[] images, int offset, in Conv2dGeometry g, int row0, Span<float> c, int ldc,
        GemmEpilogue epilogue, bool vectorise = true, int samples = 1, int imageStride = 0)
    {
        ArgumentNullException.ThrowIfNull(w);
        CheckRows(g, row0, w.K);
        var layout = Prepare(threads, images, offset, g, samples, imageStride);
        fixed (float* img = images, pad = layout.Padded)
        fixed (int* pos = layout.Positions, off = layout.Rows)
        {
            var state = layout.State(img + offset, pad, pos, off + row0, vectorise);
            Gemm.Sgemm(threads, w, samples * g.ColumnCols, 1f, new GemmBSource(&Pack, &state), 0f, c, ldc, epilogue);
        }
    }

    private static void CheckRows(in Conv2dGeometry g, int row0, int count)
    {
        if (row0 < 0 || row0 + count > g.ColumnRows)
            throw new ArgumentException($"Column rows [{row0}, {row0 + count}) fall outside the geometry's {g.ColumnRows}.");
    }

    // What both products read: the tables of positions and rows, and the zero-padded copy of the images (null when no
    // window leaves them, the images then read in place).
    private readonly struct Layout(float[]? padded, long readable, int[] positions, int[] rows)
    {
        public float[]? Padded { get; } = padded;
        public int[] Positions { get; } = positions;
        public int[] Rows { get; } = rows;

        // image: the first image in place; pad: the pinned padded copy; rows: the table from the product's first row.
        public State State(float* image, float* pad, int* positions, int* rows, bool vectorise) => new()
        {
            Image = Padded is null ? image : pad, Readable = readable, Positions = positions, Rows = rows, Vectorise = vectorise,
        };
    }

    // Validates the images, fills the tables and pads the images (on `threads` threads) for a product over `samples` of them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Layout Prepare(int threads, float[] images, int offset, in Conv2dGeometry g, int samples, int imageStride)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (threads < 1) throw new ArgumentException($"GEMM thread count must be at least 1 (was {threads}).", nameof(threads));
        if (samples < 1) throw new ArgumentException($"At least one image is needed (was {samples}).", nameof(samples));
        if (samples == 1) imageStride = g.ImageSize;
        if (imageStride < g.ImageSize) throw new ArgumentException($"Image stride {imageStride} is smaller than an image ({g.ImageSize}).", nameof(imageStride));
        long end = offset + (samples - 1L) * imageStride + g.ImageSize;
        if (offset < 0 || end > images.Length)
            throw new ArgumentException($"{samples} image(s) of {g.ImageSize} elements from offset {offset}, {imageStride} apart, do not fit an array of {images.Length}.");
        int h = g.Height, wi = g.Width, p = g.ColumnCols;
        // Padded extent: every window's last row/column (windows may hang over the bottom/right in ceil mode).
        int hp = Math.Max(g.PadTop + h, (g.OutH - 1) * g.StrideH + (g.KernelH - 1) * g.DilationH + 1);
        int wp = Math.Max(g.PadLeft + wi, (g.OutW - 1) * g.StrideW + (g.KernelW - 1) * g.DilationW + 1);
        bool pads = g.PadTop > 0 || g.PadLeft > 0 || hp > h || wp > wi;
        if (!pads) (hp, wp) = (h, wi);
        int sampleSpan = pads ? checked(g.Channels * hp * wp) : imageStride;
        // The tables depend on the geometry, the samples and their span only: a layer's blocks reuse them.
        if (t_tables != (g, samples, sampleSpan))
        {
            t_tables = default;
            int[] table = Table(ref t_positions, checked(samples * p + 1));
            for (int q = 0; q < p; q++) table[q] = q / g.OutW * g.StrideH * wp + q % g.OutW * g.StrideW;
            for (int i = 1; i < samples; i++)
                for (int q = 0; q < p; q++) table[i * p + q] = checked(table[q] + i * sampleSpan);
            table = Table(ref t_rows, g.ColumnRows);
            int taps = g.KernelH * g.KernelW;
            for (int r = 0; r < g.ColumnRows; r++)
            {
                int ch = r / taps, kh = r % taps / g.KernelW, kw = r % g.KernelW;
                table[r] = ch * hp * wp + kh * g.DilationH * wp + kw * g.DilationW;
            }
            t_tables = (g, samples, sampleSpan);
        }
        int[] positions = t_positions!, rows = t_rows!;
        float[]? padded = null;
        if (pads)
        {
            padded = ScratchArray.Grow(ref t_padded, (long)samples * sampleSpan + 1);
            padded[samples * sampleSpan] = 0;
            int channels = g.Channels, items = samples * channels;
            if (threads == 1)
                for (int i = 0; i < samples; i++) Pad(images.AsSpan(offset + i * imageStride, g.ImageSize), g, hp, wp, padded.AsSpan(i * sampleSpan), 0, channels);
            else
            {
                // The GEMM will run on every thread: so does the copy (a 128 × 56 × 56 image is a fifth of its time at 2 threads).
                var (target, geometry) = (padded, g);
                Threading.For(0, threads, threads, t =>
                {
                    for (int item = items * t / threads; item < items * (t + 1) / threads; item++)
                    {
                        int i = item / channels, ch = item % channels;
                        Pad(images.AsSpan(offset + i * imageStride, geometry.ImageSize), geometry, hp, wp, target.AsSpan(i * sampleSpan), ch, ch + 1);
                    }
                });
            }
        }
        return new Layout(padded, pads ? padded!.Length : images.Length - offset, positions, rows);
    }

    private static int[] Table(ref int[]? table, int length) =>
        table is { } t && t.Length >= length ? t : table = new int[length];

    // Channels [c0, c1) of the image in the zero-padded [C, Hp, Wp] buffer, borders cleared. Rows are short (28 floats
    // in a ResNet on MNIST): copied and cleared inline, not by a Memmove and a Clear call per row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pad(ReadOnlySpan<float> image, in Conv2dGeometry g, int hp, int wp, Span<float> all, int c0, int c1)
    {
        int h = g.Height, w = g.Width, plane = hp * wp, top = g.PadTop, left = g.PadLeft;
        if (image.Length < (long)c1 * h * w || all.Length < (long)c1 * plane || top + h > hp || left + w > wp)
            throw new ArgumentException($"Padding channels [{c0}, {c1}) of {h} × {w} into {hp} × {wp}: a buffer is too short.");
        ref float src0 = ref MemoryMarshal.GetReference(image);
        for (int c = c0; c < c1; c++)
        {
            ref float dst = ref Unsafe.Add(ref MemoryMarshal.GetReference(all), (nint)c * plane);
            Im2Col.Clear(ref dst, top * wp + left);
            for (int y = 0; y < h; y++)
            {
                int at = (top + y) * wp + left;
                Im2Col.CopyRow(ref Unsafe.Add(ref src0, ((nint)c * h + y) * w), ref Unsafe.Add(ref dst, at), w);
                // The right border of this row and the left border of the next (contiguous).
                int end = y + 1 < h ? at + wp : (top + h) * wp;
                Im2Col.Clear(ref Unsafe.Add(ref dst, at + w), Math.Min(end, plane) - (at + w));
            }
            Im2Col.Clear(ref Unsafe.Add(ref dst, (top + h) * wp), plane - (top + h) * wp);
        }
    }

    // One B micro-panel: dest[p·nr + i] = image[rows[p0 + p] + positions[j + i]] for i < lanes, 0 up to nr. A full panel
    // goes 8 columns at a time, each run of 8 by the cheapest read its positions allow, for all kc rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pack(void* state, int p0, int kc, int j, int lanes, float* dest, int nr)
    {
        var s = (State*)state;
        int* rows = s->Rows + p0, pos = s->Positions + j;
        float* image = s->Image;
        if (lanes < nr || !s->Vectorise || nr % 8 != 0 || !Vector256.IsHardwareAccelerated)
        {
            PackScalar(image, rows, pos, kc, lanes, dest, nr);
            return;
        }
        if (nr == 16 && PackRuns16(image, rows, pos, kc, dest)) return;
        for (int i = 0; i < nr; i += 8, pos += 8)
        {
            // Positions 1 or 2 apart throughout (a span of 14 alone may hide a row boundary: a 1 × 8 kernel's rows).
            int step = Spaced(pos);
            float* d = dest + i;
            if (step == 2 && i + 16 <= nr && Avx512F.IsSupported && Spaced(pos + 8) == 2 && pos[8] - pos[7] == 2
                && rows[kc - 1] + pos[15] + 1 < s->Readable)
            {
                // 16 positions in one output row at stride 2 (AVX-512): the even floats of 32, one two-register permute.
                var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                for (int p = 0; p < kc; p++, d += nr)
                {
                    float* src = image + rows[p] + pos[0];
                    Avx512F.PermuteVar16x32x2(Vector512.Load(src), evens, Vector512.Load(src + 16)).Store(d);
                }
                i += 8;
                pos += 8;
            }
            else if (step == 1)
            {
                // In one output row at stride 1: contiguous.
                for (int p = 0; p < kc; p++, d += nr) Vector256.Store(Vector256.Load(image + rows[p] + pos[0]), d);
            }
            else if (step == 2 && rows[kc - 1] + pos[7] + 1 < s->Readable)
            {
                // In one output row at stride 2: the first float of each pair.
                for (int p = 0; p < kc; p++, d += nr) Evens(image + rows[p] + pos[0]).Store(d);
            }
            else if (TwoRuns(pos, 2) is var split2 and > 0 && rows[kc - 1] + Math.Max(pos[0], pos[split2] - 2 * split2) + 15 < s->Readable)
            {
                // Across two output rows at stride 2: the first float of each pair from two runs, blended (not gathered).
                int o = pos[0], o2 = pos[split2] - 2 * split2;
                var second = Lanes(split2);
                for (int p = 0; p < kc; p++, d += nr)
                {
                    float* src = image + rows[p];
                    Vector256.ConditionalSelect(second, Evens(src + o2), Evens(src + o)).Store(d);
                }
            }
            else if (TwoRuns(pos) is var split and > 0)
            {
                // Across two output rows at stride 1: two loads, each right for its own lanes, blended.
                int o = pos[0], o2 = pos[split] - split;
                var second = Lanes(split);
                for (int p = 0; p < kc; p++, d += nr) Join(image + rows[p], o, o2, second).Store(d);
            }
            else if (Avx2.IsSupported)
            {
                var index = Avx.LoadVector256(pos);
                for (int p = 0; p < kc; p++, d += nr) Avx.Store(d, Avx2.GatherVector256(image + rows[p], index, 4));
            }
            else
            {
                for (int p = 0; p < kc; p++, d += nr)
                    for (int l = 0; l < 8; l++) d[l] = image[rows[p] + pos[l]];
            }
        }
    }

    // A 16-column panel whose two 8-column groups each lie in one output row or straddle two at stride 1 (the common
    // case of stride-1 layers): both groups in one pass over the rows, each a load or two loads blended; false (nothing
    // written) for any other panel. On AVX2 this pass is 1.13x faster for ResNet-20's 16-channel 28 × 28 layers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool PackRuns16(float* image, int* rows, int* pos, int kc, float* dest)
    {
        int split0 = Spaced(pos) == 1 ? 8 : TwoRuns(pos), split1 = Spaced(pos + 8) == 1 ? 8 : TwoRuns(pos + 8);
        if (split0 == 0 || split1 == 0) return false;
        int a0 = pos[0], a1 = pos[8];
        if (split0 == 8 && split1 == 8)
        {
            for (int p = 0; p < kc; p++, dest += 16)
            {
                float* src = image + rows[p];
                Vector256.Store(Vector256.Load(src + a0), dest);
                Vector256.Store(Vector256.Load(src + a1), dest + 8);
            }
            return true;
        }
        // A group in one run is a blend whose second load is its first (split 8: no lane takes the second).
        int b0 = split0 == 8 ? a0 : pos[split0] - split0, b1 = split1 == 8 ? a1 : pos[8 + split1] - split1;
        Vector256<float> m0 = Lanes(split0), m1 = Lanes(split1);
        for (int p = 0; p < kc; p++, dest += 16)
        {
            float* src = image + rows[p];
            Join(src, a0, b0, m0).Store(dest);
            Join(src, a1, b1, m1).Store(dest + 8);
        }
        return true;
    }

    // The common distance of 8 consecutive positions, or 0 when they are not evenly spaced.
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Spaced(int* pos)
    {
        int step = pos[1] - pos[0];
        for (int l = 2; l < 8; l++)
            if (pos[l] - pos[l - 1] != step) return 0;
        return step;
    }

    // Where 8 consecutive positions are two runs `step` floats apart (an output row ending inside them): the first
    // position of the second run, else 0. The second run's load starts `step`·`split` floats before it, so its position
    // must be at least that (the load stays inside the image); at stride 1 the first run's load ends before the last
    // position (at stride 2 the caller checks both loads' reach).
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static int TwoRuns(int* pos, int step = 1)
    {
        int split = 0;
        for (int l = 1; l < 8; l++)
        {
            if (pos[l] - pos[l - 1] == step) continue;
            if (split != 0) return 0;
            split = l;
        }
        return split != 0 && pos[split] >= step * split ? split : 0;
    }

    // The first float of each of 8 pairs from src: src[0], src[2], …, src[14] (reads 16 floats).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Evens(float* src) =>
        Vector256.Narrow(Vector256.Load((ulong*)src), Vector256.Load((ulong*)src + 4)).AsSingle();

    // All-ones in lanes ≥ split: where the second run's load is right.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lanes(int split) =>
        Vector256.GreaterThanOrEqual(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(split)).AsSingle();

    // src[o + l] in the lanes of the first run, src[o2 + l] in those of the second (`second` set).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Join(float* src, int o, int o2, Vector256<float> second) =>
        Vector256.ConditionalSelect(second, Vector256.Load(src + o2), Vector256.Load(src + o));

    /// <summary>The scalar twin of the panel packing: dest[p·nr + i] = image[rows[p] + positions[i]] (i &lt; lanes), 0 up to nr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackScalar(float* image, int* rows, int* positions, int kc, int lanes, float* dest, int nr)
    {
        for (int p = 0; p < kc; p++, dest += nr)
        {
            float* src = image + rows[p];
            int i = 0;
            for (; i < lanes; i++) dest[i] = src[positions[i]];
            for (; i < nr; i++) dest[i] = 0;
        }
    }
}
