// IterativePruning: Han et al. 2015's prune → retrain → repeat, for any zoo model, with the paper's
// retraining options. Each round: prune every targeted layer (masks only remove), evaluate, retrain
// the survivors for a few epochs at a reduced learning rate (cosine within the round, fresh momentum),
// evaluate, checkpoint (model + masks + round history, atomically). Resuming skips the completed rounds
// and ends bit-identical to an uninterrupted run (data order depends only on seed, round and epoch).
//
// Per-layer targets are a final sparsity (reached geometrically over the rounds) or Han's quality
// parameter s (keep |w| > s·σ), with σ fixed from the dense weights (re-masking every round) or taken
// from the current survivors, and s optionally raised by SStep each round.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Topiary.Data;
using Topiary.Nn;
using Topiary.Pruning.Methods;
using Topiary.Settings;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Pruning;

/// <summary>Where σ of Han's threshold s·σ comes from.</summary>
public enum SigmaSource
{
    /// <summary>σ of the dense (reference) weights, fixed for the whole schedule.</summary>
    Dense,
    /// <summary>σ of the current surviving weights, recomputed every round.</summary>
    Current,
}

/// <summary>Regulariser used while retraining (Han et al.: L2 is best with iterative retraining).</summary>
public enum Regularization
{
    /// <summary>Weight decay.</summary>
    L2,
    /// <summary>L1 penalty.</summary>
    L1,
}

/// <summary>Which layers to freeze while retraining.</summary>
public enum FreezeMode
{
    /// <summary>Retrain everything.</summary>
    None,
    /// <summary>Freeze conv layers (retrain FC).</summary>
    Conv,
    /// <summary>Freeze FC layers (retrain conv).</summary>
    Fc,
}

/// <summary>A per-layer pruning target: a final sparsity, or Han's s. A recipe's <c>prune.targets.LAYER</c> (keys
/// <c>sparsity</c> and <c>threshold_std</c>; a bare number is shorthand for <c>{ sparsity: number }</c>).</summary>
/// <param name="Sparsity">Final fraction of weights removed, or null.</param>
/// <param name="S">Quality parameter s (keep |w| &gt; s·σ), or null.</param>
public sealed record LayerTarget(
    [property: Setting("sparsity", "Fraction of the layer's weights to remove.", Min = 0, Max = 1, MaxExclusive = true)] double? Sparsity = null,
    [property: Setting("threshold_std", "Keep |w| > s·σ with this s.", Min = 0, Max = 1e6)] double? S = null)
{
    /// <summary>Throws unless exactly one of Sparsity and S is set and in range.</summary>
    public void Validate(string layer)
    {
        if (Sparsity.HasValue == S.HasValue)
            throw new ArgumentException($"Layer '{layer}': give exactly one of sparsity and s.");
        if (Sparsity is double sp && !(sp >= 0 && sp < 1))
            throw new ArgumentException($"Layer '{layer}': sparsity must be in [0, 1); got {sp}.");
        if (S is double s && !(s >= 0))
            throw new ArgumentException($"Layer '{layer}': s must be non-negative; got {s}.");
    }
}

/// <summary>Options of an iterative prune/retrain schedule.</summary>
public sealed record IterativePruningOptions
{
    /// <summary>Targets per layer name; layers not listed are not pruned (with <see cref="GlobalSparsity"/>: the layers in scope, all when empty).</summary>
    public required IReadOnlyDictionary<string, LayerTarget> Targets { get; init; }

    /// <summary>When set, one global threshold across the layers in scope removes this final fraction of their weights.</summary>
    public double? GlobalSparsity { get; init; }

    /// <summary>Granularity and criterion (default: element-wise magnitude, Han et al.).</summary>
    public IMaskPruner Pruner { get; init; } = MagnitudePruner.Elementwise;

    /// <summary>Prune/retrain rounds.</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Retraining epochs after each pruning step.</summary>
    public int EpochsPerRound { get; init; } = 4;

    /// <summary>Extra retraining epochs after the last pruning step (a longer final fine-tune).</summary>
    public int FinalEpochs { get; init; }

    /// <summary>Retraining learning rate = recipe learning rate × this (Han: about 1/10).</summary>
    public float LearningRateScale { get; init; } = 0.1f;

    /// <summary>Regulariser while retraining.</summary>
    public Regularization Regularization { get; init; } = Regularization.L2;

    /// <summary>Layers frozen while retraining.</summary>
    public FreezeMode Freeze { get; init; } = FreezeMode.None;

    /// <summary>Scale every Dropout after a pruned Linear by Han's rule D_r = D_o·sqrt(C_ir/C_io) before retraining.</summary>
    public bool AdjustDropout { get; init; } = true;

    /// <summary>Re-initialise the surviving weights before retraining (the paper shows this is worse).</summary>
    public bool Reinitialize { get; init; }

    /// <summary>σ source for s-targets.</summary>
    public SigmaSource Sigma { get; init; } = SigmaSource.Dense;

    /// <summary>Amount added to every layer's s per round (Han's "raise s" variant); 0 = fixed s.</summary>
    public double SStep { get; init; }

