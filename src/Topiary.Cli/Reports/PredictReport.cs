// PredictReport: what `topiary predict --json` writes — for every input example, in input order, the top class, its
// probability and the top-k classes with theirs. An example's "input" is the image file's path, or the example's index
// inside a .npy or IDX array file (a JSON number); PredictionInputConverter writes it as one or the other.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Topiary.Cli.Reports;

/// <summary>The <c>predict</c> command's JSON report.</summary>
/// <param name="Predictions">One entry per input example, in input order.</param>
public sealed record PredictReport(IReadOnlyList<PredictionReport> Predictions);

/// <summary>One example's prediction.</summary>
/// <param name="Input">Where the example came from: an image file's path (JSON string), or its index in an array file (JSON number).</param>
/// <param name="Class">The most probable class (0-based index into the model's outputs).</param>
/// <param name="Score">Its probability (softmax of the outputs, or the outputs themselves when they already are probabilities), 0..1.</param>
/// <param name="TopK">The <c>--top-k</c> most probable classes, most probable first.</param>
public sealed record PredictionReport(PredictionInput Input, int Class, float Score, IReadOnlyList<ClassScore> TopK);

/// <summary>A class and its probability.</summary>
/// <param name="Class">0-based class index.</param>
/// <param name="Score">Probability, 0..1.</param>
public sealed record ClassScore(int Class, float Score);

/// <summary>Where a predicted example came from: an image file, or an index into an array file; written as a JSON string or number.</summary>
/// <param name="File">The image file's path; null for an example of an array file.</param>
/// <param name="Index">The example's index inside a .npy or IDX file; null for an image file.</param>
[JsonConverter(typeof(PredictionInputConverter))]
public readonly record struct PredictionInput(string? File, int? Index);

/// <summary>Writes a <see cref="PredictionInput"/> as its index (a JSON number) or its file (a JSON string), and reads either back.</summary>
public sealed class PredictionInputConverter : JsonConverter<PredictionInput>
{
    /// <inheritdoc/>
    /// <exception cref="JsonException">The token is neither a number nor a string.</exception>
    public override PredictionInput Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => new PredictionInput(null, reader.GetInt32()),
        JsonTokenType.String => new PredictionInput(reader.GetString(), null),
        var t => throw new JsonException($"A prediction's \"input\" must be a number (index) or a string (file); got {t}."),
    };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, PredictionInput value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Index is int index) writer.WriteNumberValue(index);
        else writer.WriteStringValue(value.File);
    }
}
