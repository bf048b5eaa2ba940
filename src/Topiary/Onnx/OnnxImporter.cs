// OnnxImporter: reads an .onnx file (protobuf ModelProto, opsets 7–21; tensors inline or in external data files next
// to it, see OnnxExternalData) into a Topiary model.
// Contract:
//   - Any directed acyclic graph of supported operators, with any number of float inputs and outputs, imports as a
//     trainable Topiary.Nn.Graph over the file's tensor names (inputs and outputs keep their names); a graph that is one
//     chain of single-input layers comes back as a Sequential (so every chain-only tool keeps working on it).
//   - Everything computable at import is computed (OnnxConstantFolder): weights made by ConstantOfShape or by a
//     Reshape/Transpose of an initializer, shape subgraphs (Shape → Gather → Unsqueeze → Concat → Reshape), casts and
//     arithmetic on constants. Shapes come from a zero probe of batch 1 run through every layer as it is added; the
//     batch size stays dynamic (a Reshape that copies it, or a fixed batch of 1 in the file, works for any batch).
//   - Layers per operator: see OnnxNodeConverter. Dropout/Identity vanish; a per-channel Add after a bias-less Conv or
//     Linear becomes its bias; a final Softmax / LogSoftmax stays in the model (OnnxImportInfo.EndsWithSoftmax says so).
//   - Parameter names: the weight initializer's prefix ("layer1.0.conv1.weight" stays "layer1.0.conv1.weight"), else
//     the node's name (OnnxNodeConverter.Name); OnnxImportInfo.ParameterSources maps each parameter to its initializer.
// Errors (one message naming the file, and the node and op type where there is one):
//   unreadable protobuf, missing graph, a tensor produced twice or never, a cycle, malformed tensors or attributes, a
//   missing or malformed external data file →
//   InvalidDataException; operators of other domains (ai.onnx.ml ZipMap ...) or not supported, settings Topiary cannot
//   represent, non-float inputs, symbolic non-batch input dims (without OnnxImportOptions.InputShapes), or more than
//   MaxExampleElements values per example → NotSupportedException. The unsupported operators are listed all at once.
using Google.Protobuf;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

/// <summary>Imports ONNX models into Topiary graphs.</summary>
public static class OnnxImporter
{
    /// <summary>Largest input the importer accepts, in values per example (2^24; ImageNet's 3×224×224 is 150,528).</summary>
    public const int MaxExampleElements = 1 << 24;

    /// <summary>Operator types the importer understands (default ONNX domain): converted to layers or computed at import.</summary>
    public static IReadOnlyList<string> SupportedOperators { get; } =
        OnnxNodeConverter.Supported.Concat(OnnxConstantFolder.Foldable).Append("Constant").Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Reads <paramref name="path"/> and builds the equivalent network (evaluation semantics).</summary>
    /// <returns>The model (a <see cref="Graph"/>, or a <see cref="Sequential"/> for a plain chain) and facts about the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model; the message names the file, node and tensor.</exception>
    /// <exception cref="NotSupportedException">The model uses an operator or setting Topiary cannot represent; the message names the file, node(s) and op type(s).</exception>
    public static (Module Model, OnnxImportInfo Info) Import(string path) => Import(path, new OnnxImportOptions());

    /// <summary>As <see cref="Import(string)"/>, with options (input shapes for symbolic dimensions).</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model.</exception>
    /// <exception cref="NotSupportedException">The model uses an operator or setting Topiary cannot represent.</exception>
    public static (Module Model, OnnxImportInfo Info) Import(string path, OnnxImportOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        byte[] bytes = File.ReadAllBytes(path);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not a valid ONNX model (protobuf: {e.Message}).", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidDataException($"{path}: not a valid ONNX model (field 'graph' is missing or has no nodes).");
        OnnxExternalData.Load(model, path);
        return new OnnxGraphImport(path, model, options).Run();
    }
}
