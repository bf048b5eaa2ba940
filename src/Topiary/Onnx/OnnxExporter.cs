// OnnxExporter: writes a Topiary module tree as an ONNX model (IR 8, opset 13, default domain).
// Contract:
//   - Layers: Conv2d → Conv (group, dilations, pads [top, left, bottom, right]), Linear → Gemm (transB = 1),
//     ReLU → Relu, MaxPool2d → MaxPool, AvgPool2d → AveragePool (kernel_shape, strides, pads, ceil_mode,
//     count_include_pad), GlobalAvgPool2d → GlobalAveragePool, GlobalMaxPool2d → GlobalMaxPool, Flatten → Flatten (axis 1),
//     BatchNorm1d/2d → BatchNormalization (inference: running statistics), LocalResponseNorm (odd size) → LRN;
//     Dropout and Identity are left out (inference semantics).
//   - Containers, recursively: Sequential → its children in order; Residual → body, shortcut (or the block input for
//     the identity shortcut) and Add(body output, shortcut output) named after the block; Concat → every branch on the
//     block input and Concat(axis 1) of their outputs in branch order, named after the block.
//   - Node names are the dotted module paths (conv1, res.body.conv1, res); initializers carry the dotted parameter /
//     buffer names (res.body.conv1.weight, bn1.running_mean, ...) as float32 raw_data; pruned weights are dense tensors
//     with zeros, or — with OnnxExportOptions.SparseInitializers — Conv/Gemm weights sparser than the threshold are
//     SparseTensorProto initializers (OnnxSparseTensors).
//   - The input is float32 [N, ...inputShapeWithoutBatch] with a symbolic batch dimension "N"; the output shape is
//     found by running the model once (evaluation mode) on one zero example, which also checks the input shape.
//   - Deterministic: the same model and options give byte-identical files. Written atomically (AtomicFile).
// Errors: unsupported layer → NotSupportedException naming the layer; bad shape or option → ArgumentException.
using Google.Protobuf;
using Topiary.IO;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

/// <summary>Exports Topiary models (chains with Residual / Concat blocks) as ONNX models runnable by ONNX Runtime.</summary>
public static class OnnxExporter
{
    /// <summary>ONNX IR version written.</summary>
    public const long IrVersion = 8;

