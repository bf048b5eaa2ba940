// GemmPackedOperand: what GemmPackedA and GemmPackedB share — an operand packed once, in the exact layout GemmDriver
// packs it into on every call (per K block, panels of the micro-kernel's width, zero-padded), for one tier. Pinned, so
// the driver reads it through a pointer. A snapshot: later changes to the source matrix are not seen.
namespace Topiary.Tensors;

/// <summary>A GEMM operand packed once for one tier's micro-kernel.</summary>
internal abstract class GemmPackedOperand(GemmTier tier, int k, int panelWidth, int kcBlock, float[] data)
{
    /// <summary>The tier (micro-kernel) the layout is for.</summary>
    public GemmTier Tier { get; } = tier;

    /// <summary>The shared (inner) dimension of the product.</summary>
    public int K { get; } = k;

    /// <summary>Bytes held.</summary>
    public long Bytes => 4L * Data.Length;

    /// <summary>Lanes per panel (the kernel's Mr for A, Nr for B).</summary>
    internal int PanelWidth { get; } = panelWidth;

    /// <summary>Depth of one K block (the driver's Kc).</summary>
    internal int KcBlock { get; } = kcBlock;

    /// <summary>The packed panels, block after block.</summary>
    internal float[] Data { get; } = data;

    /// <summary><paramref name="length"/> rounded up to whole panels.</summary>
    private protected int Padded(int length) => (length + PanelWidth - 1) / PanelWidth * PanelWidth;
}
