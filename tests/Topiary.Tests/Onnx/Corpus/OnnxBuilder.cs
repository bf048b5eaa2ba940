// OnnxBuilder: a small fluent writer of ONNX models for tests, used to reproduce what real exporters write.
// Contract:
//   - One builder = one ModelProto: producer name/version, IR version and default-domain opset chosen up front; graph
//     inputs with static or symbolic dims; outputs declared on existing tensors (optionally renamed, as PyTorch's
//     output_names does); float initializers filled from one seeded Random in call order (same seed → same bytes).
//   - Names follow the chosen exporter's habits (OnnxNaming): PyTorch 1.x numbers ("9", "Conv_0"), PyTorch 2.x scopes
//     ("/layer1/conv1/Conv_output_0"), tf2onnx ("model/conv2d/Conv2D:0"), onnx-caffe2 ("n0" → "r0"), CNTK
//     ("Convolution28_Output_0"). At(scope) names the next node: the PyTorch module path for TorchScoped (the op type
//     is appended), the whole node name for TfScoped and Cntk (the TF / CNTK op name); other styles ignore it.
//   - Constant operands (shapes, axes, pads, clip bounds) are initializers or Constant nodes (ConstantStyle), in
//     raw_data by default or the typed fields (TypedData); IR < 4 also lists every initializer in graph.input, as
//     exporters of that era did.
//   - Opset-aware helpers write the form the operator has at the builder's opset: Unsqueeze/Squeeze axes (attribute
//     < 13, input ≥ 13), ReduceMean axes (attribute < 18, input ≥ 18), Clip bounds (attributes < 11, inputs ≥ 11),
//     Pad (attributes < 11, inputs ≥ 11), Split (attribute < 13, sizes input ≥ 13, num_outputs ≥ 18), Dropout ratio
//     (attribute < 12, input ≥ 12), Slice (attributes < 10, inputs ≥ 10), BatchNormalization spatial (< 9).
// Misuse (unknown tensor as output, an opset form that does not exist) throws InvalidOperationException.
using Google.Protobuf;
using Topiary.Onnx.Proto;
using static Topiary.Tests.Onnx.Corpus.OnnxAttr;

namespace Topiary.Tests.Onnx.Corpus;

/// <summary>How an exporter names nodes and tensors.</summary>
internal enum OnnxNaming
{
    /// <summary>PyTorch ≤ 1.4: nodes without names, tensors numbered ("9", "10").</summary>
    TorchUnnamed,
    /// <summary>PyTorch 1.5–1.12: nodes "Conv_0", tensors numbered.</summary>
    TorchNumbered,
    /// <summary>PyTorch ≥ 1.13: nodes "/layer1/conv1/Conv", tensors "/layer1/conv1/Conv_output_0".</summary>
    TorchScoped,
    /// <summary>tf2onnx / keras2onnx: nodes "model/conv2d/Conv2D", tensors "model/conv2d/Conv2D:0".</summary>
    TfScoped,
    /// <summary>onnx-caffe2: nodes "n0", tensors "r0".</summary>
    Caffe2,
    /// <summary>CNTK: nodes "Convolution28", tensors "Convolution28_Output_0".</summary>
    Cntk,
}

/// <summary>Where constant operands go.</summary>
internal enum ConstantStyle
{
    /// <summary>Graph initializers.</summary>
    Initializer,
    /// <summary>Constant nodes in the graph.</summary>
    Node,
}

internal sealed class OnnxBuilder
{
    /// <summary>A tensor dimension: a size (from an int) or a symbolic name (from a string).</summary>
    public readonly record struct Dim(long Value, string? Param)
    {
        public static implicit operator Dim(int value) => new(value, null);
        public static implicit operator Dim(string param) => new(0, param);
    }

    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private readonly Random _rng;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly OnnxNaming _naming;
    private int _counter, _number;
    private string? _scope;