    /// <summary>Default-domain operator set version written.</summary>
    public const long OpsetVersion = 13;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> as an ONNX model with input
    /// <paramref name="inputName"/> of shape <c>[N, ...inputShapeWithoutBatch]</c> and output <paramref name="outputName"/>
    /// (dense initializers).
    /// </summary>
    /// <param name="model">A supported layer or container tree (see the file header).</param>
    /// <param name="inputShapeWithoutBatch">Shape of one example, e.g. <c>[1, 28, 28]</c>.</param>
    /// <param name="path">Target file; replaced atomically.</param>
    /// <param name="inputName">Name of the graph input.</param>
    /// <param name="outputName">Name of the graph output.</param>
    /// <exception cref="ArgumentException">An argument is empty, the input shape has a dimension below 1 or does not fit the model, or the names are equal.</exception>
    /// <exception cref="NotSupportedException">The model contains a layer that cannot be exported; the message names it.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Export(Module model, int[] inputShapeWithoutBatch, string path, string inputName = "input", string outputName = "output") =>
        Export(model, inputShapeWithoutBatch, path, new OnnxExportOptions { InputName = inputName, OutputName = outputName });

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as an ONNX model, as configured by <paramref name="options"/>.</summary>
    /// <param name="model">A supported layer or container tree (see the file header).</param>
    /// <param name="inputShapeWithoutBatch">Shape of one example, e.g. <c>[1, 28, 28]</c>.</param>
    /// <param name="path">Target file; replaced atomically.</param>
    /// <param name="options">Names and the sparse-initializer setting.</param>
    /// <exception cref="ArgumentException">
    /// An argument or name is empty, the names are equal, the input shape has a dimension below 1 or does not fit the
    /// model, or <see cref="OnnxExportOptions.SparseDensityThreshold"/> is outside (0, 1].
    /// </exception>
    /// <exception cref="NotSupportedException">The model contains a layer that cannot be exported; the message names it.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Export(Module model, int[] inputShapeWithoutBatch, string path, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShapeWithoutBatch);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        string inputName = options.InputName, outputName = options.OutputName;
        ArgumentException.ThrowIfNullOrEmpty(inputName, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(outputName, nameof(options));
        if (inputName == outputName) throw new ArgumentException($"Input and output names must differ ('{inputName}').", nameof(options));
        if (!(options.SparseDensityThreshold > 0 && options.SparseDensityThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.SparseDensityThreshold, "SparseDensityThreshold must be in (0, 1].");
        if (inputShapeWithoutBatch.Length == 0 || inputShapeWithoutBatch.Any(d => d < 1))
            throw new ArgumentException($"Input shape {Tensor.ShapeString(inputShapeWithoutBatch)} must have at least one dimension, all positive.", nameof(inputShapeWithoutBatch));

        Tensor probe;
        try
        {
            probe = model.Forward(new Tensor([1, .. inputShapeWithoutBatch]), training: false);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Input shape {Tensor.ShapeString(inputShapeWithoutBatch)} does not fit the model: {e.Message}", nameof(inputShapeWithoutBatch), e);
        }

        var graph = new GraphProto { Name = "topiary" };
        graph.Input.Add(ValueInfo(inputName, inputShapeWithoutBatch));
        var writer = new GraphWriter(graph, options);
        string last = writer.Emit(model, "", inputName);
        if (last == inputName)
        {
            var identity = new NodeProto { Name = "identity", OpType = "Identity" };
            identity.Input.Add(last);
            identity.Output.Add(outputName);
            graph.Node.Add(identity);
        }
        else graph.Node[^1].Output[0] = outputName; // `last` is always the newest node's output
        graph.Output.Add(ValueInfo(outputName, probe.Shape[1..].ToArray()));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "topiary",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    private sealed class GraphWriter(GraphProto graph, OnnxExportOptions options)
    {
        private int _index;

        // Appends the nodes of `module` (dotted path `name`, "" at the root) reading tensor `input`; returns its output tensor.
        public string Emit(Module module, string name, string input)
        {
            switch (module)
            {
                case Sequential seq:
                {
                    string current = input;
                    foreach (var (child, m) in seq.NamedChildren()) current = Emit(m, Join(name, child), current);
                    return current;
                }
                case Residual res:
                {
                    string body = Emit(res.Body, Join(name, "body"), input);
                    string shortcut = res.Shortcut is null ? input : Emit(res.Shortcut, Join(name, "shortcut"), input);
                    return Add(Node(name.Length == 0 ? "residual" : name, "Add", body, shortcut));
                }
                case Concat cat:
                {
                    var outputs = new string[cat.Branches.Count];
                    for (int i = 0; i < outputs.Length; i++)
                        outputs[i] = Emit(cat.Branches[i], Join(name, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), input);
                    var n = Node(name.Length == 0 ? "concat" : name, "Concat", outputs);
                    n.Attribute.Add(Int("axis", 1));
                    return Add(n);
                }
                default:
                {
                    var n = Layer(name.Length == 0 ? "layer" : name, module, input);
                    return n is null ? input : Add(n);
                }
            }
        }

        private string Add(NodeProto node)
        {
            node.Output.Add($"{node.Name}_output_{_index++}");
            graph.Node.Add(node);
            return node.Output[0];
        }

        private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

        private static NodeProto Node(string name, string op, params string[] inputs)
        {
            var n = new NodeProto { Name = name, OpType = op };
            n.Input.Add(inputs);
            return n;
        }

        private void Init(NodeProto n, string name, string suffix, Tensor value, bool mayBeSparse = false)
        {
            string initName = name + "." + suffix;
            if (mayBeSparse && options.SparseInitializers && OnnxSparseTensors.Density(value.Data) < options.SparseDensityThreshold)
                graph.SparseInitializer.Add(OnnxSparseTensors.FromDense(initName, value.Data, value.Shape));
            else
                graph.Initializer.Add(OnnxTensors.FromFloats(initName, value.Data, value.Shape));
            n.Input.Add(initName);
        }

        // The node for one layer (without outputs), adding its initializers; null for layers that vanish at inference.
        private NodeProto? Layer(string name, Module layer, string input)
        {
            switch (layer)
            {
                case Conv2d conv:
                {
                    var n = Node(name, "Conv", input);
                    Init(n, name, "weight", conv.Weight.Value, mayBeSparse: true);
                    if (conv.Bias is not null) Init(n, name, "bias", conv.Bias.Value);
                    n.Attribute.Add(Ints("kernel_shape", conv.KernelSize.H, conv.KernelSize.W));
                    n.Attribute.Add(Ints("strides", conv.Stride.H, conv.Stride.W));
                    // ONNX pads are [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right].
                    n.Attribute.Add(Ints("pads", conv.Pads.Top, conv.Pads.Left, conv.Pads.Bottom, conv.Pads.Right));
                    n.Attribute.Add(Ints("dilations", conv.Dilation.H, conv.Dilation.W));
                    n.Attribute.Add(Int("group", conv.Groups));
                    return n;
                }
                case Linear linear:
                {
                    var n = Node(name, "Gemm", input);
                    Init(n, name, "weight", linear.Weight.Value, mayBeSparse: true);
                    if (linear.Bias is not null) Init(n, name, "bias", linear.Bias.Value);
                    n.Attribute.Add(Int("transB", 1));
                    return n;
                }
                case ReLU:
                    return Node(name, "Relu", input);
                case MaxPool2d pool:
                {
                    var n = Node(name, "MaxPool", input);
                    AddPoolAttributes(n, pool.Kernel, pool.Strides, pool.Pads, pool.CeilMode);
                    return n;
                }
                case AvgPool2d pool:
                {
                    var n = Node(name, "AveragePool", input);
                    AddPoolAttributes(n, pool.Kernel, pool.Strides, pool.Pads, pool.CeilMode);
                    n.Attribute.Add(Int("count_include_pad", pool.CountIncludePad ? 1 : 0));
                    return n;
                }
                case GlobalAvgPool2d:
                    return Node(name, "GlobalAveragePool", input);
                case GlobalMaxPool2d:
                    return Node(name, "GlobalMaxPool", input);
                case Nn.Flatten:
                {
                    var n = Node(name, "Flatten", input);
                    n.Attribute.Add(Int("axis", 1));
                    return n;
                }
                case BatchNorm bn:
                {
                    var n = Node(name, "BatchNormalization", input);
                    Init(n, name, "weight", bn.Weight.Value);
                    Init(n, name, "bias", bn.Bias.Value);
                    Init(n, name, "running_mean", bn.RunningMean);
                    Init(n, name, "running_var", bn.RunningVar);
                    n.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = bn.Eps });
                    return n;
                }
                case LocalResponseNorm lrn:
                {
                    if (lrn.Size % 2 == 0)
                        throw new NotSupportedException($"Layer '{name}' ({lrn}): even LRN sizes cannot be exported (ONNX places the window differently from PyTorch).");
                    var n = Node(name, "LRN", input);
                    n.Attribute.Add(Int("size", lrn.Size));
                    n.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = lrn.Alpha });
                    n.Attribute.Add(new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = lrn.Beta });
                    n.Attribute.Add(new AttributeProto { Name = "bias", Type = AttributeProto.Types.AttributeType.Float, F = lrn.K });
                    return n;
                }
                case Dropout or Identity:
                    return null;
                default:
                    throw new NotSupportedException($"Layer '{name}' ({layer}) cannot be exported to ONNX (supported: Conv2d, Linear, ReLU, MaxPool2d, AvgPool2d, GlobalAvgPool2d, GlobalMaxPool2d, Flatten, BatchNorm1d/2d, LocalResponseNorm, Dropout, Identity, in Sequential, Residual and Concat containers).");
            }
        }
    }

    private static void AddPoolAttributes(NodeProto n, (int H, int W) kernel, (int H, int W) stride,
        (int Top, int Left, int Bottom, int Right) pads, bool ceilMode)
    {
        n.Attribute.Add(Ints("kernel_shape", kernel.H, kernel.W));
        n.Attribute.Add(Ints("strides", stride.H, stride.W));
        n.Attribute.Add(Ints("pads", pads.Top, pads.Left, pads.Bottom, pads.Right));
        if (ceilMode) n.Attribute.Add(Int("ceil_mode", 1));
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }

    private static ValueInfoProto ValueInfo(string name, int[] shapeWithoutBatch)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (int d in shapeWithoutBatch) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
