// NodePruningProgress: what NodePruning.Run reports after every epoch (and once at the start and the end).
namespace Topiary.Pruning.Node;

/// <summary>Progress of a node-pruning run, reported through <see cref="IProgress{T}"/> after every epoch.</summary>
/// <param name="Stage">"dense" (before training), "penalty 0.5" (a pruning stage), "retrain" (frozen masks) or "removed" (after physical removal).</param>
/// <param name="StageIndex">1-based stage number (0 for "dense"; stages + 2 for "removed").</param>
/// <param name="Stages">Number of penalty stages plus the retrain stage.</param>
/// <param name="Epoch">1-based epoch within the stage (0 when no epoch ran).</param>
/// <param name="Epochs">Epochs of the stage.</param>
/// <param name="TrainLoss">Mean training loss of the epoch (0 when no epoch ran).</param>
/// <param name="TestError">Test error after the epoch, in [0, 1].</param>
/// <param name="KeptUnits">Kept units per node-pruned layer (dotted layer name).</param>
public sealed record NodePruningProgress(string Stage, int StageIndex, int Stages, int Epoch, int Epochs, double TrainLoss, double TestError,
    IReadOnlyDictionary<string, int> KeptUnits);
