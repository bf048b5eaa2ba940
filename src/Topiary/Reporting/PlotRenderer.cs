// PlotRenderer: what every plot shares — the font, the house style, percent tick labels, and the final
// step "render to PNG bytes in memory, then AtomicFile" so a failed render never touches the target.
//
// Fonts. ScottPlot 5 draws with SkiaSharp; the Linux native library it brings
// (SkiaSharp.NativeAssets.Linux.NoDependencies) has no fontconfig and finds fonts only by scanning
// /usr/share/fonts/. With no font there, SkiaSharp silently draws NO text at all (titles, ticks and legends
// vanish). So the font is resolved once, explicitly: the file named by TOPIARY_PLOT_FONT if set, else a
// common sans family installed under /usr/share/fonts (Debian: fonts-dejavu-core), else any installed
// family, else DejaVu Sans fetched through the dataset cache (npm package dejavu-fonts-ttf, checksum-
// verified, like MNIST); only when that fails too does rendering throw an InvalidOperationException that
// says how to fix it, rather than producing a figure without labels.
using SkiaSharp;
using Topiary.IO;

namespace Topiary.Reporting;

internal static class PlotRenderer
{
    /// <summary>Environment variable naming a .ttf/.otf file to draw all plot text with.</summary>
    internal const string FontEnvironmentVariable = "TOPIARY_PLOT_FONT";

    private const string CustomFontName = "Topiary Plot Font";

    private static readonly string[] PreferredFamilies =
        ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "FreeSans", "Roboto", "Open Sans"];

    private static readonly Lazy<string> Family = new(ResolveFontFamily, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The font family all plot text uses (resolved once per process).</summary>
    /// <exception cref="InvalidOperationException">No font could be found.</exception>
    internal static string FontFamily => Family.Value;

    private static string ResolveFontFamily()
    {
        string? file = Environment.GetEnvironmentVariable(FontEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(file)) return RegisterFile(file);

        // With no font files SkiaSharp still lists one family: "" with an empty (0-glyph) typeface.
        string[] installed = SKFontManager.Default.FontFamilies.Where(HasGlyphs).ToArray();
        foreach (string preferred in PreferredFamilies)
            foreach (string family in installed)
                if (string.Equals(family, preferred, StringComparison.OrdinalIgnoreCase))
                    return family;
        if (installed.Length > 0)
            return installed[0];
        try
        {
            string dir = new Data.DatasetCache().Ensure(Data.PackagedDataset.DejaVuFonts);
            return RegisterFile(Path.Combine(dir, "DejaVuSans.ttf"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                "No font is available to draw plot text: SkiaSharp (Linux NoDependencies build) looks only in /usr/share/fonts/, " +
                $"and fetching dejavu-fonts-ttf through npm failed ({e.Message}). " +
                $"Install a font package (Debian/Ubuntu: apt-get install fonts-dejavu-core) or set {FontEnvironmentVariable} to a .ttf file.", e);
        }
    }

    private static string RegisterFile(string file)
    {
        {
            if (!File.Exists(file))
                throw new InvalidOperationException($"{FontEnvironmentVariable}='{file}' does not name an existing font file.");
            using (SKTypeface? probe = SKTypeface.FromFile(file))
            {
                if (probe is null)
                    throw new InvalidOperationException($"{FontEnvironmentVariable}='{file}' is not a font SkiaSharp can read (.ttf/.otf expected).");
            }
            ScottPlot.Fonts.AddFontFile(CustomFontName, file, bold: false, italic: false);
            ScottPlot.Fonts.AddFontFile(CustomFontName, file, bold: true, italic: false);
            return CustomFontName;
        }
    }

    private static bool HasGlyphs(string family)
    {
        if (string.IsNullOrWhiteSpace(family)) return false;
        using SKTypeface? typeface = SKFontManager.Default.MatchFamily(family);
        return typeface is not null && typeface.GlyphCount > 0;
    }

    /// <summary>A plot with the house style: the resolved font, a legend-friendly look.</summary>
    internal static ScottPlot.Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new ScottPlot.Plot();
        try
        {
            plot.Font.Set(FontFamily, ScottPlot.FontWeight.Normal, ScottPlot.FontSlant.Upright, ScottPlot.FontSpacing.Normal);
            plot.Legend.FontName = FontFamily;
            if (title.Length > 0) plot.Title(title);
            if (xLabel.Length > 0) plot.XLabel(xLabel);
            if (yLabel.Length > 0) plot.YLabel(yLabel);
            return plot;
        }
        catch
        {
            plot.Dispose();
            throw;
        }
    }

    /// <summary>Tick labels of a fraction axis as whole percentages (0.25 → "25%").</summary>
    internal static void PercentTicks(ScottPlot.IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => (v * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "%",
        };
    }

    /// <summary>Marker shapes cycled with the palette so lines stay distinguishable past ten series and in grey print.</summary>
    internal static ScottPlot.MarkerShape Marker(int index) => (index % 6) switch
    {
        0 => ScottPlot.MarkerShape.FilledCircle,
        1 => ScottPlot.MarkerShape.FilledSquare,
        2 => ScottPlot.MarkerShape.FilledTriangleUp,
        3 => ScottPlot.MarkerShape.FilledDiamond,
        4 => ScottPlot.MarkerShape.FilledTriangleDown,
        _ => ScottPlot.MarkerShape.OpenCircle,
    };

    /// <summary>Renders <paramref name="plot"/> to PNG in memory, then writes <paramref name="path"/> atomically.</summary>
    internal static void SavePng(ScottPlot.Plot plot, string path, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }

    /// <summary>Encodes a Skia surface to PNG in memory, then writes <paramref name="path"/> atomically.</summary>
    internal static void SavePng(SKSurface surface, string path)
    {
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the plot as PNG.");
        AtomicFile.WriteAllBytes(path, data.AsSpan());
    }
}
