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
}
