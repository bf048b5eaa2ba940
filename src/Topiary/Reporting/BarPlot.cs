// BarPlot: one bar per (category, series), grouped side by side or stacked — per-layer density, parameter
// counts, energy breakdowns. Categories label the x axis (rotated when they would overlap).
// Output: a PNG written atomically.
namespace Topiary.Reporting;

/// <summary>Grouped or stacked bar chart over named categories, rendered to PNG.</summary>
public static class BarPlot
{
    /// <summary>
    /// Draws, for each category, one bar per series (side by side) or one stacked column (series in order,
    /// bottom to top), and writes the PNG to <paramref name="path"/> atomically.
    /// </summary>
    /// <param name="path">Output PNG file; its directory is created when missing; an existing file is replaced whole.</param>
    /// <param name="title">Figure title (may be empty).</param>
    /// <param name="categories">X-axis categories (e.g. layer names); non-empty, no nulls.</param>
    /// <param name="series">One value per category each; finite; non-negative when <paramref name="stacked"/>.</param>
    /// <param name="yLabel">Y-axis label (may be empty).</param>
    /// <param name="stacked">Stack the series in each category instead of placing them side by side.</param>
    /// <param name="width">Image width in pixels, 100..10000.</param>
    /// <param name="height">Image height in pixels, 100..10000.</param>
    /// <exception cref="ArgumentException">Bad categories, or a series with the wrong number of values, a non-finite
    /// value, or a negative value when stacked; the message names the series.</exception>
    /// <exception cref="InvalidOperationException">No font is available to draw text (see <c>TOPIARY_PLOT_FONT</c>).</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, string title, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series,
        string yLabel, bool stacked, int width = 800, int height = 500)
    {
        PlotGuard.Common(path, title, width, height);
        ArgumentNullException.ThrowIfNull(yLabel);
        ArgumentNullException.ThrowIfNull(categories);
        if (categories.Count == 0)
            throw new ArgumentException("At least one category is required.", nameof(categories));
        for (int c = 0; c < categories.Count; c++)
            if (categories[c] is null)
                throw new ArgumentException($"Category #{c} is null.", nameof(categories));
        PlotGuard.NonEmptyList(series, nameof(series));
        bool allNonNegative = true;
        for (int i = 0; i < series.Count; i++)
        {
            BarSeries s = series[i];
            string name = PlotGuard.Name(s.Name, i, nameof(series));
            PlotGuard.Values(name, nameof(s.Values), s.Values, nameof(series),
                stacked ? 0 : double.NegativeInfinity, double.PositiveInfinity);
            if (s.Values.Length != categories.Count)
                throw new ArgumentException(
                    $"Series '{name}': Values has {s.Values.Length} values but there are {categories.Count} categories.", nameof(series));
            foreach (double v in s.Values) allNonNegative &= v >= 0;
        }

        using ScottPlot.Plot plot = PlotRenderer.NewPlot(title, "", yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        double[] stackTop = new double[categories.Count];
        const double groupWidth = 0.8;
        double barWidth = stacked ? 0.6 : groupWidth / series.Count;
        for (int j = 0; j < series.Count; j++)
        {
            BarSeries s = series[j];
            ScottPlot.Color color = palette.GetColor(j);
            var bars = new ScottPlot.Bar[categories.Count];
            for (int c = 0; c < categories.Count; c++)
            {
                double position = stacked ? c : c - groupWidth / 2 + (j + 0.5) * barWidth;
                double valueBase = stacked ? stackTop[c] : 0;
                bars[c] = new ScottPlot.Bar
                {
                    Position = position,
                    ValueBase = valueBase,
                    Value = valueBase + s.Values[c],
                    Size = barWidth,
                    FillColor = color,
                    LineWidth = 0,
                };
                if (stacked) stackTop[c] += s.Values[c];
            }
            ScottPlot.Plottables.BarPlot barPlot = plot.Add.Bars(bars);
            barPlot.LegendText = s.Name;
        }

        double[] positions = new double[categories.Count];
        string[] labels = new string[categories.Count];
        int longest = 0;
        for (int c = 0; c < categories.Count; c++)
        {
            positions[c] = c;
            labels[c] = categories[c];
            longest = Math.Max(longest, labels[c].Length);
        }
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        // Rotate the category labels when they would not fit side by side (~7 px per character at 12 pt).
        float fontSize = plot.Axes.Bottom.TickLabelStyle.FontSize;
        double labelPixels = longest * fontSize * 0.6 + 8;
        if (labelPixels * categories.Count > width * 0.8)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
            if (plot.Axes.Bottom is ScottPlot.AxisPanels.AxisBase axis)
                axis.MinimumSize = (float)(labelPixels * 0.75 + 10);
        }
        // Explicit limits: bars start at zero (no margin below a non-negative chart), 5% headroom above.
        double low = 0, high = 0;
        for (int c = 0; c < categories.Count; c++)
        {
            if (stacked) { high = Math.Max(high, stackTop[c]); continue; }
            foreach (BarSeries s in series)
            {
                low = Math.Min(low, s.Values[c]);
                high = Math.Max(high, s.Values[c]);
            }
        }
        if (high - low <= 0) high = low + 1;
        double pad = (high - low) * 0.05;
        plot.Axes.SetLimits(-0.6, categories.Count - 0.4, allNonNegative ? 0 : low - pad, high + pad);
        // Outside the data area, so it never hides a bar.
        plot.ShowLegend(ScottPlot.Edge.Right);
        PlotRenderer.SavePng(plot, path, width, height);
    }
}
