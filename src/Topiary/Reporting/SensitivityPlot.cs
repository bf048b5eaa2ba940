// SensitivityPlot: accuracy (or error) versus sparsity, one line per layer, as in Han et al. 2015
// ("Learning both Weights and Connections", Fig. 6): each layer pruned alone, the network evaluated
// without retraining. Inputs are fractions in [0, 1]; both axes show percentages. Output: a PNG written
// atomically (the target keeps its old content if validation or rendering fails).
namespace Topiary.Reporting;

/// <summary>Per-layer pruning sensitivity plot (accuracy vs sparsity), rendered to PNG.</summary>
public static class SensitivityPlot
{
    /// <summary>
    /// Draws one line per series (x = sparsity, y = accuracy, both as percentages) with markers and a
    /// legend, and writes the PNG to <paramref name="path"/> atomically.
    /// </summary>
    /// <param name="path">Output PNG file; its directory is created when missing; an existing file is replaced whole.</param>
    /// <param name="title">Figure title (may be empty).</param>
    /// <param name="series">One curve per layer. Sparsity and Accuracy: equal lengths, non-empty, finite, in [0, 1].</param>
    /// <param name="yLabel">Y-axis label, e.g. "Accuracy" or "Top-1 error".</param>
    /// <param name="width">Image width in pixels, 100..10000.</param>
    /// <param name="height">Image height in pixels, 100..10000.</param>
    /// <exception cref="ArgumentException">A series is null, empty, of unequal lengths, non-finite or outside [0, 1]; the message names it.</exception>
    /// <exception cref="InvalidOperationException">No font is available to draw text (see <c>TOPIARY_PLOT_FONT</c>).</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, string title, IReadOnlyList<SensitivitySeries> series,
        string yLabel = "Accuracy", int width = 800, int height = 500)
    {
        PlotGuard.Common(path, title, width, height);
        ArgumentNullException.ThrowIfNull(yLabel);
        PlotGuard.NonEmptyList(series, nameof(series));
        for (int i = 0; i < series.Count; i++)
        {
            SensitivitySeries s = series[i];
            string name = PlotGuard.Name(s.Name, i, nameof(series));
            PlotGuard.Values(name, nameof(s.Sparsity), s.Sparsity, nameof(series), 0, 1);
            PlotGuard.Values(name, nameof(s.Accuracy), s.Accuracy, nameof(series), 0, 1);
            PlotGuard.SameLength(name, nameof(s.Sparsity), s.Sparsity.Length, nameof(s.Accuracy), s.Accuracy.Length, nameof(series));
        }

        using ScottPlot.Plot plot = PlotRenderer.NewPlot(title, "Sparsity (fraction of weights pruned)", yLabel);
        for (int i = 0; i < series.Count; i++)
        {
            SensitivitySeries s = series[i];
            ScottPlot.Plottables.Scatter line = plot.Add.Scatter(s.Sparsity, s.Accuracy);
            line.LegendText = s.Name;
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.MarkerShape = PlotRenderer.Marker(i);
        }
        PlotRenderer.PercentTicks(plot.Axes.Bottom);
        PlotRenderer.PercentTicks(plot.Axes.Left);
        if (series.Count <= 6)
            plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        else
            plot.ShowLegend(ScottPlot.Edge.Right);
        PlotRenderer.SavePng(plot, path, width, height);
    }
}
