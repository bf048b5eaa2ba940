// IPruningMethod: the run-level half of the pruning-method contract. A method is created from its options record
// (PruningMethod, the registration) and prunes a trained model in a context: the data, the training recipe that
// retraining follows, the method-independent schedule (PruningSchedule) and the progress sinks. Magnitude, random,
// Scalpel, energy-aware and channel pruning implement it; the recipe runner and `topiary prune` call nothing else.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Pruning.Methods;

/// <summary>A pruning method, configured by its options.</summary>
public interface IPruningMethod
{
    /// <summary>Training images the method holds out as its own validation set (the last ones before the training limit); 0 = none.</summary>
    int ValidationImages => 0;

    /// <summary>Checks, before any training, what can be checked of the plan (layer names, shapes, what the method does to
    /// the model against a later compression stage). The default checks nothing.</summary>
    /// <param name="model">The model that will be pruned.</param>
    /// <param name="modelName">Its zoo or file name.</param>
    /// <param name="inputShape">One input's shape, batch first.</param>
    /// <param name="schedule">The schedule the method will run.</param>
    /// <param name="compressing">Whether a compression stage (.tpz, zoo shapes only) follows.</param>
    /// <exception cref="ArgumentException">The plan cannot work; the message names the setting.</exception>
    void CheckPlan(Module model, string modelName, int[] inputShape, PruningSchedule schedule, bool compressing) { }

    /// <summary>Prunes the context's model (in place, or into a new model that the outcome returns).</summary>
    /// <exception cref="ArgumentException">Settings the model cannot take (unknown layer, ...).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the last checkpoint stays.</exception>
    PruningOutcome Prune(PruningContext context);
}

/// <summary>What a method prunes with.</summary>
public sealed record PruningContext
{
    /// <summary>The trained model.</summary>
    public required Module Model { get; init; }

    /// <summary>Its zoo or file name.</summary>
    public required string ModelName { get; init; }

    /// <summary>One input's shape, batch first.</summary>
    public required int[] InputShape { get; init; }

    /// <summary>The model's training recipe (batch size, optimizer, base learning rate) that retraining follows.</summary>
    public required TrainingRecipe Training { get; init; }

    /// <summary>Training data.</summary>
    public required ImageDataset Train { get; init; }

    /// <summary>Held-out validation data (<see cref="IPruningMethod.ValidationImages"/> images), or null.</summary>
    public ImageDataset? Validation { get; init; }

    /// <summary>Test data (per-round errors).</summary>
    public required ImageDataset Test { get; init; }

    /// <summary>Rounds, targets, retraining, seed and checkpoint.</summary>
    public required PruningSchedule Schedule { get; init; }

    /// <summary>Training progress.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Stage messages.</summary>
    public IProgress<string>? Messages { get; init; }

    /// <summary>Cancels between batches.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>What a method did.</summary>
/// <param name="Label">The method and schedule as reports name them (e.g. <c>magnitude/iterative</c>, <c>scalpel/host</c>).</param>
/// <param name="Details">The method's own report section (a record), or null.</param>
/// <param name="Model">The pruned model (the context's model unless the method rebuilt it).</param>
public sealed record PruningOutcome(string Label, object? Details, Module Model);