    /// <summary>Seed of data order and re-initialisation.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checkpoint written after every round (null = none).</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }
}

/// <summary>One round of the schedule.</summary>
/// <param name="Round">1-based round.</param>
/// <param name="PrunedTestError">Test error right after this round's pruning step.</param>
/// <param name="RetrainedTestError">Test error after retraining.</param>
/// <param name="NonZeroParams">Non-zero parameters after the round.</param>
/// <param name="Compression">Parameters / non-zero parameters.</param>
/// <param name="KeptFraction">Kept weights per pruned layer.</param>
/// <param name="ThresholdS">Per layer: the smallest |w| kept by this round's pruning step divided by the dense σ (Han's s).</param>
/// <param name="Seconds">Wall time of the round.</param>
public sealed record PruningRound(int Round, double PrunedTestError, double RetrainedTestError, long NonZeroParams,
    double Compression, IReadOnlyDictionary<string, double> KeptFraction, IReadOnlyDictionary<string, double> ThresholdS, double Seconds);

/// <summary>Result of an iterative pruning schedule.</summary>
public sealed record IterativePruningResult(IReadOnlyList<PruningRound> Rounds, IReadOnlyDictionary<string, double> DenseSigma);

/// <summary>Runs Han et al.'s iterative prune/retrain schedule on a model.</summary>
public static class IterativePruning
{
    /// <summary>Prunes and retrains <paramref name="model"/> in place.</summary>
    /// <param name="model">The trained dense (or partially pruned) model.</param>
    /// <param name="recipe">Its training recipe (batch size, optimizer hyper-parameters, base learning rate).</param>
    /// <param name="train">Training data for retraining.</param>
    /// <param name="test">Test data for the per-round errors.</param>
    /// <param name="options">Schedule options.</param>
    /// <param name="progress">Batch/epoch progress (phase "retrain r/R").</param>
    /// <param name="cancellationToken">Cancels between batches; the last completed round stays checkpointed.</param>
    /// <exception cref="ArgumentException">Unknown layer names or invalid targets.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is corrupt or from another schedule.</exception>
    public static IterativePruningResult Run(Module model, TrainingRecipe recipe, ImageDataset train, ImageDataset test,
        IterativePruningOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Rounds);
        ArgumentOutOfRangeException.ThrowIfNegative(options.EpochsPerRound);
        ArgumentOutOfRangeException.ThrowIfNegative(options.FinalEpochs);
        var layers = PrunableLayer.Find(model);
        var targeted = options.Targets.Select(kv =>
        {
            if (options.GlobalSparsity is null) kv.Value.Validate(kv.Key);
            return (Layer: PrunableLayer.ByName(layers, kv.Key), Target: kv.Value);
        }).ToArray();
        if (options.GlobalSparsity is double gs)
        {
            if (!(gs >= 0 && gs < 1)) throw new ArgumentException($"Global sparsity must be in [0, 1); got {gs}.", nameof(options));
            if (targeted.Length == 0) targeted = layers.Select(l => (l, new LayerTarget())).ToArray();
        }

        // Dropout rates of the model as given (D_o), so the rule never compounds across rounds.
        var originalDropout = model.NamedModules().Where(m => m.Module is Dropout)
            .ToDictionary(m => m.Name, m => (double)((Dropout)m.Module).P, StringComparer.Ordinal);
        var denseSigma = targeted.ToDictionary(t => t.Layer.Name, t => MagnitudePruner.SurvivorStd(t.Layer), StringComparer.Ordinal);
        var identity = Identity(options);
        var rounds = new List<PruningRound>();
        int first = 1;
        if (options.Resume && options.CheckpointPath is { } path && File.Exists(path))
            first = Restore(path, identity, model, rounds, denseSigma) + 1;

