// OnnxImportInfo: what OnnxImporter learned about a model file besides the network itself —
// producer, versions, the graph's input/output names and shapes, and how parameters map back
// to the file's initializers. Immutable.
namespace Topiary.Onnx;

/// <summary>Facts about an imported ONNX model.</summary>
/// <param name="Path">The file the model was read from.</param>
/// <param name="ProducerName">The tool that wrote the file (e.g. <c>pytorch</c>); empty when absent.</param>
/// <param name="ProducerVersion">That tool's version; empty when absent.</param>
/// <param name="IrVersion">ONNX IR version of the file.</param>
/// <param name="OpsetVersion">Version of the default (<c>ai.onnx</c>) operator set the graph binds against.</param>
/// <param name="InputName">Name of the graph's data input.</param>
/// <param name="OutputName">Name of the graph's output.</param>
/// <param name="InputShape">Shape of one example (without the batch axis) when the file states it statically, else null.</param>
/// <param name="EndsWithSoftmax">
/// True when the node writing the (first) output is a Softmax: the model's output is probabilities, not logits (the
/// Softmax is part of the imported model).
/// </param>
/// <param name="ParameterSources">
/// For every parameter of the imported model (dotted Topiary name such as <c>conv1.weight</c>), the ONNX
/// initializer it came from. Weights of MatMul nodes are stored transposed in Topiary (<c>[out, in]</c>).
/// </param>
/// <param name="BufferSources">For every buffer (BatchNorm running statistics), the ONNX initializer it came from.</param>
public sealed record OnnxImportInfo(
    string Path,
    string ProducerName,
    string ProducerVersion,
    long IrVersion,
    long OpsetVersion,
    string InputName,
    string OutputName,
    int[]? InputShape,
    bool EndsWithSoftmax,
    IReadOnlyDictionary<string, string> ParameterSources,
    IReadOnlyDictionary<string, string> BufferSources)
{
    /// <summary>Names of the initializers the file stored as SparseTensorProto (expanded to dense on import); empty when none.</summary>
    public IReadOnlyList<string> SparseInitializers { get; init; } = [];

    /// <summary>Every data input the graph reads, with its full shape (batch first, −1 where symbolic).</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; init; } = [];

    /// <summary>Names of the graph outputs, in order.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>"Softmax" or "LogSoftmax" when the node writing the first output is one (kept in the model), else null.</summary>
    public string? OutputActivation { get; init; }
}
