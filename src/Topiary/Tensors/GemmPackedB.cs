// GemmPackedB: a B operand (typically a layer's weights) packed once, in the exact layout GemmDriver packs it into on
// every call — for each K block (the driver's blocking depends only on k), the Nr-wide column panels of op(B), zero-padded
// — so a product with it skips the packing pass (MLAS pre-packs weights at session creation the same way). The product
// is bitwise the one of the unpacked operand: same kernel, same K blocks, same panels. Pinned, so the driver reads it
// through a pointer. A snapshot: later changes to the source matrix are not seen.
namespace Topiary.Tensors;

/// <summary>op(B) [k, n] packed for one GEMM tier.</summary>
internal sealed class GemmPackedB
{
    private readonly float[] _data;

    internal GemmPackedB(GemmTier tier, int k, int n, int nr, int kcBlock, float[] data)
    {
        Tier = tier;
        K = k;
        N = n;
        Nr = nr;
        KcBlock = kcBlock;
        _data = data;
    }

    /// <summary>The tier (micro-kernel) the layout is for.</summary>
    public GemmTier Tier { get; }

    /// <summary>Rows of op(B).</summary>
    public int K { get; }

    /// <summary>Columns of op(B).</summary>
    public int N { get; }

    internal int Nr { get; }

    internal int KcBlock { get; }

    /// <summary>Columns rounded up to whole panels: a K block of kc rows holds kc · PaddedN floats.</summary>
    internal int PaddedN => (N + Nr - 1) / Nr * Nr;

    /// <summary>Bytes held.</summary>
    public long Bytes => 4L * _data.Length;

    internal float[] Data => _data;
}
