// AgpPruning: automated gradual pruning (Zhu & Gupta 2017), the modern baseline beside Han et al.'s
// prune/retrain rounds. Training runs continuously; every Δt steps during the pruning window each
// layer's sparsity is raised along the cubic s_t = s_f·(1 − (1 − t/(n·Δt))³) (masks only remove), then
// training continues with the final masks to the end of the run.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Pruning.Methods;
using Topiary.Training;

namespace Topiary.Pruning;

/// <summary>Options of an AGP run.</summary>
public sealed record AgpOptions
{
    /// <summary>Final sparsity per layer name.</summary>
    public required IReadOnlyDictionary<string, double> FinalSparsity { get; init; }

    /// <summary>Total training epochs (pruning window plus fine-tuning).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Fraction of the run over which sparsity ramps up (the rest fine-tunes with fixed masks).</summary>
    public double RampFraction { get; init; } = 0.6;

    /// <summary>Steps between pruning events Δt.</summary>
    public int Frequency { get; init; } = 100;

    /// <summary>Learning rate = recipe learning rate × this (cosine over the run).</summary>
    public float LearningRateScale { get; init; } = 0.5f;

    /// <summary>Seed of the data order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How each pruning event computes its masks (default: element-wise magnitude).</summary>
    public IMaskPruner Pruner { get; init; } = MagnitudePruner.Elementwise;
}

/// <summary>Runs AGP on a model.</summary>
public static class AgpPruning
{
    /// <summary>Prunes <paramref name="model"/> gradually while training; returns the per-epoch test errors.</summary>
    /// <exception cref="ArgumentException">Unknown layer, sparsity outside [0, 1) or invalid schedule values.</exception>
    public static IReadOnlyList<EpochSummary> Run(Module model, TrainingRecipe recipe, ImageDataset train, ImageDataset test, AgpOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Frequency);
        if (!(options.RampFraction > 0 && options.RampFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.RampFraction, "RampFraction must be in (0, 1].");
        var all = PrunableLayer.Find(model);
        var layers = options.FinalSparsity.Select(kv =>
        {
            if (!(kv.Value >= 0 && kv.Value < 1)) throw new ArgumentException($"Layer '{kv.Key}': sparsity must be in [0, 1); got {kv.Value}.");
            return (Layer: PrunableLayer.ByName(all, kv.Key), Final: kv.Value);
        }).ToArray();

        var r = recipe with { LearningRate = recipe.LearningRate * options.LearningRateScale, Policy = LrPolicy.Cosine };
        var loader = new DataLoader(train, r.BatchSize, shuffle: true, seed: options.Seed);
        long totalSteps = (long)loader.BatchesPerEpoch * options.Epochs;
        int events = Math.Max(1, (int)(totalSteps * options.RampFraction / options.Frequency));
        var trainer = new Trainer(model, r.CreateOptimizer(model), r.CreateSchedule(loader.BatchesPerEpoch, options.Epochs));
        var history = new List<EpochSummary>();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double lossSum = 0;
            int seen = 0, b = 0;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            foreach (var batch in TrainingRun.Batches(loader, epoch))
            {
                cancellationToken.ThrowIfCancellationRequested();
                long step = trainer.Iteration;
                if (step % options.Frequency == 0 && step <= (long)events * options.Frequency)
                {
                    foreach (var (layer, final) in layers)
                        options.Pruner.Apply(layer, new SparsityTarget(PruningSchedules.Agp(0, final, step + options.Frequency, 0, events, options.Frequency)));
                }
                float loss = trainer.Step(batch);
                lossSum += loss * batch.MeanOver;
                seen += batch.MeanOver;
                progress?.Report(new TrainingProgress("agp", epoch + 1, options.Epochs, ++b, loader.BatchesPerEpoch, trainer.Iteration, loss, trainer.Optimizer.LearningRate));
            }
            double seconds = sw.Elapsed.TotalSeconds;
            var eval = TrainingRun.Evaluate(model, test, cancellationToken);
            history.Add(new EpochSummary(epoch + 1, lossSum / Math.Max(1, seen), eval.Error, eval.Loss, seconds, seen / seconds));
            progress?.Report(new TrainingProgress("epoch", epoch + 1, options.Epochs, b, loader.BatchesPerEpoch, trainer.Iteration, 0, 0, eval.Error));
        }
        return history;
    }
}
