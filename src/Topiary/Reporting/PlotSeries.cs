// PlotSeries: the plain data records the plots take. They carry numbers only (no Topiary model types),
// so any command can build them from a JSON report or a live run. Each plot validates them on entry and
// throws ArgumentException naming the series at fault.
namespace Topiary.Reporting;

/// <summary>
/// One layer's pruning-sensitivity curve: accuracy (or error) measured after pruning that layer alone to
/// each sparsity. Both arrays are fractions in [0, 1] and are drawn as percentages.
/// </summary>
/// <param name="Name">Legend text, usually the layer name (e.g. <c>conv1</c>).</param>
/// <param name="Sparsity">Fraction of weights removed, one entry per measured point.</param>
/// <param name="Accuracy">Accuracy (or error) at each sparsity; same length as <paramref name="Sparsity"/>.</param>
public sealed record SensitivitySeries(string Name, double[] Sparsity, double[] Accuracy);

/// <summary>
/// One set of weight values for a distribution plot (e.g. "before pruning", "after retraining").
/// Callers exclude the zero-valued (pruned) weights themselves: a histogram of a 90%-sparse layer is
/// otherwise one spike at zero.
/// </summary>
/// <param name="Name">Panel title.</param>
/// <param name="Values">The weight values; non-empty and finite.</param>
public sealed record HistogramSeries(string Name, float[] Values);

/// <summary>One line of a generic x/y plot.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X coordinates.</param>
/// <param name="Y">Y coordinates; same length as <paramref name="X"/>.</param>
public sealed record LineSeries(string Name, double[] X, double[] Y);

/// <summary>One group of bars: one value per category of the bar plot.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Values">One value per category, in category order.</param>
public sealed record BarSeries(string Name, double[] Values);