        for (int round = first; round <= options.Rounds; round++)
        {
            var sw = Stopwatch.StartNew();
            if (options.GlobalSparsity is double global)
                options.Pruner.ApplyGlobal(targeted.Select(t => t.Layer).ToArray(), PruningSchedules.Iterative(global, round, options.Rounds));
            else
                foreach (var (layer, target) in targeted)
                    options.Pruner.Apply(layer, RoundTarget(target, round, options, denseSigma[layer.Name]));
            // Data-parallel: every rank pruned its own copy; the masks must agree (checksums compared, else all ranks stop).
            if (Distributed.DataParallel.IsDistributed)
                Distributed.ModelConsistency.Verify(Distributed.DataParallel.Current, model, $"after pruning round {round}");
            var thresholdS = targeted.ToDictionary(t => t.Layer.Name, t => SmallestKept(t.Layer) / denseSigma[t.Layer.Name], StringComparer.Ordinal);
            double prunedError = TrainingRun.Evaluate(model, test, cancellationToken).Error;
            if (options.AdjustDropout && originalDropout.Count > 0 && model is Sequential seq)
                Structure.DropoutRule.Apply(seq, Structure.DropoutRule.KeptFractionsFromMasks(seq), originalDropout);
            Retrain(model, recipe, train, options, round, layers, progress, cancellationToken);
            var eval = TrainingRun.Evaluate(model, test, cancellationToken);
            rounds.Add(new PruningRound(round, prunedError, eval.Error, PruningState.NonZeroParameters(model),
                PruningState.CompressionRate(model),
                targeted.ToDictionary(t => t.Layer.Name, t => t.Layer.KeptFraction, StringComparer.Ordinal), thresholdS, sw.Elapsed.TotalSeconds));
            if (options.CheckpointPath is { } ckpt) Save(ckpt, identity, model, rounds, denseSigma);
            progress?.Report(new TrainingProgress($"round {round}/{options.Rounds}", round, options.Rounds, 1, 1, 0, 0, 0, eval.Error));
        }
        return new IterativePruningResult(rounds, denseSigma);
    }

    private static double SmallestKept(PrunableLayer layer)
    {
        double min = double.PositiveInfinity;
        foreach (float v in layer.Weight.Value.Data) if (v != 0) min = Math.Min(min, Math.Abs(v));
        return double.IsPositiveInfinity(min) ? 0 : min;
    }

    /// <summary>The target of round <paramref name="round"/> for one layer.</summary>
    public static PruningTarget RoundTarget(LayerTarget target, int round, IterativePruningOptions options, double denseSigma)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        if (target.Sparsity is double sp) return new SparsityTarget(PruningSchedules.Iterative(sp, round, options.Rounds));
        double s = PruningSchedules.RaisedS(target.S!.Value, options.SStep, round);
        return new StdThresholdTarget(s, options.Sigma == SigmaSource.Dense ? denseSigma : null);
    }

    private static void Retrain(Module model, TrainingRecipe recipe, ImageDataset train, IterativePruningOptions options, int round,
        IReadOnlyList<PrunableLayer> layers, IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        int epochs = options.EpochsPerRound + (round == options.Rounds ? options.FinalEpochs : 0);
        if (epochs == 0) return;
        if (options.Reinitialize) Reinitialize(layers, options.Seed * 7919 + round);
        foreach (var l in layers)
        {
            bool frozen = options.Freeze == FreezeMode.Conv && l.Kind == LayerKind.Conv || options.Freeze == FreezeMode.Fc && l.Kind == LayerKind.Fc;
            l.Weight.RequiresGrad = !frozen;
            if (l.Bias is not null) l.Bias.RequiresGrad = !frozen;
        }
        try
        {
            var retrain = recipe with
            {
                LearningRate = recipe.LearningRate * options.LearningRateScale,
                WeightDecay = options.Regularization == Regularization.L2 ? recipe.WeightDecay : 0,
                L1 = options.Regularization == Regularization.L1 ? recipe.WeightDecay : 0,
                Policy = LrPolicy.Cosine,
            };
            TrainingRun.Retrain(model, retrain, train, epochs, options.Seed + 1000 * round,
                progress is null ? null : new PhaseProgress(progress, $"retrain {round}/{options.Rounds}"), ct);
        }
        finally
        {
            foreach (var l in layers)
            {
                l.Weight.RequiresGrad = true;
                if (l.Bias is not null) l.Bias.RequiresGrad = true;
            }
        }
    }

    // Re-initialise survivors with the layer's fan-in Xavier range (Han et al.'s "train from scratch" ablation).
    private static void Reinitialize(IReadOnlyList<PrunableLayer> layers, int seed)
    {
        var rng = new Random(seed);
        foreach (var l in layers)
        {
            Init.XavierUniform(l.Weight.Value, l.Weight.Length / l.Weight.Value.Dim(0), rng);
            l.Weight.ApplyMask();
        }
    }

    // The options that decide the result: a checkpoint is only continued under the same ones.
    private static object Identity(IterativePruningOptions o) => new
    {
        Targets = o.Targets.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(),
        o.Rounds, o.EpochsPerRound, o.FinalEpochs, o.LearningRateScale, Regularization = o.Regularization.ToString(), Freeze = o.Freeze.ToString(),
        o.Reinitialize, o.AdjustDropout, Sigma = o.Sigma.ToString(), o.SStep, o.Seed, o.GlobalSparsity, Method = o.Pruner.Name,
    };

    private sealed record Progress(List<PruningRound> Rounds, Dictionary<string, double> DenseSigma);

    private static void Save(string path, object identity, Module model, List<PruningRound> rounds, Dictionary<string, double> sigma) =>
        ResumeCheckpoint.Save(path, model, identity, new Progress(rounds, sigma));

    // Loads the checkpoint into the model; returns the completed rounds.
    private static int Restore(string path, object identity, Module model, List<PruningRound> rounds, Dictionary<string, double> sigma)
    {
        var progress = ResumeCheckpoint.Restore<Progress>(path, model, identity);
        rounds.Clear();
        rounds.AddRange(progress.Rounds);
        foreach (var (k, v) in progress.DenseSigma) sigma[k] = v;
        return rounds.Count == 0 ? 0 : rounds[^1].Round;
    }
}
