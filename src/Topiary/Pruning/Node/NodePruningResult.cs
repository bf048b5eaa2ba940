// NodePruningResult: the outcome of NodePruning.Run — per-layer units before/after, test error of the dense
// model, after each stage, with masks and after physical removal, parameter counts and timings.
using Topiary.Pruning.Structure;

namespace Topiary.Pruning.Node;

/// <summary>One stage of a node-pruning run.</summary>
/// <param name="Name">"penalty p" or "retrain".</param>
/// <param name="Penalty">The stage's penalty (0 for retrain).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="TestError">Test error at the end of the stage (masked model).</param>
/// <param name="KeptUnits">Kept units per node-pruned layer at the end of the stage.</param>
/// <param name="Seconds">Wall time of the stage (training and evaluation).</param>
public sealed record NodePruningStage(string Name, float Penalty, int Epochs, double TestError, IReadOnlyDictionary<string, int> KeptUnits, double Seconds);

/// <summary>Result of <see cref="NodePruning.Run"/>.</summary>
/// <param name="Layers">Every Linear/Conv2d of the model with its units before and after (layers not node-pruned keep theirs).</param>
/// <param name="ErrorBefore">Test error of the model as given.</param>
/// <param name="ErrorMasked">Test error of the masked model after the retrain stage (before removal).</param>
/// <param name="ErrorAfter">Test error of the physically shrunk model (equals <paramref name="ErrorMasked"/> up to float rounding).</param>
/// <param name="ParametersBefore">Parameter elements before.</param>
/// <param name="ParametersAfter">Parameter elements after removal.</param>
/// <param name="Stages">The penalty stages and the retrain stage, in order.</param>
/// <param name="DropoutChanges">Dropout rates changed before the retrain stage.</param>
/// <param name="Notes">Layers left alone and why.</param>
/// <param name="Seconds">Wall time of the whole run.</param>
public sealed record NodePruningResult(IReadOnlyList<UnitCount> Layers, double ErrorBefore, double ErrorMasked, double ErrorAfter,
    long ParametersBefore, long ParametersAfter, IReadOnlyList<NodePruningStage> Stages, IReadOnlyList<DropoutRateChange> DropoutChanges,
    IReadOnlyList<string> Notes, double Seconds);
