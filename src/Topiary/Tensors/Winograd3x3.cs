// Winograd3x3: 3×3, stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, CVPR 2016):
// each 2×2 output tile costs 16 multiplies per (input, output) channel pair instead of 36.
//   weights  U = G g Gᵀ  (4×4 per (o, c)),  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//   input    V = Bᵀ d B  (4×4 per (c, tile)), d the tile's 4×4 input window (zero outside the image),
//            Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//   product  M_ξ = U_ξ · V_ξ  for the 16 positions ξ: GEMMs [OC, C] × [C, T] (T tiles)
//   output   Y = Aᵀ M A  (2×2 per (o, tile)),  Aᵀ = [1 1 1 0; 0 1 −1 −1]
// Layouts: U [16][OC][C], V [16][C][T], M [16][OC][T], tiles row-major (TY = ⌈OH/2⌉ rows of TX = ⌈OW/2⌉). The image is
// processed in blocks of whole tile rows (T = the block's tiles) whose V and M stay in about 4 MiB: blocks run in
// parallel, or, when there are fewer blocks than threads, the transforms and the 16 GEMMs of a block do.
// The transforms run a tile row at a time: the input rows are split into even and odd columns (Stride2; tile j reads
// columns 2j..2j+3 = even[j], odd[j], even[j+1], odd[j+1]), so 8 neighbouring tiles are transformed at once in
// Vector256 registers — all 16 values of each in one pass, no intermediate rows — with a scalar twin for the tail and
// for machines without vectors (the same operations in the same order). The 16 GEMMs run in parallel.
// Accuracy: F(2, 3)'s transforms use only ±1 and ½, so results differ from direct convolution by float rounding.
using System.Runtime.Intrinsics;

namespace Topiary.Tensors;

/// <summary>Winograd F(2×2, 3×3) convolution of one image (stride 1, no dilation, one group).</summary>
public static class Winograd3x3
{
    /// <summary>Floats of the transformed weights: 16·OC·C.</summary>
    public static long WeightLength(int outChannels, int inChannels) => 16L * outChannels * inChannels;

    /// <summary>True for geometries this kernel computes: 3×3 kernel, stride 1, dilation 1.</summary>
    public static bool Supports(in Conv2dGeometry g) =>
        g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1;


    /// <summary>U = G g Gᵀ for every (o, c): <paramref name="weights"/> [OC, C, 3, 3] → <paramref name="u"/> [16][OC][C].</summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void TransformWeights(ReadOnlySpan<float> weights, int outChannels, int inChannels, Span<float> u)
    {
        long pairs = (long)outChannels * inChannels;
        if (weights.Length < pairs * 9) throw new ArgumentException($"Weights have {weights.Length} values; [{outChannels}, {inChannels}, 3, 3] needs {pairs * 9}.");
        if (u.Length < 16 * pairs) throw new ArgumentException($"Transformed weights need {16 * pairs} values; got {u.Length}.");
        Span<float> t = stackalloc float[12];
        for (int p = 0; p < pairs; p++)
        {
            var g = weights.Slice(p * 9, 9);
            // t = G g (4×3), then U = t Gᵀ (4×4).
            for (int j = 0; j < 3; j++)
            {
                float g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                t[j] = g0;
                t[3 + j] = 0.5f * (g0 + g1 + g2);
                t[6 + j] = 0.5f * (g0 - g1 + g2);
                t[9 + j] = g2;
            }
            for (int i = 0; i < 4; i++)
            {
                float a = t[i * 3], b = t[i * 3 + 1], c = t[i * 3 + 2];
                u[(int)((i * 4 + 0) * pairs + p)] = a;
                u[(int)((i * 4 + 1) * pairs + p)] = 0.5f * (a + b + c);
                u[(int)((i * 4 + 2) * pairs + p)] = 0.5f * (a - b + c);
                u[(int)((i * 4 + 3) * pairs + p)] = c;
            }
        }
    }

