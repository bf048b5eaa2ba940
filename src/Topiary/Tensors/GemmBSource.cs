// GemmBSource: a B operand the GEMM driver packs from something other than a matrix in memory, through a function that
// writes one micro-panel exactly as GemmPacking.PackBPanel would from the matrix it stands for: rows [p0, p0 + kc),
// columns [j, j + lanes) (lanes ≤ nr), zero-padded to nr columns, row p at dest + p·nr. A convolution's image read as
// its im2col column matrix (Im2ColPanels) is one: the panels are gathered from the image where the GEMM needs them, so
// no column matrix is written and read back.
namespace Topiary.Tensors;

/// <summary>A B operand packed panel by panel by <see cref="Pack"/>(<see cref="State"/>, p0, kc, j, lanes, dest, nr);
/// the state must stay valid (pinned) for the GEMM call. The default value is no source.</summary>
internal readonly unsafe struct GemmBSource(delegate*<void*, int, int, int, int, float*, int, void> pack, void* state)
{
    public readonly delegate*<void*, int, int, int, int, float*, int, void> Pack = pack;
    public readonly void* State = state;

    /// <summary>True when this is a source (not the default value).</summary>
    public bool IsSet => Pack != null;
}
