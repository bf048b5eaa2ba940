// ScalpelPruning: applies Scalpel's per-layer choice (ScalpelSelection) to a trained model —
//   1. node pruning (NodePruning) on the layers marked NodePruning: gates, rising penalty, frozen-mask retrain,
//      then the blocked units are removed physically (the model shrinks in place);
//   2. SIMD-aware weight pruning on the layers marked SimdAware: IterativePruning with aligned groups of the chosen
//      width (SimdGroupGranularity), RMS score, the schedule's per-layer targets (layers without a target are left).
// Node pruning runs first so that the weight schedule sees the final (smaller) shapes; both are deterministic for a
// seed, so re-running after an interruption reproduces the shrunk model and the weight schedule can resume from its
// checkpoint.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Pruning.Node;
using Topiary.Training;

namespace Topiary.Pruning.Scalpel;

/// <summary>What a Scalpel pruning run did.</summary>
/// <param name="Choices">The technique per layer.</param>
/// <param name="Node">The node-pruning result, when any layer was node-pruned.</param>
/// <param name="Weights">The SIMD-aware weight-pruning schedule, when any layer was weight-pruned.</param>
public sealed record ScalpelPruningResult(IReadOnlyList<ScalpelLayerChoice> Choices, NodePruningResult? Node, IterativePruningResult? Weights);

/// <summary>Runs Scalpel's node and SIMD-aware pruning as chosen per layer.</summary>
public static class ScalpelPruning
{
    /// <summary>Prunes <paramref name="model"/> in place as <paramref name="choices"/> say.</summary>
    /// <param name="model">A trained Sequential model.</param>
    /// <param name="recipe">Its training recipe (retraining uses it).</param>
    /// <param name="train">Training data.</param>
    /// <param name="test">Test data.</param>
    /// <param name="choices">Per-layer techniques (ScalpelSelection.Choose).</param>
    /// <param name="weightSchedule">Schedule of the SIMD-aware stage; its targets name the layers to prune (only SimdAware layers are used) and its pruner is replaced.</param>
    /// <param name="node">Node-pruning settings; its layer list is replaced by the NodePruning choices.</param>
    /// <param name="progress">Training progress of both stages.</param>
    /// <param name="messages">Stage messages.</param>
    /// <param name="cancellationToken">Cancels between batches.</param>
    /// <exception cref="ArgumentException">SIMD-aware layers with different group widths, or a choice naming an unknown layer.</exception>
    public static ScalpelPruningResult Run(Module model, TrainingRecipe recipe, ImageDataset train, ImageDataset test,
        IReadOnlyList<ScalpelLayerChoice> choices, IterativePruningOptions weightSchedule, NodePruningOptions node,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(choices);
        ArgumentNullException.ThrowIfNull(weightSchedule);
        ArgumentNullException.ThrowIfNull(node);
        var layers = PrunableLayer.Find(model);
        foreach (var c in choices) PrunableLayer.ByName(layers, c.Layer);
        var simd = choices.Where(c => c.Technique == ScalpelTechnique.SimdAware).ToArray();
        if (simd.Select(c => c.GroupWidth).Distinct().Count() > 1)
            throw new ArgumentException($"SIMD-aware layers must share one group width; got {string.Join(", ", simd.Select(c => $"{c.Layer}={c.GroupWidth}"))}.", nameof(choices));

        NodePruningResult? nodeResult = null;
        var nodeLayers = choices.Where(c => c.Technique == ScalpelTechnique.NodePruning).Select(c => c.Layer).ToArray();
        if (nodeLayers.Length > 0)
        {
            messages?.Report($"node pruning {string.Join(", ", nodeLayers)}");
            nodeResult = NodePruning.Run(model, recipe, train, test, node with { Layers = nodeLayers },
                progress is null ? null : new NodeProgress(progress), cancellationToken);
        }

        IterativePruningResult? weights = null;
        var targets = simd.Where(c => weightSchedule.Targets.ContainsKey(c.Layer))
            .ToDictionary(c => c.Layer, c => weightSchedule.Targets[c.Layer], StringComparer.Ordinal);
        if (targets.Count > 0)
        {
            int width = simd[0].GroupWidth;
            messages?.Report($"SIMD-aware pruning (aligned groups of {width}, RMS) on {string.Join(", ", targets.Keys)}");
            weights = IterativePruning.Run(model, recipe, train, test, weightSchedule with
            {
                Targets = targets,
                GlobalSparsity = null,
                Pruner = new MagnitudePruner(new SimdGroupGranularity(width), PruningCriterion.Rms),
            }, progress, cancellationToken);
        }
        return new ScalpelPruningResult(choices, nodeResult, weights);
    }

    private sealed class NodeProgress(IProgress<TrainingProgress> inner) : IProgress<NodePruningProgress>
    {
        public void Report(NodePruningProgress p) =>
            inner.Report(new TrainingProgress($"node pruning: {p.Stage}", Math.Max(1, p.Epoch), Math.Max(1, p.Epochs), 1, 1, 0, (float)p.TrainLoss, 0, p.TestError));
    }
}
