// TrainingRun: the whole "train a zoo model on a dataset" job shared by `topiary train` and
// `topiary demo`: load data, build the model, train with its recipe (overridable), evaluate on
// the test set after every epoch. Progress flows through IProgress; nothing is printed.
using System.Diagnostics;
using Topiary.Data;
using Topiary.Distributed;
using Topiary.Models;
using Topiary.Nn;

namespace Topiary.Training;

/// <summary>Options of a training run. Unset values come from the model's reference recipe.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>Zoo model name (e.g. <c>lenet-5</c>).</summary>
    public required string Model { get; init; }

    /// <summary>Dataset name: <c>mnist</c> or <c>fashion-mnist</c>.</summary>
    public string Dataset { get; init; } = "mnist";

    /// <summary>The training recipe (default: the zoo model's reference recipe); the overrides below apply on top.</summary>
    public TrainingRecipe? Recipe { get; init; }

    /// <summary>Epochs (default: the recipe's).</summary>
    public int? Epochs { get; init; }

    /// <summary>Seed of initialisation, shuffling and dropout.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Batch size (default: the recipe's).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Base learning rate (default: the recipe's).</summary>
    public float? LearningRate { get; init; }

    /// <summary>Use only the first N training images (quick runs); null = all.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Dataset cache directory (default: <c>TOPIARY_DATA</c> or <c>~/.cache/topiary</c>).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>When set, the full training state is written here (atomically) after every epoch.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists (the run's options must match the checkpoint's).</summary>
    public bool Resume { get; init; }
}

/// <summary>Per-epoch record of a training run.</summary>
public sealed record EpochSummary(int Epoch, double TrainLoss, double TestError, double TestLoss, double Seconds, double ImagesPerSecond);

/// <summary>Result of a training run; <see cref="Network"/> holds the trained model.</summary>
public sealed record TrainingRunResult(
    string Model, string Dataset, int Epochs, int Seed, int BatchSize, long Params, double TestError, double TestLoss,
    double Seconds, IReadOnlyList<EpochSummary> History)
{
    /// <summary>The trained network (not serialized).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Module Network { get; init; } = null!;
}

/// <summary>Runs a complete training job.</summary>
public static class TrainingRun
{
    /// <summary>Names of the datasets a run can use.</summary>
    public static IReadOnlyList<string> DatasetNames { get; } = ["mnist", "fashion-mnist"];

