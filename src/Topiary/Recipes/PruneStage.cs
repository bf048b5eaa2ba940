// PruneStage: what every run that prunes does around the method — hold out the validation images the method asks for
// (the last ones before the training limit), and after it the pruned model's test error, size and kept weights per
// layer (RecipePruneResult). RecipeRunner's prune stage and `topiary prune` both use it, so the two report alike.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Training;

namespace Topiary.Recipes;

/// <summary>The data split and the result of a pruning stage.</summary>
public static class PruneStage
{
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
