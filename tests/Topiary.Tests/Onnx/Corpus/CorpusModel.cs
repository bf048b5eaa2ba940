// CorpusModel: one entry of the ONNX test corpus — a name, the exporter pattern it reproduces, the opset it is written
// at, and a function that builds the (deterministic) model. Immutable.
using Google.Protobuf;
using Topiary.Onnx.Proto;

namespace Topiary.Tests.Onnx.Corpus;

/// <param name="Name">Identifier used in test names (e.g. pytorch_view_by_shape).</param>
/// <param name="Pattern">The exporter and the idioms the graph reproduces.</param>
/// <param name="Opset">Default-domain opset of the file.</param>
/// <param name="Build">Builds the model; the same call always gives the same bytes.</param>
internal sealed record CorpusModel(string Name, string Pattern, long Opset, Func<ModelProto> Build)
{
    /// <summary>Writes the model to <paramref name="directory"/>/Name.onnx; returns the path.</summary>
    public string Save(string directory)
    {
        string path = Path.Combine(directory, Name + ".onnx");
        File.WriteAllBytes(path, Build().ToByteArray());
        return path;
    }

    public override string ToString() => Name;
}
