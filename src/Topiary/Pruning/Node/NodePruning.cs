// NodePruning: Scalpel's node pruning (Yu et al., ISCA 2017, §node pruning) of a trained Sequential model.
//   1. Masks: a NodeMask after the activation of every weight layer but the last (NodeMaskPlacement; per
//      neuron for Linear, per channel for Conv2d — after the pool when a conv has no activation).
//   2. Penalty stages, rising penalty p: train (SGD/Adam of the recipe, constant lr = recipe lr × StageLearningRateScale,
//      β trained by its straight-through gradient without weight decay); after every optimizer step every gate moves
//      β ← clamp(β − p·lr, GateMin, GateMax) (Trainer.AfterStep). Units whose usefulness Σ dy·x cannot hold β above T
//      against the penalty become blocked (α = 0); blocked units return when the gradient pushes β back over T.
//   3. Every layer keeps ≥ 1 unit and, with RoundTo = k, a multiple of k (rounded up, capped at the layer size): the
//      blocked units with the highest β are revived. Masks are frozen; dropout after each pruned Linear is scaled by
//      Han's rule with C_ir/C_io = kept outputs × kept inputs / (outputs × inputs) (DropoutRule).
//   4. Retrain stage: cosine from recipe lr × RetrainLearningRateScale with frozen masks.
//   5. Removal: the blocked units are physically removed from the caller's model (UnitRemover: smaller Linear/Conv2d/
//      BatchNorm, Flatten boundaries handled); the masks never enter it. The output equals the masked model's in
//      inference mode (up to float summation order).
// Data order: stage s (1-based; the retrain stage is Penalties.Count + 1) epoch e visits the training set in the
// DataLoader permutation of seed Seed + 1000·s, epoch e — the same seed gives the same pruned model.
using System.Diagnostics;
using Topiary.Data;
using Topiary.Nn;
using Topiary.Pruning.Structure;
using Topiary.Training;

namespace Topiary.Pruning.Node;

/// <summary>Scalpel node pruning: learns per-unit gates under a rising penalty, then removes the blocked units for real.</summary>
/// <remarks>
/// Defaults (β₀ 0.9, T 0.8, band [0.7, 1]; penalties 0.002 then 0.003, 2 epochs each at a constant 0.4 × the recipe's
/// learning rate; 6 retrain epochs, cosine from 0.2 × the recipe's) were tuned on MNIST LeNet-300-100 trained 20 epochs with
/// its reference recipe (seed 1, 1.48% error): 300/100 → 149/77 units at 1.53% error. Blocking is sharp in the penalty —
/// at 0.2 × lr, penalties 0.004 → 0.006 end at 104/68 (1.70%) — so for other models sweep the last penalty first.
/// </remarks>
public static class NodePruning
{
    /// <summary>
    /// Node-prunes <paramref name="model"/> (a trained Sequential) and shrinks it in place: after the call its Linear/Conv2d
    /// layers hold only the kept units.
    /// </summary>
    /// <param name="model">The trained model; must be a <see cref="Sequential"/> (nested Sequentials allowed).</param>
    /// <param name="recipe">The model's training recipe (optimizer kind, momentum, weight decay, batch size, base learning rate).</param>
    /// <param name="train">Training data.</param>
    /// <param name="test">Test data for the per-epoch errors.</param>
    /// <param name="options">Schedule and gate settings.</param>
    /// <param name="progress">Per-epoch progress (stage, epoch, test error, kept units per layer).</param>
    /// <param name="cancellationToken">Cancels between batches; the model then keeps its trained weights but is not shrunk.</param>
    /// <returns>Units per layer before/after, errors before/after, parameter counts, stage history.</returns>
    /// <exception cref="ArgumentException">The model is not a Sequential, has no layer that can be node-pruned, already holds a
    /// NodeMask, or <see cref="NodePruningOptions.Layers"/> names a layer that cannot be node-pruned.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="NodePruningOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static NodePruningResult Run(Module model, TrainingRecipe recipe, ImageDataset train, ImageDataset test,
        NodePruningOptions options, IProgress<NodePruningProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (model is not Sequential seq)
            throw new ArgumentException($"Node pruning needs a Sequential model; got {model.GetType().Name}.", nameof(model));

        var total = Stopwatch.StartNew();
        var (masked, masks, skipped) = NodeMaskPlacement.Insert(seq, options.Layers,
            u => new NodeMask(u, options.Threshold, options.InitialGate, options.GateMin, options.GateMax));
        if (masks.Count == 0)
            throw new ArgumentException("The model has no layer that can be node-pruned (it needs two or more Linear/Conv2d layers joined by per-unit operations)"
                + (skipped.Count > 0 ? ": " + string.Join("; ", skipped) : "."), nameof(model));

        long parametersBefore = seq.ParameterCount();
        double errorBefore = TrainingRun.Evaluate(seq, test, cancellationToken).Error;
        int stageCount = options.Penalties.Count + 1;
        progress?.Report(new NodePruningProgress("dense", 0, stageCount, 0, 0, 0, errorBefore, Kept(masks)));

