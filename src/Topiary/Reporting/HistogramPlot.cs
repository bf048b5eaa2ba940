// HistogramPlot: weight-value distributions side by side, one panel per series (e.g. "before pruning",
// "after pruning", "after retraining"), as in Han et al. 2015's weight-distribution figure. All panels
// share the same bin edges and x range so their shapes compare directly; each panel has its own count
// axis (a pruned layer has ~10x fewer weights). The caller excludes zero-valued (pruned) weights —
// otherwise the spike at zero flattens everything else. Output: a PNG written atomically.
using SkiaSharp;

namespace Topiary.Reporting;

/// <summary>Weight-distribution histograms, one panel per series with shared bins, rendered to PNG.</summary>
public static class HistogramPlot
{
    private const int TitleBand = 44;

    /// <summary>
    /// Bins every series over the common range [min, max] of all values into <paramref name="bins"/> equal
    /// bins, draws one panel of counts per series side by side under <paramref name="title"/>, and writes the
    /// PNG to <paramref name="path"/> atomically.
    /// </summary>
    /// <param name="path">Output PNG file; its directory is created when missing; an existing file is replaced whole.</param>
    /// <param name="title">Figure title above all panels (may be empty).</param>
    /// <param name="series">One panel each; Values non-empty and finite. Exclude pruned (zero) weights before calling.</param>
    /// <param name="bins">Number of equal-width bins, 1..10000.</param>
    /// <param name="width">Image width in pixels, 100..10000; default 420 per panel (at least 600).</param>
    /// <param name="height">Image height in pixels, 100..10000.</param>
    /// <exception cref="ArgumentException">A series is null, empty or non-finite (the message names it), or bins is out of range.</exception>
    /// <exception cref="InvalidOperationException">No font is available to draw text (see <c>TOPIARY_PLOT_FONT</c>).</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, string title, IReadOnlyList<HistogramSeries> series, int bins,
        int? width = null, int height = 450)
    {
        PlotGuard.NonEmptyList(series, nameof(series));
        int w = width ?? Math.Clamp(420 * series.Count, 600, PlotGuard.MaxPixels);
        PlotGuard.Common(path, title, w, height);
        if (bins < 1 || bins > 10_000)
            throw new ArgumentOutOfRangeException(nameof(bins), bins, "The number of bins must be in [1, 10000].");
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int i = 0; i < series.Count; i++)
        {
            HistogramSeries s = series[i];
            string name = PlotGuard.Name(s.Name, i, nameof(series));
            PlotGuard.Values(name, nameof(s.Values), s.Values, nameof(series));
            foreach (float v in s.Values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        double lo = min, hi = max;
        if (hi - lo <= 0)
        {
            double half = lo == 0 ? 0.5 : Math.Abs(lo) * 0.1;
            lo -= half;
            hi += half;
        }
        double binWidth = (hi - lo) / bins;

        int top = title.Length > 0 ? TitleBand : 0;
        using SKSurface surface = SKSurface.Create(new SKImageInfo(w, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {w}x{height} surface.");
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        if (top > 0)
            DrawTitle(canvas, title, w, top);

        var palette = new ScottPlot.Palettes.Category10();
        float panelWidth = (float)w / series.Count;
        for (int i = 0; i < series.Count; i++)
        {
            HistogramSeries s = series[i];
            long[] counts = Count(s.Values, lo, binWidth, bins);
            long peak = counts.Max();

            using ScottPlot.Plot plot = PlotRenderer.NewPlot(s.Name, "Weight value", "Count");
            var bars = new ScottPlot.Bar[bins];
            for (int b = 0; b < bins; b++)
            {
                bars[b] = new ScottPlot.Bar
                {
                    Position = lo + (b + 0.5) * binWidth,
                    Value = counts[b],
                    Size = binWidth,
                    FillColor = palette.GetColor(i),
                    LineWidth = 0,
                };
            }
            plot.Add.Bars(bars);
            double pad = (hi - lo) * 0.02;
            plot.Axes.SetLimits(lo - pad, hi + pad, 0, Math.Max(1, peak) * 1.05);
            var rect = new ScottPlot.PixelRect(i * panelWidth, (i + 1) * panelWidth, height, top);
            // A plot fills the whole canvas with its background first: clip it to its own panel.
            canvas.Save();
            canvas.ClipRect(new SKRect(rect.Left, rect.Top, rect.Right, rect.Bottom));
            plot.Render(canvas, rect);
            canvas.Restore();
        }
        PlotRenderer.SavePng(surface, path);
    }

    /// <summary>Counts <paramref name="values"/> into equal bins starting at <paramref name="lo"/>; the top edge falls in the last bin.</summary>
    internal static long[] Count(float[] values, double lo, double binWidth, int bins)
    {
        var counts = new long[bins];
        foreach (float v in values)
        {
            int b = (int)Math.Floor((v - lo) / binWidth);
            counts[Math.Clamp(b, 0, bins - 1)]++;
        }
        return counts;
    }

    private static void DrawTitle(SKCanvas canvas, string title, int width, int band)
    {
        // ScottPlot's resolver also knows a TOPIARY_PLOT_FONT file; its typefaces are cached and shared, so not disposed here.
        SKTypeface typeface = ScottPlot.Fonts.GetTypeface(PlotRenderer.FontFamily, bold: true, italic: false);
        using var font = new SKFont(typeface, 18);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        float textWidth = font.MeasureText(title, paint);
        float x = Math.Max(4, (width - textWidth) / 2);
        float y = band / 2f + font.Size / 2.8f;
        canvas.DrawText(title, x, y, SKTextAlign.Left, font, paint);
    }
}
