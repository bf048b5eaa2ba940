// JsonReport: every command's result as a JSON document (snake_case), written atomically.
using System.Text.Json;
using System.Text.Json.Serialization;
using Topiary.IO;

namespace Topiary.Cli;

/// <summary>Writes command results as JSON.</summary>
public static class JsonReport
{
    /// <summary>Serializer options: snake_case names, indented, NaN as strings.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Serializes <paramref name="report"/> to <paramref name="path"/> (temp file + rename). No-op when path is null.</summary>
    public static void Write<T>(string? path, T report)
    {
        if (string.IsNullOrEmpty(path)) return;
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(report, Options));
    }

    /// <summary>A reproduce command's ending: <c>report.json</c> into <paramref name="workDirectory"/>, the report to
    /// <paramref name="json"/> when given, and the "outputs in" line (<paramref name="files"/> listed when not empty).</summary>
    public static void WriteRun<T>(string workDirectory, string? json, T report, string files = "")
    {
        Write(Path.Combine(workDirectory, "report.json"), report);
        Write(json, report);
        Spectre.Console.AnsiConsole.MarkupLine($"outputs in [bold]{Spectre.Console.Markup.Escape(workDirectory)}[/]{(files.Length > 0 ? $" ({Spectre.Console.Markup.Escape(files)})" : "")}");
    }
}
