// IMaskPruner: the mask-level half of the pruning-method contract (torch.nn.utils.prune's compute_mask): from the
// layer's current weights and its previous mask, the new mask that a target asks for — masks only remove. Schedules
// (one-shot, iterative prune/retrain, AGP) drive any IMaskPruner; magnitude at every granularity and random pruning
// are IMaskPruners (ScoredPruner turns group scores into masks for both).
using Topiary.Tensors;

namespace Topiary.Pruning.Methods;

/// <summary>Computes pruning masks for weight layers.</summary>
public interface IMaskPruner
{
    /// <summary>A stable name of the pruner and its settings (e.g. <c>element/L1</c>); checkpoints record it.</summary>
    string Name { get; }

    /// <summary>The mask <paramref name="target"/> asks for, intersected with the layer's current mask.</summary>
    /// <exception cref="ArgumentException">A target this pruner does not take.</exception>
    Tensor ComputeMask(PrunableLayer layer, PruningTarget target);

    /// <summary>Computes and installs the mask on the layer's weight (masked values become 0).</summary>
    void Apply(PrunableLayer layer, PruningTarget target);

    /// <summary>One threshold across <paramref name="layers"/> removing the fraction <paramref name="sparsity"/> of their weights.</summary>
    void ApplyGlobal(IReadOnlyList<PrunableLayer> layers, double sparsity);
}