    /// <summary>
    /// y = conv(image) for one image with transformed weights <paramref name="u"/>: the output [OC, OH, OW] at
    /// <paramref name="outputOffset"/> is overwritten (bias, residual and activation are the caller's).
    /// </summary>
    /// <param name="input">Holds the image [C, H, W] at <paramref name="inputOffset"/>.</param>
    /// <param name="inputOffset">Where the image starts.</param>
    /// <param name="g">The geometry (3×3, stride 1, dilation 1; any padding).</param>
    /// <param name="u">Transformed weights [16][OC][C] (<see cref="TransformWeights"/>).</param>
    /// <param name="outChannels">OC.</param>
    /// <param name="output">Receives [OC, OH, OW] at <paramref name="outputOffset"/>.</param>
    /// <param name="outputOffset">Where the output starts.</param>
    /// <param name="threads">Threads: blocks of tile rows in parallel, or within one block when there are too few.</param>
    /// <exception cref="ArgumentException">An unsupported geometry or an array too short.</exception>
    public static void Convolve(float[] input, int inputOffset, in Conv2dGeometry g, float[] u, int outChannels,
        float[] output, int outputOffset, int threads)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(output);
        if (!Supports(g))
            throw new ArgumentException($"Winograd F(2x2, 3x3) needs a 3x3 kernel, stride 1 and no dilation; got {g.KernelH}x{g.KernelW}, stride {g.StrideH}x{g.StrideW}.");
        int c = g.Channels, oc = outChannels, tx = (g.OutW + 1) / 2, ty = (g.OutH + 1) / 2;
        if ((long)inputOffset + g.ImageSize > input.Length || u.Length < WeightLength(oc, c)
            || (long)outputOffset + (long)oc * g.OutH * g.OutW > output.Length)
            throw new ArgumentException("Winograd3x3.Convolve: an array is shorter than the geometry needs.");
        // Blocks of whole tile rows whose transformed input and product (16·(C + OC) floats a tile) stay within about
        // 4 MiB (L2 + part of L3): only large images are cut (VGG's 224×224 layers: 50 MB each otherwise), since a
        // narrower block makes the 16 GEMMs narrower (measured: 128 channels at 28×28 in blocks of 56 tiles ran 1.3x
        // slower than whole); at least 256 tiles a block.
        int rowsPerBlock = Math.Min(ty, Math.Max(BlockFloats / (16 * (c + oc)) / tx, Math.Max(1, 256 / tx)));
        int blocks = (ty + rowsPerBlock - 1) / rowsPerBlock;
        var geometry = g;
        // Enough blocks: one thread each, in parallel. Too few: one after another, each using every thread inside.
        bool parallelBlocks = blocks >= threads;
        Threading.For(0, blocks, parallelBlocks ? threads : 1, b => Block(input, inputOffset, geometry, u, oc, output, outputOffset,
            b * rowsPerBlock, Math.Min(ty, (b + 1) * rowsPerBlock), parallelBlocks ? 1 : threads));
    }

    private const int BlockFloats = 1 << 20;

    [ThreadStatic] private static float[]? t_v;
    [ThreadStatic] private static float[]? t_m;

    // Tile rows [r0, r1): input transform, the 16 GEMMs, output transform, with this thread's block scratch.
    private static void Block(float[] input, int inputOffset, Conv2dGeometry g, float[] u, int oc, float[] output, int outputOffset,
        int r0, int r1, int threads)
    {
        int c = g.Channels, tx = (g.OutW + 1) / 2, bt = (r1 - r0) * tx;
        float[] v = ScratchArray.Grow(ref t_v, 16L * c * bt), m = ScratchArray.Grow(ref t_m, 16L * oc * bt);
        Threading.For(0, c, threads, ch => TransformInput(input, inputOffset, g, ch, v, r0, r1, bt));
        Threading.For(0, 16, threads, xi =>
            Gemm.Sgemm(GemmTiers.Best, 1, false, false, oc, bt, c, 1f, u.AsSpan(xi * oc * c, oc * c), c,
                v.AsSpan(xi * c * bt, c * bt), bt, 0f, m.AsSpan(xi * oc * bt, oc * bt), bt));
        Threading.For(0, oc, threads, o => TransformOutput(m, g, o, oc, output, outputOffset, r0, r1, bt));
    }

    [ThreadStatic] private static float[]? t_rows;

    private static float[] Rows(int length) => ScratchArray.Grow(ref t_rows, length);

    // V for channel ch over tile rows [r0, r1) (t: tiles of the block, the row stride of V), a tile row at a time.
    private static void TransformInput(float[] input, int inputOffset, in Conv2dGeometry g, int ch, float[] v, int r0, int r1, int t)
    {
        int h = g.Height, w = g.Width, pt = g.PadTop, pl = g.PadLeft, c = g.Channels;
        int tx = (g.OutW + 1) / 2, half = tx + 1;
        // Even and odd columns of the tile row's 4 input rows, from padded column −pl: tile j reads padded columns
        // 2j..2j+3 = even[j], odd[j], even[j+1], odd[j+1]. Layout: row k's even at 2k·half, odd at (2k + 1)·half.
        float[] rows = Rows(8 * half);
        var plane = input.AsSpan(inputOffset + ch * h * w, h * w);
        for (int r = r0; r < r1; r++)
        {
            for (int k = 0; k < 4; k++)
            {
                int ih = 2 * r - pt + k;
                var even = rows.AsSpan(2 * k * half, half);
                var odd = rows.AsSpan((2 * k + 1) * half, half);
                if ((uint)ih >= (uint)h)
                {
                    even.Clear();
                    odd.Clear();
                    continue;
                }
                var src = plane.Slice(ih * w, w);
                SplitRow(src, pl, 0, even);
                SplitRow(src, pl, 1, odd);
            }
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; j + 8 <= tx; j += 8) InputTiles8(rows, half, j, v, c, t, ch, (r - r0) * tx);
            for (; j < tx; j++) InputTile(rows, half, j, v, c, t, ch, (r - r0) * tx);
        }
    }

    // dst[j] = src[2j + parity − pl] where that column lies in the row, else 0 (the padding).
    private static void SplitRow(ReadOnlySpan<float> src, int pl, int parity, Span<float> dst)
    {
        int w = src.Length, offset = parity - pl;
        int j0 = offset >= 0 ? 0 : (-offset + 1) / 2;                   // first j with 2j + offset ≥ 0
        int j1 = Math.Min(dst.Length, w - offset <= 0 ? 0 : (w - 1 - offset) / 2 + 1); // past the last j with 2j + offset < w
        if (j1 <= j0)
        {
            dst.Clear();
            return;
        }
        dst[..j0].Clear();
        dst[j1..].Clear();
        Stride2.Gather(src[(2 * j0 + offset)..], dst[j0..j1]);
    }

    // Bᵀ d B for the 8 tiles j..j+7 of a tile row (the same operations, in the same order, as InputTile).
    private static void InputTiles8(float[] rows, int half, int j, float[] v, int c, int t, int ch, int tileOffset)
    {
        Vector256<float> E(int k, int shift) => Vector256.Create(rows.AsSpan(2 * k * half + j + shift, 8));
        Vector256<float> O(int k, int shift) => Vector256.Create(rows.AsSpan((2 * k + 1) * half + j + shift, 8));
        // Row combinations b = Bᵀ d at columns j (E, O) and j + 1 (En, On).
        var e0 = E(0, 0); var e1 = E(1, 0); var e2 = E(2, 0); var e3 = E(3, 0);
        var en0 = E(0, 1); var en1 = E(1, 1); var en2 = E(2, 1); var en3 = E(3, 1);
        var o0 = O(0, 0); var o1 = O(1, 0); var o2 = O(2, 0); var o3 = O(3, 0);
        var on0 = O(0, 1); var on1 = O(1, 1); var on2 = O(2, 1); var on3 = O(3, 1);
        Store8(e0 - e2, en0 - en2, o0 - o2, on0 - on2, v, 0, c, t, ch, tileOffset + j);
        Store8(e1 + e2, en1 + en2, o1 + o2, on1 + on2, v, 4, c, t, ch, tileOffset + j);
        Store8(e2 - e1, en2 - en1, o2 - o1, on2 - on1, v, 8, c, t, ch, tileOffset + j);
        Store8(e1 - e3, en1 - en3, o1 - o3, on1 - on3, v, 12, c, t, ch, tileOffset + j);
    }

    // Column combinations of one row combination: v0 = E − En, v1 = O + En, v2 = En − O, v3 = O − On.
    private static void Store8(Vector256<float> e, Vector256<float> en, Vector256<float> o, Vector256<float> on, float[] v, int xi0,
        int c, int t, int ch, int tile)
    {
        ref float v0 = ref v[0];
        (e - en).StoreUnsafe(ref v0, (nuint)(((xi0 + 0) * c + ch) * t + tile));
        (o + en).StoreUnsafe(ref v0, (nuint)(((xi0 + 1) * c + ch) * t + tile));
        (en - o).StoreUnsafe(ref v0, (nuint)(((xi0 + 2) * c + ch) * t + tile));
        (o - on).StoreUnsafe(ref v0, (nuint)(((xi0 + 3) * c + ch) * t + tile));
    }

    // Bᵀ d B for tile j (the scalar twin of InputTiles8, and its tail).
    private static void InputTile(float[] rows, int half, int j, float[] v, int c, int t, int ch, int tileOffset)
    {
        float E(int k, int shift) => rows[2 * k * half + j + shift];
        float O(int k, int shift) => rows[(2 * k + 1) * half + j + shift];
        Span<float> e = stackalloc float[4], en = stackalloc float[4], o = stackalloc float[4], on = stackalloc float[4];
        // b0 = d0 − d2, b1 = d1 + d2, b2 = d2 − d1, b3 = d1 − d3
        e[0] = E(0, 0) - E(2, 0); en[0] = E(0, 1) - E(2, 1); o[0] = O(0, 0) - O(2, 0); on[0] = O(0, 1) - O(2, 1);
        e[1] = E(1, 0) + E(2, 0); en[1] = E(1, 1) + E(2, 1); o[1] = O(1, 0) + O(2, 0); on[1] = O(1, 1) + O(2, 1);
        e[2] = E(2, 0) - E(1, 0); en[2] = E(2, 1) - E(1, 1); o[2] = O(2, 0) - O(1, 0); on[2] = O(2, 1) - O(1, 1);
        e[3] = E(1, 0) - E(3, 0); en[3] = E(1, 1) - E(3, 1); o[3] = O(1, 0) - O(3, 0); on[3] = O(1, 1) - O(3, 1);
        int tile = tileOffset + j;
        for (int k = 0; k < 4; k++)
        {
            v[((4 * k + 0) * c + ch) * t + tile] = e[k] - en[k];
            v[((4 * k + 1) * c + ch) * t + tile] = o[k] + en[k];
            v[((4 * k + 2) * c + ch) * t + tile] = en[k] - o[k];
            v[((4 * k + 3) * c + ch) * t + tile] = o[k] - on[k];
        }
    }

    // Y = Aᵀ M A for output channel o over tile rows [r0, r1) (t: tiles of the block), written into output rows 2r, 2r + 1.
    private static void TransformOutput(float[] m, in Conv2dGeometry g, int o, int oc, float[] output, int outputOffset, int r0, int r1, int t)
    {
        int oh = g.OutH, ow = g.OutW, tx = (ow + 1) / 2;
        // The 2×2 results of a tile row: [0, tx) top-left, [tx, 2tx) top-right, [2tx, 3tx) bottom-left, [3tx, 4tx) bottom-right.
        float[] s = Rows(4 * tx);
        for (int r = r0; r < r1; r++)
        {
            int j = 0, tile = (r - r0) * tx;
            if (Vector256.IsHardwareAccelerated)
                for (; j + 8 <= tx; j += 8) OutputTiles8(m, oc, o, t, tile + j, s, tx, j);
            for (; j < tx; j++) OutputTile(m, oc, o, t, tile + j, s, tx, j);
            int y0 = 2 * r;
            var row0 = output.AsSpan(outputOffset + (o * oh + y0) * ow, ow);
            for (int q = 0; q < ow; q++) row0[q] = s[(q & 1) * tx + (q >> 1)];
            if (y0 + 1 < oh)
            {
                var row1 = output.AsSpan(outputOffset + (o * oh + y0 + 1) * ow, ow);
                for (int q = 0; q < ow; q++) row1[q] = s[(2 + (q & 1)) * tx + (q >> 1)];
            }
        }
    }

    // Aᵀ M A for 8 tiles: s0_k = m_k0 + m_k1 + m_k2, s1_k = m_k1 − m_k2 − m_k3, then top = s_0 + s_1 + s_2 and
    // bottom = s_1 − s_2 − s_3 (even columns from s0, odd from s1) — as OutputTile, in the same order.
    private static void OutputTiles8(float[] m, int oc, int o, int t, int tile, float[] s, int tx, int j)
    {
        Vector256<float> M(int xi) => Vector256.Create(m.AsSpan((xi * oc + o) * t + tile, 8));
        var a0 = M(0) + M(1) + M(2); var b0 = M(1) - M(2) - M(3);
        var a1 = M(4) + M(5) + M(6); var b1 = M(5) - M(6) - M(7);
        var a2 = M(8) + M(9) + M(10); var b2 = M(9) - M(10) - M(11);
        var a3 = M(12) + M(13) + M(14); var b3 = M(13) - M(14) - M(15);
        ref float s0 = ref s[0];
        (a0 + a1 + a2).StoreUnsafe(ref s0, (nuint)j);
        (b0 + b1 + b2).StoreUnsafe(ref s0, (nuint)(tx + j));
        (a1 - a2 - a3).StoreUnsafe(ref s0, (nuint)(2 * tx + j));
        (b1 - b2 - b3).StoreUnsafe(ref s0, (nuint)(3 * tx + j));
    }

    // Aᵀ M A for one tile (the scalar twin of OutputTiles8, and its tail).
    private static void OutputTile(float[] m, int oc, int o, int t, int tile, float[] s, int tx, int j)
    {
        float M(int xi) => m[(xi * oc + o) * t + tile];
        float a0 = M(0) + M(1) + M(2), b0 = M(1) - M(2) - M(3);
        float a1 = M(4) + M(5) + M(6), b1 = M(5) - M(6) - M(7);
        float a2 = M(8) + M(9) + M(10), b2 = M(9) - M(10) - M(11);
        float a3 = M(12) + M(13) + M(14), b3 = M(13) - M(14) - M(15);
        s[j] = a0 + a1 + a2;
        s[tx + j] = b0 + b1 + b2;
        s[2 * tx + j] = a1 - a2 - a3;
        s[3 * tx + j] = b1 - b2 - b3;
    }
}
