// ModelInputShape: the shape of one input example a model expects (without the batch axis), as far as the model and
// its file tell: the model file's 'input_shape' metadata ("1,28,28", written by `topiary import` from the ONNX graph
// input), else the zoo architecture's shape, else the dataset's ([1, 28, 28] for mnist and fashion-mnist), else what the
// first layer implies — a Conv2d gives [C, -1, -1] (channels known, height and width not), a Linear gives [features].
// Dimensions that are not known are -1; null means nothing is known. The layout is the model's own (NCHW for
// Topiary's layers).
using System.Globalization;
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>What one input example of a model looks like.</summary>
public static class ModelInputShape
{
    /// <summary>
    /// The per-example input shape: <paramref name="metadata"/>'s <see cref="ModelFile.InputShapeKey"/>, else the zoo
    /// shape of <paramref name="modelName"/>, else the shape of the metadata's <c>dataset</c>, else what the first layer
    /// of <paramref name="model"/> implies (unknown dimensions -1); null when nothing is known.
    /// </summary>
    /// <param name="modelName">The model's name (a zoo name, or a descriptive one).</param>
    /// <param name="metadata">The model file's metadata.</param>
    /// <param name="model">The network.</param>
    /// <param name="source">The model file, named in error messages.</param>
    /// <exception cref="InvalidDataException">The <see cref="ModelFile.InputShapeKey"/> metadata is not a list of positive integers.</exception>
    public static int[]? Of(string modelName, IReadOnlyDictionary<string, string> metadata, Module model, string source)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(model);
        if (metadata.TryGetValue(ModelFile.InputShapeKey, out var text)) return Parse(text, source);
        if (ModelZoo.Names.Contains(modelName)) return ModelZoo.Get(modelName).InputShape.ToArray();
        if (metadata.TryGetValue("dataset", out var dataset) && dataset.ToLowerInvariant() is "mnist" or "fashion-mnist") return [1, 28, 28];
        return FromFirstLayer(model);
    }

    /// <summary>What the first layer implies: <c>[C, -1, -1]</c> for a Conv2d, <c>[features]</c> for a Linear, else null.</summary>
    public static int[]? FromFirstLayer(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Module current = model;
        for (int depth = 0; depth < 64; depth++)
        {
            switch (current)
            {
                case Conv2d conv: return [conv.InChannels, -1, -1];
                case Linear linear: return [linear.InFeatures];
                case Sequential { Count: > 0 } seq: current = seq[0]; break;
                default: return null;
            }
        }
        return null;
    }

    /// <summary>The text form stored in metadata: <c>1,28,28</c>.</summary>
    public static string Format(IEnumerable<int> shape) => string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>True when every dimension is known (none is -1).</summary>
    public static bool IsComplete(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.All(d => d >= 0);
    }

    /// <summary>True when <paramref name="shape"/> has the rank of <paramref name="expected"/> and equals it wherever it is known.</summary>
    public static bool Matches(ReadOnlySpan<int> shape, IReadOnlyList<int> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (shape.Length != expected.Count) return false;
        for (int i = 0; i < shape.Length; i++)
            if (expected[i] >= 0 && expected[i] != shape[i]) return false;
        return true;
    }

    /// <summary>A shape for messages: <c>[1, 28, 28]</c>, unknown dimensions shown as <c>?</c>.</summary>
    public static string Show(IEnumerable<int> shape) => "[" + string.Join(", ", shape.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static int[] Parse(string text, string source)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > 8)
            throw new InvalidDataException($"{source}: metadata field '{ModelFile.InputShapeKey}' has {parts.Length} dimensions; at most 8 are supported.");
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] < 1)
                throw new InvalidDataException($"{source}: metadata field '{ModelFile.InputShapeKey}' is '{text}'; expected positive integers separated by commas, e.g. 1,28,28.");
        return shape;
    }
}
