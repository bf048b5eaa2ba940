// StackedBarPlot: one stacked column per category (e.g. layer), segments in series order bottom to top —
// the per-layer energy breakdown (computation, DRAM, buffer, array, RF). Optionally normalised so each
// column shows shares of its own total. Drawing is BarPlot's stacked mode; this adds the normalisation.
// Output: a PNG written atomically.
namespace Topiary.Reporting;

/// <summary>Stacked bar chart (segments per category), rendered to PNG.</summary>
public static class StackedBarPlot
{
    /// <summary>
    /// Draws one stacked column per category; segment j of column c has height <c>segments[j].Values[c]</c>, or
    /// <c>Values[c] / Σ_j Values[c]</c> when <paramref name="normalize"/> (a column summing to 0 stays empty).
    /// </summary>
    /// <param name="path">Output PNG; written atomically.</param>
    /// <param name="title">Figure title (may be empty).</param>
    /// <param name="categories">Column labels; non-empty.</param>
    /// <param name="segments">Segments, one value per category each; finite and non-negative.</param>
    /// <param name="yLabel">Y-axis label (may be empty).</param>
    /// <param name="normalize">Plot each column's shares instead of absolute values.</param>
    /// <param name="width">Image width in pixels, 100..10000.</param>
    /// <param name="height">Image height in pixels, 100..10000.</param>
    /// <exception cref="ArgumentException">Bad categories or segments (wrong count, negative or non-finite values); the message names the series.</exception>
    /// <exception cref="InvalidOperationException">No font is available (see <c>TOPIARY_PLOT_FONT</c>).</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, string title, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> segments,
        string yLabel, bool normalize = false, int width = 1000, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(categories);
        PlotGuard.NonEmptyList(segments, nameof(segments));
        if (!normalize)
        {
            BarPlot.Write(path, title, categories, segments, yLabel, stacked: true, width, height);
            return;
        }
        var sums = new double[categories.Count];
        for (int j = 0; j < segments.Count; j++)
        {
            var s = segments[j];
            PlotGuard.Values(PlotGuard.Name(s.Name, j, nameof(segments)), nameof(s.Values), s.Values, nameof(segments), 0);
            if (s.Values.Length != categories.Count)
                throw new ArgumentException($"Series '{s.Name}': Values has {s.Values.Length} values but there are {categories.Count} categories.", nameof(segments));
            for (int c = 0; c < sums.Length; c++) sums[c] += s.Values[c];
        }
        var shares = segments.Select(s => new BarSeries(s.Name, s.Values.Select((v, c) => sums[c] > 0 ? v / sums[c] : 0).ToArray())).ToArray();
        BarPlot.Write(path, title, categories, shares, yLabel, stacked: true, width, height);
    }
}
