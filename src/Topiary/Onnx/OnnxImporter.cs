// OnnxImporter: reads an .onnx file (protobuf ModelProto) into a Topiary module tree.
// Contract:
//   - One data input, one output. The graph is a chain of layers with fork-join blocks: a tensor read by several
//     nodes whose branches meet again at one Add (→ Residual: body + shortcut, an empty branch = identity) or one
//     Concat on axis 1 (→ Concat, branches in the Concat's input order). Blocks nest (Inception modules inside a
//     Sequential, ResNet bottlenecks with projection shortcuts). Walking: OnnxGraphWalker; building: OnnxModelBuilder.
//   - Operators (default domain): Conv, Gemm, MatMul [+ Add of a constant bias], Relu, MaxPool, AveragePool,
//     GlobalAveragePool, Flatten, Reshape to [N, -1], BatchNormalization, LRN, Dropout / Identity (dropped),
//     Constant, Add / Concat joins, and a final Softmax (dropped, flagged in OnnxImportInfo.EndsWithSoftmax); the
//     settings each accepts are listed in OnnxLayerConverter.
//   - Initializers may be dense (TensorProto) or sparse (SparseTensorProto, COO; validated and expanded).
//   - Children are named after the initializers when they follow PyTorch's "<layer>.weight" pattern (so conv1.weight
//     stays conv1.weight; inside blocks "res.body.conv1.weight" → child conv1 of res.body), else after the node
//     ("/relu_1/Relu" → relu_1), else "<op><index>". OnnxImportInfo.ParameterSources maps every parameter back to
//     its initializer. With a static input shape a zero example is run through every layer as it is added.
// Errors: unreadable or corrupt protobuf, missing graph, a node without output, a tensor produced twice, a node
// input nothing produces, a cycle, malformed tensors or attributes → InvalidDataException naming the file (and
// node and tensor); operators, settings or graph shapes outside the above → NotSupportedException naming the file,
// node name(s) and op type(s); so does a static input of more than MaxExampleElements values per example (the
// importer runs a zero example through every layer, which must stay small).
using Google.Protobuf;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

/// <summary>Imports ONNX models made of layer chains and Residual/Concat fork-join blocks into Topiary modules.</summary>
public static class OnnxImporter
{
    /// <summary>Largest static input the importer accepts, in values per example (2^24; ImageNet's 3×224×224 is 150,528).</summary>
    public const int MaxExampleElements = 1 << 24;

    /// <summary>Operator types the importer understands (default ONNX domain).</summary>
    public static IReadOnlyList<string> SupportedOperators { get; } =
    [
        "Conv", "Gemm", "MatMul", "Add", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape",
        "BatchNormalization", "LRN", "Dropout", "Identity", "Constant", "Concat", "Softmax",
    ];

    /// <summary>
    /// Reads <paramref name="path"/> and builds the equivalent network (evaluation semantics: BatchNorm uses the
    /// file's running statistics, Dropout is left out).
    /// </summary>
    /// <returns>The model (a <see cref="Sequential"/>, possibly holding <see cref="Residual"/> and <see cref="Concat"/> blocks) and facts about the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a valid ONNX model: corrupt protobuf, no graph, a tensor produced twice, a node input nothing
    /// produces, a cycle, a malformed (dense or sparse) tensor or attribute; the message names the file (and node and tensor).
    /// </exception>
    /// <exception cref="NotSupportedException">
    /// The graph is not made of chains and Residual/Concat fork-join blocks, or uses an operator or setting Topiary
    /// cannot represent, or its static input holds more than <see cref="MaxExampleElements"/> values per example; the
    /// message names the node and op type (or the input) and says why.
    /// </exception>
    public static (Module Model, OnnxImportInfo Info) Import(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
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
        return Build(path, model);
    }

    private static (Module, OnnxImportInfo) Build(string file, ModelProto model)
    {
        var graph = model.Graph;
        var index = new OnnxGraphIndex(file, graph);
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();

        var inputs = graph.Input.Where(i => !index.IsConstant(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new NotSupportedException($"{file}: the graph has {inputs.Count} data inputs ({string.Join(", ", inputs.Select(i => i.Name))}); exactly one is supported.");
        if (graph.Output.Count != 1)
            throw new NotSupportedException($"{file}: the graph has {graph.Output.Count} outputs; exactly one is supported.");
        var input = inputs[0];
        string outputName = graph.Output[0].Name;
        int[]? inputShape = StaticShape(file, input);

        var items = new OnnxGraphWalker(file, index, outputName).Walk(input.Name);
        var builder = new OnnxModelBuilder(new OnnxLayerConverter(file, index, opset), outputName);
        var net = builder.Build(items, inputShape is null ? null : new Tensor([1, .. inputShape]));
        var info = new OnnxImportInfo(file, model.ProducerName, model.ProducerVersion, model.IrVersion, opset, input.Name, outputName,
            inputShape, builder.EndsWithSoftmax, builder.ParameterSources, builder.BufferSources)
        {
            SparseInitializers = index.SparseNames,
        };
        return (net, info);
    }

    private static int[]? StaticShape(string file, ValueInfoProto input)
    {
        var tensorType = input.Type?.TensorType;
        if (tensorType is null) return null;
        if (tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new NotSupportedException($"{file}: input '{input.Name}' has element type {OnnxTensors.DataTypeName(tensorType.ElemType)}; only FLOAT is supported.");
        var dims = tensorType.Shape?.Dim;
        if (dims is null || dims.Count < 2) return null;
        var shape = new int[dims.Count - 1];
        long elements = 1;
        for (int i = 1; i < dims.Count; i++)
        {
            if (dims[i].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || dims[i].DimValue < 1 || dims[i].DimValue > int.MaxValue)
                return null;
            shape[i - 1] = (int)dims[i].DimValue;
            elements = Math.Min(elements * shape[i - 1], long.MaxValue / int.MaxValue);
        }
        if (elements > MaxExampleElements)
            throw new NotSupportedException(
                $"{file}: input '{input.Name}' has shape {Tensor.ShapeString(shape)} per example ({elements} values or more); the importer supports at most {MaxExampleElements}.");
        return shape;
    }
}
