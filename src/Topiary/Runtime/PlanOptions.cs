// PlanOptions: the knobs of InferencePlan.Compile (which layers go sparse).
namespace Topiary.Runtime;

/// <summary>Options for <see cref="InferencePlan.Compile"/>.</summary>
public sealed class PlanOptions
{
    /// <summary>A Linear (or Conv2d, with <see cref="SparseConv"/>) whose weight density is below this runs as CSR; default 0.35.
    /// 0 forces every layer dense; a value above 1 forces every layer sparse.</summary>
    public double SparseDensityThreshold { get; init; } = 0.35;

    /// <summary>When true (default), pruned convolutions run as CSR weights × im2col columns.</summary>
    public bool SparseConv { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static PlanOptions Default { get; } = new();
}
