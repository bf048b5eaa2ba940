// GemmPackedB: a B operand (typically a layer's weights) packed once (GemmPackedOperand), per K block the Nr-wide column
// panels of op(B), so a product with it skips the packing pass (MLAS pre-packs weights at session creation the same
// way). The product is bitwise the one of the unpacked operand: same kernel, same K blocks, same panels.
namespace Topiary.Tensors;

/// <summary>op(B) [k, n] packed for one GEMM tier.</summary>
internal sealed class GemmPackedB : GemmPackedOperand
{
    internal GemmPackedB(GemmTier tier, int k, int n, int nr, int kcBlock, float[] data) : base(tier, k, nr, kcBlock, data) => N = n;

    /// <summary>Columns of op(B).</summary>
    public int N { get; }

    /// <summary>Columns rounded up to whole panels: a K block of kc rows holds kc · PaddedN floats.</summary>
    internal int PaddedN => Padded(N);
}