    /// <summary>Loads split <paramref name="split"/> of dataset <paramref name="name"/> (pixels scaled by <paramref name="transform"/>, default Caffe's x/256).</summary>
    /// <exception cref="ArgumentException">Unknown dataset name.</exception>
    public static ImageDataset LoadDataset(string name, DatasetSplit split, string? cacheDirectory = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default, PixelTransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var t = transform ?? PixelTransform.Caffe;
        return name.ToLowerInvariant() switch
        {
            "mnist" => Mnist.Load(split, cacheDirectory, progress, t, cancellationToken),
            "fashion-mnist" => FashionMnist.Load(split, progress: progress, transform: t),
            _ => throw new ArgumentException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", DatasetNames)}.", nameof(name)),
        };
    }

    /// <summary>Trains <see cref="TrainingRunOptions.Model"/> and evaluates it after every epoch.</summary>
    /// <exception cref="ArgumentException">Unknown model or dataset, or an invalid option.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static TrainingRunResult Run(TrainingRunOptions options, IProgress<TrainingProgress>? progress = null,
        IProgress<string>? dataProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var info = ModelZoo.Get(options.Model);
        var baseRecipe = options.Recipe ?? info.Recipe;
        var recipe = baseRecipe with
        {
            Epochs = options.Epochs ?? baseRecipe.Epochs,
            BatchSize = options.BatchSize ?? baseRecipe.BatchSize,
            LearningRate = options.LearningRate ?? baseRecipe.LearningRate,
        };
        if (recipe.Epochs <= 0) throw new ArgumentException($"Epochs must be positive; got {recipe.Epochs}.", nameof(options));
        if (recipe.BatchSize <= 0) throw new ArgumentException($"Batch size must be positive; got {recipe.BatchSize}.", nameof(options));
        if (!(recipe.LearningRate > 0)) throw new ArgumentException($"Learning rate must be positive; got {recipe.LearningRate}.", nameof(options));

        var train = LoadDataset(options.Dataset, DatasetSplit.Train, options.CacheDirectory, dataProgress, cancellationToken);
        var test = LoadDataset(options.Dataset, DatasetSplit.Test, options.CacheDirectory, dataProgress, cancellationToken);
        if (options.TrainLimit is int limit) train = Take(train, limit);

        var model = info.Factory(options.Seed);
        var loader = new DataLoader(train, recipe.BatchSize, shuffle: true, seed: options.Seed);
        var trainer = new Trainer(model, recipe.CreateOptimizer(model), recipe.CreateSchedule(loader.BatchesPerEpoch, recipe.Epochs));
        var identity = RunIdentity(info.Name, options, recipe);
        var history = new List<EpochSummary>();
        int firstEpoch = 1;
        if (options.Resume && options.CheckpointPath is { } resumeFrom && File.Exists(resumeFrom))
            firstEpoch = TrainingCheckpoint.Restore(resumeFrom, identity, model, trainer, history) + 1;

        var total = Stopwatch.StartNew();
        EvaluationResult? eval = null;
        for (int epoch = firstEpoch; epoch <= recipe.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            float loss = trainer.TrainEpoch(Batches(loader, epoch - 1), loader.BatchesPerEpoch, epoch, recipe.Epochs, progress, cancellationToken);
            double trainSeconds = sw.Elapsed.TotalSeconds;
            eval = Evaluate(model, test, cancellationToken);
            // Images per second of the whole job (all ranks); with several ranks the slowest rank's time decides.
            history.Add(new EpochSummary(epoch, loss, eval.Error, eval.Loss, trainSeconds, loader.SamplesPerEpoch / trainSeconds));
            if (options.CheckpointPath is { } path) TrainingCheckpoint.Save(path, identity, model, trainer, history);
            progress?.Report(new TrainingProgress("epoch", epoch, recipe.Epochs, loader.BatchesPerEpoch, loader.BatchesPerEpoch,
                trainer.Iteration, loss, trainer.Optimizer.LearningRate, eval.Error));
        }
        eval ??= Evaluate(model, test, cancellationToken);
        return new TrainingRunResult(info.Name, options.Dataset, recipe.Epochs, options.Seed, recipe.BatchSize,
            model.ParameterCount(), eval.Error, eval.Loss, total.Elapsed.TotalSeconds, history)
        { Network = model };
    }

    // What a checkpoint must agree on to be resumed by this run.
    private static Dictionary<string, string> RunIdentity(string model, TrainingRunOptions o, TrainingRecipe r)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = model,
            ["dataset"] = o.Dataset.ToLowerInvariant(),
            ["seed"] = o.Seed.ToString(inv),
            ["epochs"] = r.Epochs.ToString(inv),
            ["batch_size"] = r.BatchSize.ToString(inv),
            ["learning_rate"] = r.LearningRate.ToString("R", inv),
            ["train_limit"] = o.TrainLimit?.ToString(inv) ?? "all",
        };
    }

    /// <summary>Evaluates <paramref name="model"/> on <paramref name="dataset"/> in batches of 500.</summary>
    public static EvaluationResult Evaluate(Module model, ImageDataset dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        // Every rank evaluates the whole set (no sharding): decisions taken from errors are then identical on all ranks.
        return Evaluator.Evaluate(model, WholeBatches(new DataLoader(dataset, 500, shuffle: false)), cancellationToken);
    }

    /// <summary>Trains <paramref name="model"/> <paramref name="epochs"/> epochs with <paramref name="recipe"/> (its optimizer, batch size,
    /// and learning-rate schedule over those epochs) on <paramref name="train"/> shuffled from <paramref name="seed"/>: the retraining
    /// and fine-tuning of the pruning methods. <paramref name="setup"/> may hook the trainer (e.g. a step callback).</summary>
    internal static void Retrain(Module model, TrainingRecipe recipe, ImageDataset train, int epochs, int seed, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken, Action<Trainer>? setup = null)
    {
        if (epochs <= 0) return;
        var loader = new DataLoader(train, recipe.BatchSize, shuffle: true, seed: seed);
        var trainer = new Trainer(model, recipe.CreateOptimizer(model), recipe.CreateSchedule(loader.BatchesPerEpoch, epochs));
        setup?.Invoke(trainer);
        for (int e = 0; e < epochs; e++)
            trainer.TrainEpoch(Batches(loader, e), loader.BatchesPerEpoch, e + 1, epochs, progress, cancellationToken);
    }

    /// <summary>
    /// The training batches of epoch <paramref name="epoch"/>: the loader's batches, or with several ranks
    /// (<see cref="DataParallel.Current"/>) this rank's share of each global batch (DistributedSampler semantics).
    /// </summary>
    internal static IEnumerable<Batch> Batches(DataLoader loader, int epoch)
    {
        var communicator = DataParallel.Current;
        foreach (var (images, labels, offset, count) in loader.Shards(epoch, communicator.Rank, communicator.Size))
            yield return new Batch(images, labels) { GlobalOffset = offset, GlobalCount = count };
    }

    private static IEnumerable<Batch> WholeBatches(DataLoader loader)
    {
        foreach (var (images, labels) in loader.Epoch(0)) yield return new Batch(images, labels);
    }

    internal static ImageDataset Take(ImageDataset d, int count)
    {
        if (count <= 0) throw new ArgumentException($"The training-set limit must be positive; got {count}.", nameof(count));
        if (count >= d.Count) return d;
        return new ImageDataset(d.Name, d.Images.AsSpan(0, count * d.ImageSize).ToArray(), d.Labels.AsSpan(0, count).ToArray(),
            d.Channels, d.Height, d.Width, d.ClassCount);
    }
}
