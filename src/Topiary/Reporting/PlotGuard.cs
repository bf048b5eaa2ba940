// PlotGuard: argument checks shared by the plots. Every failure is an ArgumentException whose message
// names the series (and the index of the first bad value), so a caller building series from a report
// knows which layer's data is wrong.
namespace Topiary.Reporting;

internal static class PlotGuard
{
    /// <summary>Largest accepted image side in pixels (a 10k x 10k RGBA surface is 400 MB already).</summary>
    internal const int MaxPixels = 10_000;

    internal static void Common(string path, string title, int width, int height)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(title);
        if (width < 100 || width > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"Image width must be in [100, {MaxPixels}] pixels.");
        if (height < 100 || height > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(height), height, $"Image height must be in [100, {MaxPixels}] pixels.");
    }

    internal static void NonEmptyList<T>(IReadOnlyList<T>? series, string paramName)
    {
        ArgumentNullException.ThrowIfNull(series, paramName);
        if (series.Count == 0)
            throw new ArgumentException("At least one series is required.", paramName);
        for (int i = 0; i < series.Count; i++)
            if (series[i] is null)
                throw new ArgumentException($"Series #{i} is null.", paramName);
    }

    internal static string Name(string? name, int index, string paramName) =>
        name ?? throw new ArgumentException($"Series #{index} has a null name.", paramName);

    /// <summary>Checks one array of a series: present, non-empty, finite, optionally within [min, max].</summary>
    internal static void Values(string series, string field, double[]? values, string paramName,
        double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (values is null)
            throw new ArgumentException($"Series '{series}': {field} is null.", paramName);
        if (values.Length == 0)
            throw new ArgumentException($"Series '{series}': {field} is empty.", paramName);
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v))
                throw new ArgumentException($"Series '{series}': {field}[{i}] is {v}, not a finite number.", paramName);
            if (v < min || v > max)
                throw new ArgumentException($"Series '{series}': {field}[{i}] = {v} is outside [{min}, {max}].", paramName);
        }
    }

    internal static void Values(string series, string field, float[]? values, string paramName)
    {
        if (values is null)
            throw new ArgumentException($"Series '{series}': {field} is null.", paramName);
        if (values.Length == 0)
            throw new ArgumentException($"Series '{series}': {field} is empty.", paramName);
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Series '{series}': {field}[{i}] is {values[i]}, not a finite number.", paramName);
    }

    internal static void SameLength(string series, string fieldA, int a, string fieldB, int b, string paramName)
    {
        if (a != b)
            throw new ArgumentException($"Series '{series}': {fieldA} has {a} values but {fieldB} has {b}.", paramName);
    }
}
