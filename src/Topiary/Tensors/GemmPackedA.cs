// GemmPackedA: an A operand (a convolution's or layer's weights, [OC, K]) packed once (GemmPackedOperand), per K block
// the Mr-tall row panels of op(A), so a product with it skips the per-call packing of A (a transposing copy: ~10 % of a
// batch-1 ResNet-50 before this). Row blocks of any height start at a panel boundary, so the driver reads a row block's
// panels where they lie. The product is bitwise the one of the unpacked operand: same kernel, same K blocks, same panels.
namespace Topiary.Tensors;

/// <summary>op(A) [m, k] packed for one GEMM tier.</summary>
internal sealed class GemmPackedA : GemmPackedOperand
{
    internal GemmPackedA(GemmTier tier, int m, int k, int mr, int kcBlock, float[] data) : base(tier, k, mr, kcBlock, data) => M = m;

    /// <summary>Rows of op(A).</summary>
    public int M { get; }

    /// <summary>Rows rounded up to whole panels: a K block of kc columns holds kc · PaddedM floats.</summary>
    internal int PaddedM => Padded(M);
}
