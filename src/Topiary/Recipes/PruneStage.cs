// PruneStage: the prune stage of a run — load the data and hold out the validation images the method asks for (the
// last ones before the training limit), run the method under the schedule, then measure the pruned model's test
// error, size and kept weights per layer (RecipePruneResult) and save it with its masks. RecipeRunner's prune stage
// and `topiary prune` both run it, so the two prune and report alike.
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Training;

namespace Topiary.Recipes;

/// <summary>The data of a prune stage: training images, held-out validation images (or null), the test set, and the
/// training limit to pass on (-1 when all training images are used).</summary>
public sealed record PruneStageData(ImageDataset Train, ImageDataset? Validation, ImageDataset Test, int TrainLimit);

/// <summary>The data split and the result of a pruning stage.</summary>
public static class PruneStage
{
    /// <summary>Loads <paramref name="dataset"/> (with <paramref name="transform"/>, default Caffe's) and splits its training images
    /// (<see cref="Split"/>: at most <paramref name="limit"/>, <paramref name="held"/> held out after them).</summary>
    /// <exception cref="ArgumentException">The held-out images leave no training images.</exception>
    public static PruneStageData Data(string dataset, int held, int? limit, string? cacheDirectory, PixelTransform? transform,
        IProgress<string>? messages = null, CancellationToken ct = default)
    {
        var full = TrainingRun.LoadDataset(dataset, DatasetSplit.Train, cacheDirectory, messages, ct, transform);
        var test = TrainingRun.LoadDataset(dataset, DatasetSplit.Test, cacheDirectory, messages, ct, transform);
        var (train, validation) = Split(full, held, limit, dataset);
        return new PruneStageData(train, validation, test, train.Count < full.Count ? train.Count : -1);
    }

    /// <summary>The input shape of a model: its zoo or recorded shape, else MNIST's <c>[1, 28, 28]</c>.</summary>
    public static int[] InputShape(string name, IReadOnlyDictionary<string, string> metadata, Module model, string label) =>
        ModelInputShape.Of(name, metadata, model, label) is { } known && ModelInputShape.IsComplete(known) ? known : [1, 28, 28];

    /// <summary>Prunes <paramref name="model"/> with <paramref name="method"/> under <paramref name="schedule"/> (retraining with
    /// <paramref name="training"/> on <paramref name="data"/>), measures it against <paramref name="referenceParams"/> and saves
    /// it (masks included) to <paramref name="file"/> with <paramref name="metadata"/> plus <c>pruned</c> = the method's label.</summary>
    public static (PruningOutcome Outcome, RecipePruneResult Result) Run(IPruningMethod method, Module model, string name, int[] inputShape,
        TrainingRecipe training, PruneStageData data, PruningSchedule schedule, long referenceParams, string file,
        IReadOnlyDictionary<string, string> metadata, IProgress<TrainingProgress>? progress = null, IProgress<string>? messages = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(data);
        var outcome = method.Prune(new PruningContext
        {
            Model = model,
            ModelName = name,
            InputShape = inputShape,
            Training = training,
            Train = data.Train,
            Validation = data.Validation,
            Test = data.Test,
            Schedule = schedule,
            Progress = progress,
            Messages = messages,
            CancellationToken = ct,
        });
        var result = Result(outcome, data.Test, referenceParams, file, ct);
        ModelFile.Save(file, name, outcome.Model, new Dictionary<string, string>(metadata, StringComparer.Ordinal) { ["pruned"] = outcome.Label });
        return (outcome, result);
    }

    /// <summary>The training images (the first <paramref name="limit"/>, at most all but <paramref name="held"/>) and the
    /// <paramref name="held"/> validation images after them (null when none is held).</summary>
    /// <exception cref="ArgumentException">The held-out images leave no training images.</exception>
    public static (ImageDataset Train, ImageDataset? Validation) Split(ImageDataset full, int held, int? limit, string dataset)
    {
        ArgumentNullException.ThrowIfNull(full);
        int count = Math.Min(limit ?? int.MaxValue, full.Count - held);
        if (count < 1)
            throw new ArgumentException($"{held} validation images leave no training images of {full.Count} in {dataset}.");
        return (count < full.Count ? full.Slice(0, count) : full, held > 0 ? full.Slice(count, Math.Min(held, full.Count - count)) : null);
    }

    /// <summary>The result of <paramref name="outcome"/>: test error, parameters, compression against
    /// <paramref name="referenceParams"/>, kept weights per layer.</summary>
    public static RecipePruneResult Result(PruningOutcome outcome, ImageDataset test, long referenceParams, string modelFile, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Module model = outcome.Model;
        long nonzero = PruningState.NonZeroParameters(model);
        return new RecipePruneResult(outcome.Label, TrainingRun.Evaluate(model, test, ct).Error, model.ParameterCount(), nonzero,
            (double)referenceParams / Math.Max(1, nonzero),
            PruningState.Densities(model).Select(d => new RecipeLayerDensity(d.Name, d.Kind.ToString().ToLowerInvariant(), d.Weights, d.Kept, d.KeptFraction)).ToArray(),
            modelFile, outcome.Details);
    }
}
