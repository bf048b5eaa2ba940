// PruneReport: what `topiary prune --json` writes (weight pruning; `--structure channel` writes the channel report) —
// the method and schedule that ran, the test error before and after, parameter counts, kept weights per layer and
// the method's own report section (its PruningOutcome.Details: rounds, Scalpel's choices, energy-aware steps …).
using Topiary.Recipes;

namespace Topiary.Cli.Reports;

/// <summary>The <c>prune</c> command's JSON report.</summary>
/// <param name="Model">The model's name (zoo name, or the file's model name).</param>
/// <param name="Dataset">Dataset retrained and evaluated on.</param>
/// <param name="Schedule">The method and schedule that ran, e.g. <c>magnitude/iterative</c>, <c>random/one-shot</c>, <c>scalpel/host</c>.</param>
/// <param name="Reference">Test error of the model as given (fraction).</param>
/// <param name="Pruned">Test error (fraction) and non-zero parameters after pruning.</param>
/// <param name="Params">Parameters before pruning.</param>
/// <param name="ParamsAfter">Parameters after pruning (fewer when node pruning shrank layers).</param>
/// <param name="Compression">Params / non-zero parameters after pruning.</param>
/// <param name="Layers">Kept weights per weight layer.</param>
/// <param name="ScheduleReport">The method's own report section (its type depends on the method).</param>
/// <param name="ModelFile">The pruned model written (<c>--out</c>, masks included).</param>
public sealed record PruneReport(string Model, string Dataset, string Schedule, ErrorSummary Reference, PrunedSummary Pruned, long Params,
    long ParamsAfter, double Compression, IReadOnlyList<RecipeLayerDensity> Layers, object? ScheduleReport, string ModelFile);

/// <summary>The pruned model's test error and size.</summary>
/// <param name="TestError">Top-1 test error, a fraction.</param>
/// <param name="NonzeroParams">Parameters whose value is not zero.</param>
public sealed record PrunedSummary(double TestError, long NonzeroParams);
