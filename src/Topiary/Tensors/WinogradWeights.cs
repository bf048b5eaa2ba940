// WinogradWeights: a 3×3 kernel's Winograd-domain weights U = G g Gᵀ, packed once as the B operands of the α² GEMMs
// (α = m + 2 for output tiles of m×m): for every position ξ of the α×α tile, op(B_ξ) = U_ξᵀ [C × OC] in the GEMM
// micro-kernel's panel layout (GemmPackedB), so each product M_ξ [tiles × OC] = V_ξ [tiles × C] · U_ξᵀ runs with the
// output channels as the GEMM's wide side and never repacks the weights.
//   F(2×2, 3×3): G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]                                  (16 positions, 16/9 of the weights)
//   F(4×4, 3×3): G = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1]   (36 positions, 4x the weights)
// (Lavin & Gray, CVPR 2016, interpolation points 0, ±1, ±2, ∞). U is computed in double and rounded once.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Transformed, GEMM-packed weights of one 3×3 convolution for Winograd F(m×m, 3×3), m = 2 or 4.</summary>
internal sealed class WinogradWeights
{
    private static readonly double[,] G2 = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } };

    private static readonly double[,] G4 =
    {
        { 1.0 / 4, 0, 0 }, { -1.0 / 6, -1.0 / 6, -1.0 / 6 }, { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 }, { 1.0 / 24, -1.0 / 12, 1.0 / 6 }, { 0, 0, 1 },
    };

    private WinogradWeights(int tileSize, int outChannels, int inChannels, GemmPackedB[] packed)
    {
        TileSize = tileSize;
        OutChannels = outChannels;
        InChannels = inChannels;
        Packed = packed;
    }

    /// <summary>Output tile side m (2 or 4).</summary>
    public int TileSize { get; }

    /// <summary>Input tile side α = m + 2.</summary>
    public int Alpha => TileSize + 2;

    /// <summary>OC.</summary>
    public int OutChannels { get; }

    /// <summary>C.</summary>
    public int InChannels { get; }

    /// <summary>op(B_ξ) = U_ξᵀ [C × OC] for ξ = 0 .. α²−1 (row-major over the α×α tile).</summary>
    public GemmPackedB[] Packed { get; }

    /// <summary>Bytes held.</summary>
    public long Bytes => Packed.Sum(p => p.Bytes);

    /// <summary>Transforms and packs <paramref name="weights"/> [OC, C, 3, 3] for F(m×m, 3×3).</summary>
    /// <exception cref="ArgumentException">A tile size other than 2 or 4, or too few weights.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static WinogradWeights Create(ReadOnlySpan<float> weights, int outChannels, int inChannels, int tileSize, GemmTier? tier = null)
    {
        if (tileSize is not (2 or 4)) throw new ArgumentException($"Winograd tile size must be 2 or 4; got {tileSize}.", nameof(tileSize));
        long pairs = (long)outChannels * inChannels;
        if (weights.Length < pairs * 9) throw new ArgumentException($"Weights have {weights.Length} values; [{outChannels}, {inChannels}, 3, 3] needs {pairs * 9}.");
        var u = Transform(weights, (int)pairs, tileSize);
        int a2 = (tileSize + 2) * (tileSize + 2);
        var packed = new GemmPackedB[a2];
        for (int xi = 0; xi < a2; xi++)
            packed[xi] = Gemm.PackB(true, outChannels, inChannels, u.AsSpan((int)(xi * pairs), (int)pairs), inChannels, tier);
        return new WinogradWeights(tileSize, outChannels, inChannels, packed);
    }

    /// <summary>U [α²][OC][C] (U_ξ[o, c] = (G g_oc Gᵀ)_ξ) for the <paramref name="pairs"/> = OC·C kernels of <paramref name="weights"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float[] Transform(ReadOnlySpan<float> weights, int pairs, int tileSize)
    {
        var gm = tileSize == 2 ? G2 : G4;
        int alpha = tileSize + 2;
        var u = new float[alpha * alpha * pairs];
        var t = new double[alpha, 3];
        for (int p = 0; p < pairs; p++)
        {
            var g = weights.Slice(p * 9, 9);
            // t = G g (α×3), then U = t Gᵀ (α×α).
            for (int i = 0; i < alpha; i++)
                for (int j = 0; j < 3; j++)
                    t[i, j] = gm[i, 0] * g[j] + gm[i, 1] * g[3 + j] + gm[i, 2] * g[6 + j];
            for (int i = 0; i < alpha; i++)
                for (int k = 0; k < alpha; k++)
                    u[(i * alpha + k) * pairs + p] = (float)(t[i, 0] * gm[k, 0] + t[i, 1] * gm[k, 1] + t[i, 2] * gm[k, 2]);
        }
        return u;
    }
}
