// LinePlot: a generic x/y line plot (training curves, accuracy per pruning round, latency vs sparsity),
// one line per series with markers and a legend. Output: a PNG written atomically.
namespace Topiary.Reporting;

/// <summary>Generic multi-series line plot, rendered to PNG.</summary>
public static class LinePlot
{
    /// <summary>Draws one line per series and writes the PNG to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Output PNG file; its directory is created when missing; an existing file is replaced whole.</param>
    /// <param name="title">Figure title (may be empty).</param>
    /// <param name="xLabel">X-axis label (may be empty).</param>
    /// <param name="yLabel">Y-axis label (may be empty).</param>
    /// <param name="series">The lines. X and Y: equal lengths, non-empty, finite.</param>
    /// <param name="width">Image width in pixels, 100..10000.</param>
    /// <param name="height">Image height in pixels, 100..10000.</param>
    /// <exception cref="ArgumentException">A series is null, empty, of unequal lengths or non-finite; the message names it.</exception>
    /// <exception cref="InvalidOperationException">No font is available to draw text (see <c>TOPIARY_PLOT_FONT</c>).</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, string title, string xLabel, string yLabel, IReadOnlyList<LineSeries> series,
        int width = 800, int height = 500)
    {
        PlotGuard.Common(path, title, width, height);
        ArgumentNullException.ThrowIfNull(xLabel);
        ArgumentNullException.ThrowIfNull(yLabel);
        PlotGuard.NonEmptyList(series, nameof(series));
        for (int i = 0; i < series.Count; i++)
        {
            LineSeries s = series[i];
            string name = PlotGuard.Name(s.Name, i, nameof(series));
            PlotGuard.Values(name, nameof(s.X), s.X, nameof(series));
            PlotGuard.Values(name, nameof(s.Y), s.Y, nameof(series));
            PlotGuard.SameLength(name, nameof(s.X), s.X.Length, nameof(s.Y), s.Y.Length, nameof(series));
        }

        using ScottPlot.Plot plot = PlotRenderer.NewPlot(title, xLabel, yLabel);
        for (int i = 0; i < series.Count; i++)
        {
            LineSeries s = series[i];
            ScottPlot.Plottables.Scatter line = plot.Add.Scatter(s.X, s.Y);
            line.LegendText = s.Name;
            line.LineWidth = 2;
            line.MarkerSize = s.X.Length <= 60 ? 6 : 0;
            line.MarkerShape = PlotRenderer.Marker(i);
        }
        // Outside the data area: a generic line can go anywhere, so an inside legend would hide some.
        plot.ShowLegend(ScottPlot.Edge.Right);
        PlotRenderer.SavePng(plot, path, width, height);
    }
}
