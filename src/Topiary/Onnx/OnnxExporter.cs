// OnnxExporter: writes a Topiary chain as an ONNX model (IR 8, opset 13, default domain).
// Contract:
//   - The model is a Sequential (nested Sequentials are flattened) of Conv2d → Conv, Linear → Gemm
//     (transB = 1), ReLU → Relu, MaxPool2d → MaxPool, AvgPool2d → AveragePool (count_include_pad = 1),
//     GlobalAvgPool2d → GlobalAveragePool, Flatten → Flatten (axis 1), BatchNorm1d/2d → BatchNormalization
//     (inference: running statistics), LocalResponseNorm (odd size) → LRN; Dropout and Identity are left
//     out (inference semantics).
//   - Initializers carry the dotted parameter / buffer names (conv1.weight, bn1.running_mean, ...) as
//     float32 raw_data; pruned weights are exported as the dense tensors they are (masked entries are 0).
//   - The input is float32 [N, ...inputShapeWithoutBatch] with a symbolic batch dimension "N"; the output
//     shape is found by running the model once (evaluation mode) on one zero example, which also checks
//     that the input shape fits.
//   - The file is written atomically (AtomicFile): readers never see a partial model.
// Errors: unsupported layer → NotSupportedException naming the layer; bad shape → ArgumentException.
using Google.Protobuf;
using Topiary.IO;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

/// <summary>Exports Topiary layer chains as ONNX models runnable by ONNX Runtime and other ONNX consumers.</summary>
public static class OnnxExporter
{
    /// <summary>ONNX IR version written.</summary>
    public const long IrVersion = 8;

    /// <summary>Default-domain operator set version written.</summary>
    public const long OpsetVersion = 13;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> as an ONNX model with input
    /// <paramref name="inputName"/> of shape <c>[N, ...inputShapeWithoutBatch]</c> and output <paramref name="outputName"/>.
    /// </summary>
    /// <param name="model">A <see cref="Sequential"/> chain of supported layers (see the file header), or a single such layer.</param>
    /// <param name="inputShapeWithoutBatch">Shape of one example, e.g. <c>[1, 28, 28]</c>.</param>
    /// <param name="path">Target file; replaced atomically.</param>
    /// <param name="inputName">Name of the graph input.</param>
    /// <param name="outputName">Name of the graph output.</param>
    /// <exception cref="ArgumentException">An argument is empty, the input shape has a dimension below 1 or does not fit the model, or the names are equal.</exception>
    /// <exception cref="NotSupportedException">The model contains a layer that cannot be exported; the message names it.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Export(Module model, int[] inputShapeWithoutBatch, string path, string inputName = "input", string outputName = "output")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShapeWithoutBatch);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        if (inputName == outputName) throw new ArgumentException($"Input and output names must differ ('{inputName}').", nameof(outputName));
        if (inputShapeWithoutBatch.Length == 0 || inputShapeWithoutBatch.Any(d => d < 1))
            throw new ArgumentException($"Input shape {Tensor.ShapeString(inputShapeWithoutBatch)} must have at least one dimension, all positive.", nameof(inputShapeWithoutBatch));

        var layers = new List<(string Name, Module Module)>();
        Flatten(model, "", layers);
        var probe = new Tensor([1, .. inputShapeWithoutBatch]);
        var graph = new GraphProto { Name = "topiary" };
        graph.Input.Add(ValueInfo(inputName, inputShapeWithoutBatch));
        string current = inputName;
        int index = 0;
        foreach (var (name, layer) in layers)
        {
            try
            {
                probe = layer.Forward(probe, training: false);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Input shape {Tensor.ShapeString(inputShapeWithoutBatch)} does not fit layer '{name}' ({layer}): {e.Message}", nameof(inputShapeWithoutBatch), e);
            }
            var node = Node(graph, name, layer, current);
            if (node is null) continue;
            node.Output.Add($"{name}_output_{index++}");
            graph.Node.Add(node);
            current = node.Output[0];
        }
        if (graph.Node.Count == 0)
        {
            var identity = new NodeProto { Name = "identity", OpType = "Identity" };
            identity.Input.Add(current);
            identity.Output.Add(outputName);
            graph.Node.Add(identity);
        }
        graph.Node[^1].Output[0] = outputName;
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

