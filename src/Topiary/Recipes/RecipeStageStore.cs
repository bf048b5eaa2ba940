// RecipeStageStore: the record of finished stages of a recipe run, one JSON file per stage in
// <out>/stages/<stage>.json = { "key": <SHA-256 of the recipe parts the stage depends on>, "result": ... },
// written atomically after the stage's model file. On --resume a stage is reused when its record exists with
// the same key; a record with another key means the recipe changed since: the stage (and so every later one)
// is recomputed, and its lower-level checkpoint is not resumed (it belongs to the old recipe).
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Topiary.Recipes;

/// <summary>What <see cref="RecipeStageStore.Look"/> found for a stage.</summary>
internal enum StageState
{
    /// <summary>No record: the stage never finished (its checkpoint, if any, may be resumed).</summary>
    Missing,
    /// <summary>A record from the same recipe parts: reuse it.</summary>
    Done,
    /// <summary>A record from other recipe parts: recompute from scratch.</summary>
    Stale,
}

/// <summary>Reads and writes stage records of one output directory.</summary>
internal sealed class RecipeStageStore(string outputDirectory)
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private string PathOf(string stage) => Path.Combine(outputDirectory, "stages", stage + ".json");

    /// <summary>The key of a stage: SHA-256 (hex) of the recipe parts it depends on, as YAML.</summary>
    public static string Key(Recipe recipe, RecipeSections sections) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RecipeWriter.ToYaml(recipe, sections))));

    /// <summary>The state of <paramref name="stage"/> for <paramref name="key"/>, and its result when done.</summary>
    /// <exception cref="InvalidDataException">The record is not valid JSON of the expected shape.</exception>
    public (StageState State, T? Result) Look<T>(string stage, string key) where T : class
    {
        string path = PathOf(stage);
        if (!File.Exists(path)) return (StageState.Missing, null);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            string? stored = doc.RootElement.GetProperty("key").GetString();
            if (stored != key) return (StageState.Stale, null);
            T result = doc.RootElement.GetProperty("result").Deserialize<T>(Json)
                ?? throw new InvalidDataException($"{path}: 'result' is null.");
            return (StageState.Done, result);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: malformed stage record ({e.Message}); delete it to recompute the stage.", e);
        }
    }

    /// <summary>Records <paramref name="stage"/> as finished with <paramref name="result"/> (atomically).</summary>
    public void Save<T>(string stage, string key, T result)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PathOf(stage))!);
        IO.AtomicFile.WriteAllText(PathOf(stage), JsonSerializer.Serialize(new { key, result }, Json));
    }
}
