// ProfiledCostModel: what the cost models of the modelled platforms (CortexM4CycleModel, GpuRooflineModel) share —
// the HardwareProfile they model, whose name is the platform's and whose assumptions open the model's list, the
// model's own assumptions (its timings and formulas) following.
using Topiary.Runtime.Sparse;

namespace Topiary.Hardware;

/// <summary>A per-layer cost model of one modelled <see cref="HardwareProfile"/>.</summary>
/// <param name="profile">The platform modelled.</param>
public abstract class ProfiledCostModel(HardwareProfile profile) : ILayerCostModel
{
    /// <summary>The platform modelled.</summary>
    public HardwareProfile Profile { get; } = profile;

    /// <inheritdoc/>
    public string Platform => Profile.Name;

    /// <summary>The profile's assumptions, then the model's own.</summary>
    public IReadOnlyList<string> Assumptions => [.. Profile.Assumptions, .. ModelAssumptions];

    /// <summary>The model's own assumptions (timings, formulas), one sentence each.</summary>
    private protected abstract IEnumerable<string> ModelAssumptions { get; }

    /// <inheritdoc/>
    public abstract LayerCost Cost(LayerWorkload layer, SparseFormat format);
}
