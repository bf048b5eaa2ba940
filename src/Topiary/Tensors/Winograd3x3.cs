// Winograd3x3: 3×3, stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, CVPR 2016):
// each 2×2 output tile costs 16 multiplies per (input, output) channel pair instead of 36.
//   weights  U = G g Gᵀ  (4×4 per (o, c)),  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//   input    V = Bᵀ d B  (4×4 per (c, tile)), d the tile's 4×4 input window (zero outside the image),
//            Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//   product  M_ξ = U_ξ · V_ξ  for the 16 positions ξ: GEMMs [OC, C] × [C, T] (T tiles)
//   output   Y = Aᵀ M A  (2×2 per (o, tile)),  Aᵀ = [1 1 1 0; 0 1 −1 −1]
// Layouts: U [16][OC][C], V [16][C][T], M [16][OC][T], tiles row-major (TY = ⌈OH/2⌉ rows of TX = ⌈OW/2⌉).
// The transforms run a tile row at a time on whole rows: the input rows are split into even and odd columns
// (tile tx reads columns 2tx..2tx+3 = even[tx], odd[tx], even[tx+1], odd[tx+1]), so every Bᵀ/Aᵀ combination is an
// element-wise vector operation over the TX tiles of the row. The 16 GEMMs run in parallel.
// Accuracy: F(2, 3)'s transforms use only ±1 and ½, so results differ from direct convolution by float rounding.
namespace Topiary.Tensors;

/// <summary>Winograd F(2×2, 3×3) convolution of one image (stride 1, no dilation, one group).</summary>
public static class Winograd3x3
{
    /// <summary>Floats of the transformed weights: 16·OC·C.</summary>
    public static long WeightLength(int outChannels, int inChannels) => 16L * outChannels * inChannels;

    /// <summary>Floats of the transformed input and of the product: 16·C·T and 16·OC·T (T = ⌈OH/2⌉·⌈OW/2⌉).</summary>
    public static (long Input, long Product) ScratchLengths(in Conv2dGeometry g, int outChannels)
    {
        long t = Tiles(g);
        return (16 * g.Channels * t, 16 * outChannels * t);
    }

    /// <summary>True for geometries this kernel computes: 3×3 kernel, stride 1, dilation 1.</summary>
    public static bool Supports(in Conv2dGeometry g) =>
        g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1;

