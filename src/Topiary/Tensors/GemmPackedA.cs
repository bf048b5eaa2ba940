// GemmPackedA: an A operand (a convolution's or layer's weights, [OC, K]) packed once, in the exact layout GemmDriver
// packs it into on every call — for each K block (the driver's blocking depends only on k), the Mr-tall row panels of
// op(A), zero-padded — so a product with it skips the per-call packing of A (a transposing copy: ~10 % of a batch-1
// ResNet-50 before this). Row blocks of any height start at a panel boundary, so the driver reads a row block's panels
// where they lie. The product is bitwise the one of the unpacked operand: same kernel, same K blocks, same panels.
// Pinned, so the driver reads it through a pointer. A snapshot: later changes to the source matrix are not seen.
namespace Topiary.Tensors;

/// <summary>op(A) [m, k] packed for one GEMM tier.</summary>
internal sealed class GemmPackedA
{
    private readonly float[] _data;

    internal GemmPackedA(GemmTier tier, int m, int k, int mr, int kcBlock, float[] data)
    {
        Tier = tier;
        M = m;
        K = k;
        Mr = mr;
        KcBlock = kcBlock;
        _data = data;
    }

    /// <summary>The tier (micro-kernel) the layout is for.</summary>
    public GemmTier Tier { get; }

    /// <summary>Rows of op(A).</summary>
    public int M { get; }

    /// <summary>Columns of op(A).</summary>
    public int K { get; }

    internal int Mr { get; }

    internal int KcBlock { get; }

    /// <summary>Rows rounded up to whole panels: a K block of kc columns holds kc · PaddedM floats.</summary>
    internal int PaddedM => (M + Mr - 1) / Mr * Mr;

    /// <summary>Bytes held.</summary>
    public long Bytes => 4L * _data.Length;

    internal float[] Data => _data;
}
