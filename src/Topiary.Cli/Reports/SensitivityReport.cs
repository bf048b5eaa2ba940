// SensitivityReport: what `topiary sensitivity --json` writes — Han et al.'s per-layer sensitivity curves: each layer
// pruned alone (magnitude, no retraining) to every sparsity level, and the model's test accuracy at each.
using Topiary.Pruning;

namespace Topiary.Cli.Reports;

/// <summary>The <c>sensitivity</c> command's JSON report.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Dataset">The test set measured on (e.g. <c>mnist</c>).</param>
/// <param name="Layers">One curve per prunable layer, in model order: <c>layer</c> (name), <c>kind</c> (the
/// <see cref="LayerKind"/> as a number: 0 conv, 1 fc), <c>sparsity</c> (the levels, fractions pruned 0..1) and
/// <c>accuracy</c> (test accuracy at each level, a fraction 0..1).</param>
public sealed record SensitivityReport(string Model, string Dataset, IReadOnlyList<SensitivityCurve> Layers);