    public OnnxBuilder(string graphName, long opset, long irVersion, string producer, string producerVersion, OnnxNaming naming, int seed)
    {
        Opset = opset;
        _naming = naming;
        _rng = new Random(seed);
        _number = 100;
        _graph = new GraphProto { Name = graphName };
        _model = new ModelProto { IrVersion = irVersion, ProducerName = producer, ProducerVersion = producerVersion, Graph = _graph };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    /// <summary>Default-domain operator set version the graph binds against.</summary>
    public long Opset { get; }

    /// <summary>Whether constant operands are initializers (default) or Constant nodes.</summary>
    public ConstantStyle Constants { get; init; } = ConstantStyle.Initializer;

    /// <summary>Store tensors in float_data / int64_data instead of raw_data.</summary>
    public bool TypedData { get; init; }

    /// <summary>The graph being built (for the rare edit the helpers do not cover).</summary>
    public GraphProto Graph => _graph;

    // ---- inputs and outputs -----------------------------------------------------------------------------

    /// <summary>A float graph input.</summary>
    public string Input(string name, params Dim[] dims)
    {
        _graph.Input.Add(Value(name, TensorProto.Types.DataType.Float, dims));
        _names.Add(name);
        return name;
    }

    /// <summary>Declares <paramref name="tensor"/> a graph output.</summary>
    public OnnxBuilder Output(string tensor, params Dim[] dims)
    {
        if (!_graph.Node.Any(n => n.Output.Contains(tensor)) && !_graph.Input.Any(i => i.Name == tensor))
            throw new InvalidOperationException($"Output '{tensor}': no node produces it.");
        _graph.Output.Add(Value(tensor, TensorProto.Types.DataType.Float, dims));
        return this;
    }

    /// <summary>Renames <paramref name="tensor"/> to <paramref name="name"/> everywhere and declares it a graph output.</summary>
    public OnnxBuilder OutputAs(string tensor, string name, params Dim[] dims)
    {
        foreach (var node in _graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == tensor) node.Input[i] = name;
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == tensor) node.Output[i] = name;
        }
        _names.Add(name);
        return Output(name, dims);
    }

    /// <summary>Names the next node after <paramref name="scope"/> (e.g. "layer1/conv1").</summary>
    public OnnxBuilder At(string scope)
    {
        _scope = scope;
        return this;
    }

    // ---- initializers -------------------------------------------------------------------------------------

    /// <summary>A weight of shape <paramref name="dims"/> drawn uniformly from ±sqrt(3 / fan-in), fan-in = product of dims[1..].</summary>
    public string Weight(string name, params int[] dims)
    {
        long fanIn = 1;
        for (int i = 1; i < dims.Length; i++) fanIn *= dims[i];
        float a = MathF.Sqrt(3f / Math.Max(1, fanIn));
        return Uniform(name, -a, a, dims);
    }

    /// <summary>A MatMul weight [in, out] drawn uniformly from ±sqrt(3 / in).</summary>
    public string MatMulWeight(string name, int inFeatures, int outFeatures)
    {
        float a = MathF.Sqrt(3f / inFeatures);
        return Uniform(name, -a, a, inFeatures, outFeatures);
    }

    /// <summary>A bias of shape <paramref name="dims"/> drawn uniformly from ±0.2.</summary>
    public string Bias(string name, params int[] dims) => Uniform(name, -0.2f, 0.2f, dims);

    /// <summary>Seeded uniform [lo, hi) values.</summary>
    public string Uniform(string name, float lo, float hi, params int[] dims)
    {
        long count = 1;
        foreach (int d in dims) count *= d;
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = lo + (hi - lo) * (float)_rng.NextDouble();
        return Floats(name, dims, values);
    }

    /// <summary>A float initializer with the given values.</summary>
    public string Floats(string name, int[] dims, params float[] values)
    {
        AddInitializer(FloatTensor(name, dims, values));
        return name;
    }

    /// <summary>An int64 initializer with the given values.</summary>
    public string Int64s(string name, int[] dims, params long[] values)
    {
        AddInitializer(Int64Tensor(name, dims, values));
        return name;
    }

    /// <summary>BatchNormalization parameters named prefix + suffixes (scale, bias, mean, var); scale and var in [0.5, 1.5).</summary>
    public string[] BatchNormParams(int channels, string scale, string bias, string mean, string variance)
    {
        Uniform(scale, 0.5f, 1.5f, channels);
        Uniform(bias, -0.3f, 0.3f, channels);
        Uniform(mean, -0.3f, 0.3f, channels);
        Uniform(variance, 0.5f, 1.5f, channels);
        return [scale, bias, mean, variance];
    }

    /// <summary>PyTorch's BN parameter names: prefix.weight, .bias, .running_mean, .running_var.</summary>
    public string[] TorchBatchNormParams(string prefix, int channels) =>
        BatchNormParams(channels, prefix + ".weight", prefix + ".bias", prefix + ".running_mean", prefix + ".running_var");

    // ---- constants in the exporter's style -----------------------------------------------------------------

    /// <summary>An int64 constant (1-D of its length, or a scalar when <paramref name="scalar"/>) as initializer or Constant node.</summary>
    public string ConstInt64s(long[] values, bool scalar = false, string? name = null, ConstantStyle? style = null)
    {
        var tensor = Int64Tensor(name ?? FreshName(), scalar ? [] : [values.Length], values);
        return AddConstant(tensor, style ?? Constants);
    }

    /// <summary>A float constant as initializer or Constant node.</summary>
    public string ConstFloats(int[] dims, float[] values, string? name = null, ConstantStyle? style = null) =>
        AddConstant(FloatTensor(name ?? FreshName(), dims, values), style ?? Constants);

    /// <summary>A Constant node holding <paramref name="value"/> whatever the builder's style.</summary>
    public string ConstantNode(TensorProto value)
    {
        var (nodeName, output) = NextNames("Constant", 1);
        value.Name = "";
        var node = new NodeProto { Name = nodeName, OpType = "Constant" };
        node.Output.Add(output[0]);
        node.Attribute.Add(Tensor("value", value));
        _graph.Node.Add(node);
        return output[0];
    }

    private string AddConstant(TensorProto tensor, ConstantStyle style)
    {
        if (style == ConstantStyle.Node) return ConstantNode(tensor);
        AddInitializer(tensor);
        return tensor.Name;
    }

    /// <summary>A fresh tensor name in the exporter's style for a constant (PyTorch: "123" or "onnx::Constant_123").</summary>
    public string FreshName()
    {
        while (true)
        {
            string number = (_number++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string name = _naming switch
            {
                OnnxNaming.TorchScoped => "onnx::Constant_" + number,
                OnnxNaming.TfScoped => "const_fold_opt__" + number,
                OnnxNaming.Caffe2 => "OC2_DUMMY_" + number,
                OnnxNaming.Cntk => "Constant" + number,
                _ => number,
            };
            if (!_names.Contains(name)) return name; // reserved when the tensor is added
        }
    }

    private void AddInitializer(TensorProto tensor)
    {
        if (!_names.Add(tensor.Name)) throw new InvalidOperationException($"Tensor name '{tensor.Name}' is used twice.");
        _graph.Initializer.Add(tensor);
    }

    // ---- nodes ----------------------------------------------------------------------------------------------

    /// <summary>A node with one output; returns the output's name.</summary>
    public string Op(string opType, string[] inputs, params AttributeProto[] attrs) => Ops(opType, inputs, 1, attrs)[0];

    /// <summary>A node with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Ops(string opType, string[] inputs, int outputs, params AttributeProto[] attrs)
    {
        var (nodeName, names) = NextNames(opType, outputs);
        var node = new NodeProto { Name = nodeName, OpType = opType };
        node.Input.Add(inputs);
        node.Output.Add(names);
        node.Attribute.Add(attrs);
        _graph.Node.Add(node);
        return names;
    }

    public string Conv(string x, string w, string? b, params AttributeProto[] attrs) => Op("Conv", b is null ? [x, w] : [x, w, b], attrs);
    public string Relu(string x) => Op("Relu", [x]);
    public string Sigmoid(string x) => Op("Sigmoid", [x]);
    public string Add(string a, string b) => Op("Add", [a, b]);
    public string Sub(string a, string b) => Op("Sub", [a, b]);
    public string Mul(string a, string b) => Op("Mul", [a, b]);
    public string Div(string a, string b) => Op("Div", [a, b]);
    public string MatMul(string a, string b) => Op("MatMul", [a, b]);
    public string Gemm(string a, string b, string? c, params AttributeProto[] attrs) => Op("Gemm", c is null ? [a, b] : [a, b, c], attrs);
    public string GlobalAveragePool(string x) => Op("GlobalAveragePool", [x]);
    public string Flatten(string x, long axis = 1) => Op("Flatten", [x], Int("axis", axis));
    public string Transpose(string x, params long[] perm) => Op("Transpose", [x], Ints("perm", perm));
    public string Concat(long axis, params string[] xs) => Op("Concat", xs, Int("axis", axis));
    public string Shape(string x) => Op("Shape", [x]);
    public string Gather(string x, string indices, long axis = 0) => Op("Gather", [x, indices], Int("axis", axis));
    public string HardSigmoid(string x, float alpha, float beta) => Op("HardSigmoid", [x], Float("alpha", alpha), Float("beta", beta));
    public string MaxPool(string x, params AttributeProto[] attrs) => Op("MaxPool", [x], attrs);
    public string AveragePool(string x, params AttributeProto[] attrs) => Op("AveragePool", [x], attrs);
    public string Softmax(string x, long axis) => Op("Softmax", [x], Int("axis", axis));
    public string LogSoftmax(string x, long axis) => Op("LogSoftmax", [x], Int("axis", axis));

    /// <summary>HardSwish as the operator (opset ≥ 14).</summary>
    public string HardSwish(string x)
    {
        Require(14, "HardSwish");
        return Op("HardSwish", [x]);
    }

    /// <summary>Reshape to a constant shape (in the builder's constant style).</summary>
    public string Reshape(string x, params long[] shape) => Op("Reshape", [x, ConstInt64s(shape)]);

    /// <summary>BatchNormalization over <paramref name="p"/> = [scale, bias, mean, var]; writes spatial = 1 below opset 9.</summary>
    public string BatchNorm(string x, string[] p, float epsilon = 1e-5f, float? momentum = 0.9f)
    {
        var attrs = new List<AttributeProto> { Float("epsilon", epsilon) };
        if (momentum is float m) attrs.Add(Float("momentum", m));
        if (Opset < 9) attrs.Add(Int("spatial", 1));
        return Op("BatchNormalization", [x, .. p], [.. attrs]);
    }

    /// <summary>Clip(min, max): attributes below opset 11, constant inputs from 11.</summary>
    public string Clip(string x, float min, float max)
    {
        if (Opset < 11) return Op("Clip", [x], Float("min", min), Float("max", max));
        return Op("Clip", [x, ConstFloats([], [min]), ConstFloats([], [max])]);
    }

    /// <summary>Unsqueeze: axes attribute below opset 13, input from 13.</summary>
    public string Unsqueeze(string x, params long[] axes) =>
        Opset < 13 ? Op("Unsqueeze", [x], Ints("axes", axes)) : Op("Unsqueeze", [x, ConstInt64s(axes)]);

    /// <summary>Squeeze: axes attribute below opset 13, input from 13.</summary>
    public string Squeeze(string x, params long[] axes) =>
        Opset < 13 ? Op("Squeeze", [x], Ints("axes", axes)) : Op("Squeeze", [x, ConstInt64s(axes)]);

    /// <summary>ReduceMean: axes attribute below opset 18, input from 18.</summary>
    public string ReduceMean(string x, long[] axes, bool keepDims) =>
        Opset < 18
            ? Op("ReduceMean", [x], Ints("axes", axes), Int("keepdims", keepDims ? 1 : 0))
            : Op("ReduceMean", [x, ConstInt64s(axes)], Int("keepdims", keepDims ? 1 : 0));

    /// <summary>Split into the given sizes: 'split' attribute below opset 13, sizes input from 13.</summary>
    public string[] Split(string x, long axis, params long[] sizes) =>
        Opset < 13
            ? Ops("Split", [x], sizes.Length, Int("axis", axis), Ints("split", sizes))
            : Ops("Split", [x, ConstInt64s(sizes)], sizes.Length, Int("axis", axis));

    /// <summary>Split into <paramref name="parts"/> equal parts with the num_outputs attribute (opset ≥ 18).</summary>
    public string[] SplitEqual(string x, long axis, int parts)
    {
        Require(18, "Split(num_outputs)");
        return Ops("Split", [x], parts, Int("axis", axis), Int("num_outputs", parts));
    }

    /// <summary>Constant-mode Pad: pads/value attributes below opset 11, inputs from 11.</summary>
    public string Pad(string x, long[] pads, string mode = "constant")
    {
        if (Opset < 11)
            return Op("Pad", [x], Str("mode", mode), Ints("pads", pads), Float("value", 0f));
        return Op("Pad", [x, ConstInt64s(pads)], Str("mode", mode));
    }

    /// <summary>Inference Dropout: ratio attribute below opset 12, ratio input from 12; optionally with the mask output.</summary>
    public string Dropout(string x, float ratio, bool withMask)
    {
        int outputs = withMask ? 2 : 1;
        if (Opset < 12) return Ops("Dropout", [x], outputs, Float("ratio", ratio))[0];
        return Ops("Dropout", [x, ConstFloats([], [ratio])], outputs)[0];
    }

    /// <summary>Slice: starts/ends/axes attributes below opset 10, inputs (with steps) from 10.</summary>
    public string Slice(string x, long[] starts, long[] ends, long[] axes, long[]? steps = null)
    {
        if (Opset < 10)
        {
            if (steps is not null) throw new InvalidOperationException("Slice steps need opset 10.");
            return Op("Slice", [x], Ints("starts", starts), Ints("ends", ends), Ints("axes", axes));
        }
        string[] inputs = steps is null
            ? [x, ConstInt64s(starts), ConstInt64s(ends), ConstInt64s(axes)]
            : [x, ConstInt64s(starts), ConstInt64s(ends), ConstInt64s(axes), ConstInt64s(steps)];
        return Op("Slice", inputs);
    }

    /// <summary>LRN with Caffe's settings.</summary>
    public string Lrn(string x, long size, float alpha, float beta, float bias) =>
        Op("LRN", [x], Int("size", size), Float("alpha", alpha), Float("beta", beta), Float("bias", bias));

    // ---- output ----------------------------------------------------------------------------------------------

    /// <summary>The finished model (IR &lt; 4: every initializer also listed in graph.input, after the data inputs).</summary>
    public ModelProto Build()
    {
        if (_graph.Output.Count == 0) throw new InvalidOperationException("The graph has no output.");
        var model = _model.Clone();
        if (model.IrVersion < 4)
            foreach (var t in model.Graph.Initializer)
                model.Graph.Input.Add(Value(t.Name, (TensorProto.Types.DataType)t.DataType, [.. t.Dims.Select(d => new Dim(d, null))]));
        return model;
    }

    /// <summary>Writes <see cref="Build"/> to <paramref name="path"/>; returns the path.</summary>
    public string Save(string path)
    {
        File.WriteAllBytes(path, Build().ToByteArray());
        return path;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void Require(long opset, string what)
    {
        if (Opset < opset) throw new InvalidOperationException($"{what} needs opset {opset}; the builder writes opset {Opset}.");
    }

    private (string Node, string[] Outputs) NextNames(string opType, int outputs)
    {
        int index = _counter++;
        string? scope = _scope;
        _scope = null;
        string node;
        var names = new string[outputs];
        switch (_naming)
        {
            case OnnxNaming.TorchUnnamed:
            case OnnxNaming.TorchNumbered:
                node = _naming == OnnxNaming.TorchUnnamed ? "" : $"{opType}_{index}";
                for (int i = 0; i < outputs; i++) names[i] = Unique((_number++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return (node, names);
            case OnnxNaming.TorchScoped:
                node = Unique(scope is null ? $"/{opType}" : $"/{scope}/{opType}");
                for (int i = 0; i < outputs; i++) names[i] = Unique($"{node}_output_{i}");
                return (node, names);
            case OnnxNaming.TfScoped:
                node = Unique(scope ?? $"{opType}__{index}");
                for (int i = 0; i < outputs; i++) names[i] = Unique($"{node}:{i}");
                return (node, names);
            case OnnxNaming.Caffe2:
                node = Unique($"n{index}");
                for (int i = 0; i < outputs; i++) names[i] = Unique($"r{index}" + (i == 0 ? "" : $"_{i}"));
                return (node, names);
            default:
                node = Unique(scope ?? CntkOp(opType) + (100 + index * 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
                for (int i = 0; i < outputs; i++) names[i] = Unique($"{node}_Output_{i}");
                return (node, names);
        }
    }

    private static string CntkOp(string opType) => opType switch
    {
        "Conv" => "Convolution",
        "Add" => "Plus",
        "MatMul" => "Times",
        "MaxPool" or "AveragePool" => "Pooling",
        "Relu" => "ReLU",
        _ => opType,
    };

    private string Unique(string name)
    {
        if (_names.Add(name)) return name;
        for (int k = 1; ; k++)
        {
            string candidate = $"{name}_{k}";
            if (_names.Add(candidate)) return candidate;
        }
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, Dim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d.Param is null ? new TensorShapeProto.Types.Dimension { DimValue = d.Value } : new TensorShapeProto.Types.Dimension { DimParam = d.Param });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private TensorProto FloatTensor(string name, int[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(dims.Select(d => (long)d));
        if (TypedData) t.FloatData.Add(values);
        else t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return t;
    }

    private TensorProto Int64Tensor(string name, int[] dims, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(dims.Select(d => (long)d));
        if (TypedData) t.Int64Data.Add(values);
        else t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return t;
    }
}