        var stages = new List<NodePruningStage>();
        var stageRecipe = recipe with { LearningRate = recipe.LearningRate * options.StageLearningRateScale, Policy = LrPolicy.Constant };
        var optimizer = stageRecipe.CreateOptimizer(masked);
        for (int s = 0; s < options.Penalties.Count; s++)
        {
            float penalty = options.Penalties[s];
            string name = FormattableString.Invariant($"penalty {penalty}");
            var trainer = new Trainer(masked, optimizer, new ConstantLr(stageRecipe.LearningRate))
            {
                AfterStep = t =>
                {
                    float amount = penalty * t.Optimizer.LearningRate;
                    foreach (var m in masks) m.Mask.ApplyPenalty(m.Kind == "Conv2d" ? amount * options.ConvPenaltyScale : amount);
                },
            };
            var loader = new DataLoader(train, stageRecipe.BatchSize, shuffle: true, seed: options.Seed + 1000 * (s + 1));
            stages.Add(TrainStage(masked, trainer, loader, test, options.EpochsPerStage, name, penalty, s + 1, stageCount, masks, progress, cancellationToken));
        }

        foreach (var m in masks)
        {
            EnsureKept(m.Mask, options.RoundTo);
            m.Mask.Freeze();
        }
        IReadOnlyList<DropoutRateChange> dropout = options.AdjustDropout ? AdjustDropout(seq, masked, masks) : [];

        double errorMasked;
        if (options.RetrainEpochs > 0)
        {
            var retrainRecipe = recipe with { LearningRate = recipe.LearningRate * options.RetrainLearningRateScale, Policy = LrPolicy.Cosine };
            var loader = new DataLoader(train, retrainRecipe.BatchSize, shuffle: true, seed: options.Seed + 1000 * stageCount);
            var trainer = new Trainer(masked, retrainRecipe.CreateOptimizer(masked), retrainRecipe.CreateSchedule(loader.BatchesPerEpoch, options.RetrainEpochs));
            var stage = TrainStage(masked, trainer, loader, test, options.RetrainEpochs, "retrain", 0, stageCount, stageCount, masks, progress, cancellationToken);
            stages.Add(stage);
            errorMasked = stage.TestError;
        }
        else
        {
            errorMasked = TrainingRun.Evaluate(masked, test, cancellationToken).Error;
        }

        var remove = new Dictionary<string, IReadOnlyCollection<int>>(StringComparer.Ordinal);
        foreach (var m in masks)
            remove[m.Layer] = Enumerable.Range(0, m.Mask.Units).Where(u => !m.Mask.IsKept(u)).ToArray();
        var layers = UnitRemover.RemoveUnits(seq, remove);
        double errorAfter = TrainingRun.Evaluate(seq, test, cancellationToken).Error;
        progress?.Report(new NodePruningProgress("removed", stageCount + 1, stageCount, 0, 0, 0, errorAfter,
            layers.Where(l => remove.ContainsKey(l.Layer)).ToDictionary(l => l.Layer, l => l.After, StringComparer.Ordinal)));
        return new NodePruningResult(layers, errorBefore, errorMasked, errorAfter, parametersBefore, seq.ParameterCount(), stages, dropout,
            skipped, total.Elapsed.TotalSeconds);
    }

    private static NodePruningStage TrainStage(Sequential masked, Trainer trainer, DataLoader loader, ImageDataset test, int epochs,
        string name, float penalty, int stageIndex, int stageCount, List<PlacedMask> masks, IProgress<NodePruningProgress>? progress,
        CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        double error = double.NaN;
        for (int e = 0; e < epochs; e++)
        {
            float loss = trainer.TrainEpoch(TrainingRun.Batches(loader, e), loader.BatchesPerEpoch, e + 1, epochs, null, ct);
            error = TrainingRun.Evaluate(masked, test, ct).Error;
            progress?.Report(new NodePruningProgress(name, stageIndex, stageCount, e + 1, epochs, loss, error, Kept(masks)));
        }
        return new NodePruningStage(name, penalty, epochs, error, Kept(masks), sw.Elapsed.TotalSeconds);
    }

    private static Dictionary<string, int> Kept(List<PlacedMask> masks) =>
        masks.ToDictionary(m => m.Layer, m => m.Mask.KeptCount, StringComparer.Ordinal);

    /// <summary>
    /// Revives blocked units (highest β first, then lowest index) until the kept count is at least 1 and a multiple of
    /// <paramref name="roundTo"/> (or every unit is kept). A revived unit's β is set just above T, midway to GateMax.
    /// </summary>
    internal static void EnsureKept(NodeMask mask, int roundTo)
    {
        int kept = mask.KeptCount;
        int target = Math.Min(mask.Units, Math.Max(1, (kept + roundTo - 1) / roundTo * roundTo));
        if (target <= kept) return;
        var beta = mask.Gate.Value.Data;
        var blocked = Enumerable.Range(0, mask.Units).Where(u => !mask.IsKept(u)).OrderByDescending(u => beta[u]).ThenBy(u => u).ToArray();
        float revived = mask.Threshold + 0.5f * (mask.GateMax - mask.Threshold);
        for (int i = 0; i < target - kept; i++) beta[blocked[i]] = revived;
    }

    // Han's dropout rule with C_ir/C_io = (kept outputs / outputs) × (kept inputs / inputs) for every Linear of the chain.
    private static IReadOnlyList<DropoutRateChange> AdjustDropout(Sequential original, Sequential masked, List<PlacedMask> masks)
    {
        var chain = WeightChain.Analyse(original);
        var byLayer = masks.ToDictionary(m => m.Layer, m => (double)m.Mask.KeptCount / m.Mask.Units, StringComparer.Ordinal);
        var fractions = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int k = 0; k < chain.Layers.Count; k++)
        {
            var layer = chain.Layers[k];
            if (layer.IsConv) continue;
            double kept = byLayer.GetValueOrDefault(layer.Name, 1.0);
            if (k > 0) kept *= byLayer.GetValueOrDefault(chain.Layers[k - 1].Name, 1.0);
            fractions[layer.Name] = kept;
        }
        return DropoutRule.Apply(masked, fractions);
    }
}