    private static void Flatten(Module module, string prefix, List<(string, Module)> layers)
    {
        if (module is Sequential seq)
        {
            foreach (var (name, child) in seq.NamedChildren())
                Flatten(child, prefix.Length == 0 ? name : prefix + "." + name, layers);
        }
        else layers.Add((prefix.Length == 0 ? "layer" : prefix, module));
    }

    // The node for one layer (without outputs), adding its initializers; null for layers that vanish at inference.
    private static NodeProto? Node(GraphProto graph, string name, Module layer, string input)
    {
        NodeProto Make(string op)
        {
            var n = new NodeProto { Name = name, OpType = op };
            n.Input.Add(input);
            return n;
        }
        void Init(NodeProto n, string suffix, Tensor value)
        {
            string initName = name + "." + suffix;
            graph.Initializer.Add(OnnxTensors.FromFloats(initName, value.Data, value.Shape));
            n.Input.Add(initName);
        }

        switch (layer)
        {
            case Conv2d conv:
            {
                var n = Make("Conv");
                Init(n, "weight", conv.Weight.Value);
                if (conv.Bias is not null) Init(n, "bias", conv.Bias.Value);
                n.Attribute.Add(Ints("kernel_shape", conv.KernelSize.H, conv.KernelSize.W));
                n.Attribute.Add(Ints("strides", conv.Stride.H, conv.Stride.W));
                n.Attribute.Add(Ints("pads", conv.Padding.H, conv.Padding.W, conv.Padding.H, conv.Padding.W));
                n.Attribute.Add(Ints("dilations", 1, 1));
                n.Attribute.Add(Int("group", 1));
                return n;
            }
            case Linear linear:
            {
                var n = Make("Gemm");
                Init(n, "weight", linear.Weight.Value);
                if (linear.Bias is not null) Init(n, "bias", linear.Bias.Value);
                n.Attribute.Add(Int("transB", 1));
                return n;
            }
            case ReLU:
                return Make("Relu");
            case MaxPool2d pool:
            {
                var n = Make("MaxPool");
                AddPoolAttributes(n, pool.KernelSize, pool.Stride, pool.Padding);
                return n;
            }
            case AvgPool2d pool:
            {
                var n = Make("AveragePool");
                AddPoolAttributes(n, pool.KernelSize, pool.Stride, pool.Padding);
                n.Attribute.Add(Int("count_include_pad", 1));
                return n;
            }
            case GlobalAvgPool2d:
                return Make("GlobalAveragePool");
            case Nn.Flatten:
            {
                var n = Make("Flatten");
                n.Attribute.Add(Int("axis", 1));
                return n;
            }
            case BatchNorm bn:
            {
                var n = Make("BatchNormalization");
                Init(n, "weight", bn.Weight.Value);
                Init(n, "bias", bn.Bias.Value);
                Init(n, "running_mean", bn.RunningMean);
                Init(n, "running_var", bn.RunningVar);
                n.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = bn.Eps });
                return n;
            }
            case LocalResponseNorm lrn:
            {
                if (lrn.Size % 2 == 0)
                    throw new NotSupportedException($"Layer '{name}' ({lrn}): even LRN sizes cannot be exported (ONNX places the window differently from PyTorch).");
                var n = Make("LRN");
                n.Attribute.Add(Int("size", lrn.Size));
                n.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = lrn.Alpha });
                n.Attribute.Add(new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = lrn.Beta });
                n.Attribute.Add(new AttributeProto { Name = "bias", Type = AttributeProto.Types.AttributeType.Float, F = lrn.K });
                return n;
            }
            case Dropout or Identity:
                return null;
            default:
                throw new NotSupportedException($"Layer '{name}' ({layer}) cannot be exported to ONNX (supported: Conv2d, Linear, ReLU, MaxPool2d, AvgPool2d, GlobalAvgPool2d, Flatten, BatchNorm1d/2d, LocalResponseNorm, Dropout, Identity in a Sequential).");
        }
    }

    private static void AddPoolAttributes(NodeProto n, int kernel, int stride, int padding)
    {
        n.Attribute.Add(Ints("kernel_shape", kernel, kernel));
        n.Attribute.Add(Ints("strides", stride, stride));
        n.Attribute.Add(Ints("pads", padding, padding, padding, padding));
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