    private static int Tiles(in Conv2dGeometry g) => ((g.OutH + 1) / 2) * ((g.OutW + 1) / 2);

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
    /// <param name="v">Scratch of <see cref="ScratchLengths"/>.Input floats.</param>
    /// <param name="m">Scratch of <see cref="ScratchLengths"/>.Product floats.</param>
    /// <param name="output">Receives [OC, OH, OW] at <paramref name="outputOffset"/>.</param>
    /// <param name="outputOffset">Where the output starts.</param>
    /// <param name="threads">Threads for the transforms and the 16 GEMMs.</param>
    /// <exception cref="ArgumentException">An unsupported geometry or an array too short.</exception>
    public static void Convolve(float[] input, int inputOffset, in Conv2dGeometry g, float[] u, int outChannels,
        float[] v, float[] m, float[] output, int outputOffset, int threads)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(output);
        if (!Supports(g))
            throw new ArgumentException($"Winograd F(2x2, 3x3) needs a 3x3 kernel, stride 1 and no dilation; got {g.KernelH}x{g.KernelW}, stride {g.StrideH}x{g.StrideW}.");
        int c = g.Channels, t = Tiles(g), oc = outChannels;
        var (vLength, mLength) = ScratchLengths(g, oc);
        if ((long)inputOffset + g.ImageSize > input.Length || u.Length < WeightLength(oc, c) || v.Length < vLength || m.Length < mLength
            || (long)outputOffset + (long)oc * g.OutH * g.OutW > output.Length)
            throw new ArgumentException("Winograd3x3.Convolve: an array is shorter than the geometry needs.");
        var geometry = g;
        Threading.For(0, c, threads, ch => TransformInput(input, inputOffset, geometry, ch, v));
        Threading.For(0, 16, threads, xi =>
            Gemm.Sgemm(GemmTiers.Best, 1, false, false, oc, t, c, 1f, u.AsSpan(xi * oc * c, oc * c), c,
                v.AsSpan(xi * c * t, c * t), t, 0f, m.AsSpan(xi * oc * t, oc * t), t));
        Threading.For(0, oc, threads, o => TransformOutput(m, geometry, o, oc, output, outputOffset));
    }

    [ThreadStatic] private static float[]? t_rows;

    private static float[] Rows(int length)
    {
        if (t_rows is null || t_rows.Length < length) t_rows = new float[length];
        return t_rows;
    }

    // V for channel ch, a tile row at a time.
    private static void TransformInput(float[] input, int inputOffset, in Conv2dGeometry g, int ch, float[] v)
    {
        int h = g.Height, w = g.Width, pt = g.PadTop, pl = g.PadLeft, c = g.Channels, t = Tiles(g);
        int tx = (g.OutW + 1) / 2, ty = (g.OutH + 1) / 2, half = tx + 1;
        // [0, 8·half): even and odd columns of the tile row's 4 input rows (tile tx reads padded columns 2tx..2tx+3 =
        // even[tx], odd[tx], even[tx+1], odd[tx+1]); [8·half, 16·half): the 4 row combinations, even and odd.
        float[] rows = Rows(16 * half);
        var plane = input.AsSpan(inputOffset + ch * h * w, h * w);
        for (int r = 0; r < ty; r++)
        {
            for (int k = 0; k < 4; k++)
            {
                var even = rows.AsSpan(2 * k * half, half);
                var odd = rows.AsSpan((2 * k + 1) * half, half);
                int ih = 2 * r - pt + k;
                if ((uint)ih >= (uint)h)
                {
                    even.Clear();
                    odd.Clear();
                    continue;
                }
                var src = plane.Slice(ih * w, w);
                for (int j = 0; j < half; j++)
                {
                    int c0 = 2 * j - pl, c1 = c0 + 1;
                    even[j] = (uint)c0 < (uint)w ? src[c0] : 0f;
                    odd[j] = (uint)c1 < (uint)w ? src[c1] : 0f;
                }
            }
            // Row combinations Bᵀ d: b0 = d0 − d2, b1 = d1 + d2, b2 = d2 − d1, b3 = d1 − d3 (even and odd halves).
            for (int parity = 0; parity < 2; parity++)
            {
                ReadOnlySpan<float> D(int k) => rows.AsSpan((2 * k + parity) * half, half);
                Span<float> B(int k) => rows.AsSpan((8 + 2 * k + parity) * half, half);
                TensorPrimitives.Subtract(D(0), D(2), B(0));
                TensorPrimitives.Add(D(1), D(2), B(1));
                TensorPrimitives.Subtract(D(2), D(1), B(2));
                TensorPrimitives.Subtract(D(1), D(3), B(3));
            }
            // Column combinations of each b_k: v0 = E[tx] − E[tx+1], v1 = O[tx] + E[tx+1], v2 = E[tx+1] − O[tx],
            // v3 = O[tx] − O[tx+1]; ξ = 4k + j.
            for (int k = 0; k < 4; k++)
            {
                ReadOnlySpan<float> even = rows.AsSpan((8 + 2 * k) * half, half), odd = rows.AsSpan((9 + 2 * k) * half, half);
                Span<float> V(int j) => v.AsSpan(((4 * k + j) * c + ch) * t + r * tx, tx);
                TensorPrimitives.Subtract(even[..tx], even.Slice(1, tx), V(0));
                TensorPrimitives.Add(odd[..tx], even.Slice(1, tx), V(1));
                TensorPrimitives.Subtract(even.Slice(1, tx), odd[..tx], V(2));
                TensorPrimitives.Subtract(odd[..tx], odd[1..(tx + 1)], V(3));
            }
        }
    }

    // Y = Aᵀ M A for output channel o, a tile row at a time, written into output rows 2r and 2r + 1.
    private static void TransformOutput(float[] m, in Conv2dGeometry g, int o, int oc, float[] output, int outputOffset)
    {
        int oh = g.OutH, ow = g.OutW, t = Tiles(g), tx = (ow + 1) / 2, ty = (oh + 1) / 2;
        float[] s = Rows(8 * tx + 4 * tx);
        for (int r = 0; r < ty; r++)
        {
            // Column combinations of each row k of M: s0_k = m_k0 + m_k1 + m_k2, s1_k = m_k1 − m_k2 − m_k3.
            for (int k = 0; k < 4; k++)
            {
                ReadOnlySpan<float> M(int j) => m.AsSpan(((4 * k + j) * oc + o) * t + r * tx, tx);
                var s0 = s.AsSpan(2 * k * tx, tx);
                var s1 = s.AsSpan((2 * k + 1) * tx, tx);
                TensorPrimitives.Add(M(0), M(1), s0);
                TensorPrimitives.Add(s0, M(2), s0);
                TensorPrimitives.Subtract(M(1), M(2), s1);
                TensorPrimitives.Subtract(s1, M(3), s1);
            }
            // Row combinations: output row 2r = s_0 + s_1 + s_2, row 2r + 1 = s_1 − s_2 − s_3; even columns from s0, odd from s1.
            int y0 = 2 * r;
            for (int parity = 0; parity < 2; parity++)
            {
                ReadOnlySpan<float> S(int k) => s.AsSpan((2 * k + parity) * tx, tx);
                var top = s.AsSpan(8 * tx, tx);
                TensorPrimitives.Add(S(0), S(1), top);
                TensorPrimitives.Add(top, S(2), top);
                var bottom = s.AsSpan(9 * tx, tx);
                TensorPrimitives.Subtract(S(1), S(2), bottom);
                TensorPrimitives.Subtract(bottom, S(3), bottom);
                var row0 = output.AsSpan(outputOffset + (o * oh + y0) * ow, ow);
                int n = (ow - parity + 1) / 2; // columns parity, parity + 2, ... below ow
                for (int j = 0; j < n; j++) row0[2 * j + parity] = top[j];
                if (y0 + 1 < oh)
                {
                    var row1 = output.AsSpan(outputOffset + (o * oh + y0 + 1) * ow, ow);
                    for (int j = 0; j < n; j++) row1[2 * j + parity] = bottom[j];
                }
            }
        }
    }
}
