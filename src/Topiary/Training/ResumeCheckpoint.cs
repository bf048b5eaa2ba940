// ResumeCheckpoint: the one way a long schedule checkpoints and resumes (iterative pruning rounds, energy-aware
// layers, Mao's density sweep): the model's state (Checkpoint: values, masks, buffers) plus two JSON documents in the
// file's metadata — the run's identity (the options that decide the result) and its progress (what is done). A resume
// under another identity is refused, naming the first field that differs, so a checkpoint is never continued with
// other options; written atomically like every checkpoint.
using System.Text.Json;
using System.Text.Json.Nodes;
using Topiary.Nn;

namespace Topiary.Training;

/// <summary>Saves and restores a schedule's model, identity and progress.</summary>
public static class ResumeCheckpoint
{
    /// <summary>Metadata key of the identity document.</summary>
    public const string IdentityKey = "resume.identity";

    /// <summary>Metadata key of the progress document.</summary>
    public const string ProgressKey = "resume.progress";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <paramref name="model"/> with the run's <paramref name="identity"/> and <paramref name="progress"/> (atomically).</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="model">The model.</param>
    /// <param name="identity">An object whose public properties are the options that decide the result.</param>
    /// <param name="progress">What is done so far.</param>
    public static void Save<TProgress>(string path, Module model, object identity, TProgress progress)
    {
        ArgumentNullException.ThrowIfNull(identity);
        Checkpoint.Save(path, model, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [IdentityKey] = IdentityJson(identity),
            [ProgressKey] = JsonSerializer.Serialize(progress, Json),
        });
    }

    /// <summary>The identity document of <paramref name="identity"/> (snake_case JSON of its public properties).</summary>
    public static string IdentityJson(object identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return JsonSerializer.Serialize(identity, identity.GetType(), Json);
    }

    /// <summary>Checks a stored identity document against this run's <paramref name="identity"/>, field by field.</summary>
    /// <exception cref="InvalidDataException">No stored identity, or a field that differs (named, with both values).</exception>
    public static void CheckIdentity(string path, string? stored, object identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var had = (stored is null ? null : JsonNode.Parse(stored)) as JsonObject
            ?? throw new InvalidDataException($"{path}: cannot resume: no '{IdentityKey}' (a checkpoint of another kind or version).");
        foreach (var (key, value) in JsonNode.Parse(IdentityJson(identity))!.AsObject())
        {
            JsonNode? old = had[key];
            if (!JsonNode.DeepEquals(old, value))
                throw new InvalidDataException($"{path}: cannot resume: '{key}' is {old?.ToJsonString() ?? "missing"} in the checkpoint but {value?.ToJsonString() ?? "null"} in this run.");
        }
    }

    /// <summary>Loads the checkpoint into <paramref name="model"/> and returns its progress.</summary>
    /// <exception cref="InvalidDataException">Another identity (the message names the first field that differs), missing or
    /// malformed documents, or a model that does not match.</exception>
    public static TProgress Restore<TProgress>(string path, Module model, object identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var data = Checkpoint.Load(path);
        try
        {
            CheckIdentity(path, data.Metadata.GetValueOrDefault(IdentityKey), identity);
            var progress = JsonSerializer.Deserialize<TProgress>(data.Metadata.GetValueOrDefault(ProgressKey) ?? "null", Json)
                ?? throw new InvalidDataException($"{path}: cannot resume: no '{ProgressKey}'.");
            Checkpoint.LoadInto(model, data);
            return progress;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the resume metadata is malformed: {e.Message}", e);
        }
    }
}
