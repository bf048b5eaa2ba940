// OnnxImportOptions: how to import a file whose inputs have symbolic dimensions other than the batch.
namespace Topiary.Onnx;

/// <summary>Options for <see cref="OnnxImporter.Import(string, OnnxImportOptions)"/>.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>
    /// Per-example shapes (without the batch axis) for inputs whose file shape has symbolic dimensions, by input name
    /// (e.g. <c>{"input": [3, 224, 224]}</c>). Inputs not listed use the file's shape.
    /// </summary>
    public IReadOnlyDictionary<string, int[]> InputShapes { get; init; } = new Dictionary<string, int[]>();
}
