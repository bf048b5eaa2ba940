// OnnxImporter: reads an .onnx file (protobuf ModelProto) into a Topiary Sequential.
// Contract:
//   - The graph must be a chain: one data input, one output, and every operator node consumes the
//     previous node's output as its first input; its other inputs are initializers or Constant outputs.
//   - Operators (default domain): Conv (group 1, dilation 1, symmetric pads, auto_pad NOTSET/VALID),
//     Gemm (transA 0, any transB/alpha/beta), MatMul [+ Add of a constant bias] (folded into Linear),
//     Relu, MaxPool / AveragePool (square kernel, equal strides, uniform pads, ceil_mode 0; AveragePool
//     with padding needs count_include_pad 1), GlobalAveragePool, Flatten (axis 1), Reshape to [N, -1]
//     ([0, -1], [b, -1] or [-1, k] with k the per-example size), BatchNormalization (inference),
//     LRN (odd size), Dropout / Identity (dropped), Constant, and a final Softmax (dropped, flagged in
//     OnnxImportInfo.EndsWithSoftmax).
//   - Children are named after the initializers when they follow PyTorch's "<layer>.weight" pattern
//     (so conv1.weight stays conv1.weight), else after the node ("/relu_1/Relu" → relu_1), else
//     "<op><index>". OnnxImportInfo.ParameterSources maps every parameter back to its initializer.
//   - When the graph input has static non-batch dimensions, each layer is run once on a zero example as
//     it is added, which checks shapes and resolves Reshape([-1, k]).
// Errors: unreadable or corrupt protobuf, missing graph, malformed tensors or attributes →
// InvalidDataException naming the file (and node); operators or settings outside the list above →
// NotSupportedException naming the file, node name and op type.
using Google.Protobuf;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;
using static System.FormattableString;

namespace Topiary.Onnx;

/// <summary>Imports ONNX models whose graph is a chain of supported layers into a Topiary <see cref="Sequential"/>.</summary>
public static class OnnxImporter
{
    /// <summary>Operator types the importer understands (default ONNX domain).</summary>
    public static IReadOnlyList<string> SupportedOperators { get; } =
    [
        "Conv", "Gemm", "MatMul", "Add", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape",
        "BatchNormalization", "LRN", "Dropout", "Identity", "Constant", "Softmax",
    ];

    /// <summary>
    /// Reads <paramref name="path"/> and builds the equivalent network (evaluation semantics: BatchNorm uses the
    /// file's running statistics, Dropout is left out).
    /// </summary>
    /// <returns>The model (a <see cref="Sequential"/>) and facts about the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX model, or a tensor or attribute is malformed; the message names the file (and node).</exception>
    /// <exception cref="NotSupportedException">The graph is not a chain, or uses an operator or setting Topiary cannot represent; the message names the node and op type.</exception>
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
        return new GraphBuilder(path, model).Build();
    }

    private sealed class GraphBuilder(string file, ModelProto model)
    {
        private readonly GraphProto _graph = model.Graph;
        private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
        private readonly Sequential _net = new();
        private readonly HashSet<string> _childNames = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _parameterSources = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _bufferSources = new(StringComparer.Ordinal);
        private readonly Random _rng = new(0); // layer constructors need one; every value is overwritten
        private Tensor? _probe;
        private string _current = "";
        private long _opset;

        public (Module, OnnxImportInfo) Build()
        {
            foreach (var t in _graph.Initializer) _constants[t.Name] = t;
            _opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();

            var inputs = _graph.Input.Where(i => !_constants.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1)
                throw new NotSupportedException($"{file}: the graph has {inputs.Count} data inputs ({string.Join(", ", inputs.Select(i => i.Name))}); exactly one is supported.");
            if (_graph.Output.Count != 1)
                throw new NotSupportedException($"{file}: the graph has {_graph.Output.Count} outputs; exactly one is supported.");
            var input = inputs[0];
            int[]? inputShape = StaticShape(input);
            if (inputShape is not null) _probe = new Tensor([1, .. inputShape]);
            _current = input.Name;

            bool softmax = false;
            var nodes = _graph.Node;
            var skip = new HashSet<int>();
            for (int i = 0; i < nodes.Count; i++)
            {
                if (skip.Contains(i)) continue;
                var node = nodes[i];
                if (node.Domain is not ("" or "ai.onnx"))
                    throw Unsupported(node, $"operator domain '{node.Domain}' is not supported");
                if (node.OpType == "Constant")
                {
                    AddConstant(node);
                    continue;
                }
                if (softmax) throw Unsupported(node, "nodes after the final Softmax are not supported");
                if (node.Input.Count == 0 || node.Input[0] != _current)
                    throw Unsupported(node, $"its data input '{(node.Input.Count > 0 ? node.Input[0] : "")}' is not the output of the previous layer ('{_current}'); only chains are supported");
                if (node.Output.Count == 0) throw Invalid(node, "the node has no output");
                string output = node.Output[0];
                switch (node.OpType)
                {
                    case "Conv": AddConv(node); break;
                    case "Gemm": AddGemm(node); break;
                    case "MatMul": output = AddMatMul(node, i, skip); break;
                    case "Relu": AddModule(node, null, new ReLU()); break;
                    case "MaxPool": AddPool(node, max: true); break;
                    case "AveragePool": AddPool(node, max: false); break;
                    case "GlobalAveragePool": AddModule(node, null, new GlobalAvgPool2d()); break;
                    case "Flatten": AddFlatten(node); break;
                    case "Reshape": AddReshape(node); break;
                    case "BatchNormalization": AddBatchNorm(node); break;
                    case "LRN": AddLrn(node); break;
                    case "Dropout" or "Identity": break;
                    case "Softmax": CheckSoftmax(node); softmax = true; break;
                    default:
                        throw Unsupported(node, $"operator '{node.OpType}' is not supported (supported: {string.Join(", ", SupportedOperators)})");
                }
                _current = output;
            }

            string outputName = _graph.Output[0].Name;
            if (_current != outputName)
                throw new NotSupportedException($"{file}: the graph output '{outputName}' is not the end of the layer chain ('{_current}').");
            var info = new OnnxImportInfo(file, model.ProducerName, model.ProducerVersion, model.IrVersion, _opset, input.Name, outputName,
                inputShape, softmax, _parameterSources, _bufferSources);
            return (_net, info);
        }

        private int[]? StaticShape(ValueInfoProto input)
        {
            var tensorType = input.Type?.TensorType;
            if (tensorType is null) return null;
            if (tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
                throw new NotSupportedException($"{file}: input '{input.Name}' has element type {OnnxTensors.DataTypeName(tensorType.ElemType)}; only FLOAT is supported.");
            var dims = tensorType.Shape?.Dim;
            if (dims is null || dims.Count < 2) return null;
            var shape = new int[dims.Count - 1];
            for (int i = 1; i < dims.Count; i++)
            {
                if (dims[i].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || dims[i].DimValue < 1 || dims[i].DimValue > int.MaxValue)
                    return null;
                shape[i - 1] = (int)dims[i].DimValue;
            }
            return shape;
        }

        // ---- layers -------------------------------------------------------------------------------------

        private void AddConv(NodeProto node)
        {
            var w = FloatInput(node, 1) ?? throw Invalid(node, "Conv needs a weight input");
            var b = FloatInput(node, 2);
            if (w.Rank != 4) throw Unsupported(node, $"only 2-D convolutions are supported (weight shape {Tensor.ShapeString(w.Shape)})");
            if (Int(node, "group", 1) != 1) throw Unsupported(node, Invariant($"group = {Int(node, "group", 1)} is not supported (only 1)"));
            if (Ints(node, "dilations") is { } dil && dil.Any(d => d != 1))
                throw Unsupported(node, $"dilations [{string.Join(", ", dil)}] are not supported (only 1)");
            int oc = w.Dim(0), c = w.Dim(1), kh = w.Dim(2), kw = w.Dim(3);
            if (Ints(node, "kernel_shape") is { } ks && (ks.Length != 2 || ks[0] != kh || ks[1] != kw))
                throw Invalid(node, $"kernel_shape [{string.Join(", ", ks)}] does not match the weight shape {Tensor.ShapeString(w.Shape)}");
            var (sh, sw) = Pair(node, "strides", 1);
            var (ph, pw) = Pads(node, uniform: false);
            if (b is not null && b.Length != oc) throw Invalid(node, Invariant($"bias has {b.Length} values; {oc} expected"));
            var conv = new Conv2d(c, oc, (kh, kw), _rng, (sh, sw), (ph, pw), bias: b is not null);
            w.Data.CopyTo(conv.Weight.Value.Data, 0);
            b?.Data.CopyTo(conv.Bias!.Value.Data, 0);
            AddModule(node, node.Input[1], conv, ("weight", node.Input[1]), b is null ? default : ("bias", node.Input[2]));
        }

        private void AddGemm(NodeProto node)
        {
            var bMat = FloatInput(node, 1) ?? throw Invalid(node, "Gemm needs a B input");
            var c = FloatInput(node, 2);
            if (Int(node, "transA", 0) != 0) throw Unsupported(node, "transA = 1 is not supported");
            if (bMat.Rank != 2) throw Invalid(node, $"B has shape {Tensor.ShapeString(bMat.Shape)}; a matrix is expected");
            bool transB = Int(node, "transB", 0) != 0;
            float alpha = Float(node, "alpha", 1f), beta = Float(node, "beta", 1f);
            var w = transB ? bMat : Transpose(bMat);
            if (alpha != 1f) TensorPrimitives.Multiply(w.Data, alpha, w.Data);
            AddLinear(node, w, c, beta, node.Input[1], c is null ? null : node.Input[2]);
        }

        private string AddMatMul(NodeProto node, int index, HashSet<int> skip)
        {
            var bMat = FloatInput(node, 1) ?? throw Invalid(node, "MatMul needs a second input");
            if (bMat.Rank != 2) throw Unsupported(node, $"MatMul with a {Tensor.ShapeString(bMat.Shape)} operand is not supported (only 2-D weights)");
            string output = node.Output[0];
            Tensor? bias = null;
            string? biasName = null;
            var nodes = _graph.Node;
            int next = index + 1;
            while (next < nodes.Count && nodes[next].OpType == "Constant") AddConstant(nodes[next++]);
            if (next < nodes.Count && nodes[next].OpType == "Add" && nodes[next].Input.Count == 2 && nodes[next].Input.Contains(output))
            {
                var add = nodes[next];
                string other = add.Input[0] == output ? add.Input[1] : add.Input[0];
                if (_constants.TryGetValue(other, out var t))
                {
                    bias = OnnxTensors.ToTensor(t, file);
                    biasName = other;
                    skip.Add(next);
                    output = add.Output[0];
                }
            }
            AddLinear(node, Transpose(bMat), bias, 1f, node.Input[1], biasName);
            return output;
        }

        private void AddLinear(NodeProto node, Tensor w, Tensor? bias, float beta, string weightName, string? biasName)
        {
            int outF = w.Dim(0), inF = w.Dim(1);
            var linear = new Linear(inF, outF, _rng, bias: bias is not null);
            w.Data.CopyTo(linear.Weight.Value.Data, 0);
            if (bias is not null)
            {
                var dst = linear.Bias!.Value.Data;
                if (bias.Length == outF) bias.Data.CopyTo(dst, 0);
                else if (bias.Length == 1) Array.Fill(dst, bias.Data[0]);
                else throw Unsupported(node, Invariant($"a bias of shape {Tensor.ShapeString(bias.Shape)} is not supported ({outF} values expected)"));
                if (beta != 1f) TensorPrimitives.Multiply(dst, beta, dst);
            }
            AddModule(node, weightName, linear, ("weight", weightName), biasName is null ? default : ("bias", biasName));
        }

        private void AddPool(NodeProto node, bool max)
        {
            var ks = Ints(node, "kernel_shape") ?? throw Invalid(node, "kernel_shape is missing");
            if (ks.Length != 2 || ks[0] != ks[1]) throw Unsupported(node, $"kernel_shape [{string.Join(", ", ks)}] is not supported (square 2-D kernels only)");
            var (sh, sw) = Pair(node, "strides", 1);
            if (sh != sw) throw Unsupported(node, Invariant($"strides [{sh}, {sw}] are not supported (equal strides only)"));
            var (pad, _) = Pads(node, uniform: true);
            if (Int(node, "ceil_mode", 0) != 0) throw Unsupported(node, "ceil_mode = 1 is not supported");
            if (Ints(node, "dilations") is { } dil && dil.Any(d => d != 1))
                throw Unsupported(node, $"dilations [{string.Join(", ", dil)}] are not supported (only 1)");
            if (max && node.Output.Count > 1 && node.Output[1].Length > 0) throw Unsupported(node, "the Indices output is not supported");
            if (!max && pad > 0 && Int(node, "count_include_pad", 0) == 0)
                throw Unsupported(node, "count_include_pad = 0 with padding is not supported (Topiary's AvgPool2d counts the padding)");
            Module pool;
            try
            {
                pool = max ? new MaxPool2d((int)ks[0], sh, pad) : new AvgPool2d((int)ks[0], sh, pad);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw Unsupported(node, e.Message);
            }
            AddModule(node, null, pool);
        }

        private void AddFlatten(NodeProto node)
        {
            long axis = Int(node, "axis", 1);
            if (axis != 1) throw Unsupported(node, Invariant($"axis = {axis} is not supported (only 1)"));
            AddModule(node, null, new Flatten());
        }

        private void AddReshape(NodeProto node)
        {
            if (node.Input.Count < 2 || !_constants.TryGetValue(node.Input[1], out var shapeTensor))
                throw Unsupported(node, "only a constant target shape is supported");
            long[] shape = OnnxTensors.ToInt64(shapeTensor, file);
            string text = "[" + string.Join(", ", shape) + "]";
            bool flatten = shape.Length == 2 && (
                (shape[1] == -1 && shape[0] >= 0) ||
                (shape[0] == -1 && shape[1] > 0 && _probe is not null && _probe.Length == shape[1]));
            if (!flatten)
                throw Unsupported(node, $"target shape {text} is not supported (only [N, -1], or [-1, k] with k the per-example size when the input shape is static)");
            AddModule(node, null, new Flatten());
        }

        private void AddBatchNorm(NodeProto node)
        {
            if (Int(node, "training_mode", 0) != 0) throw Unsupported(node, "training_mode = 1 is not supported");
            var scale = FloatInput(node, 1);
            var bias = FloatInput(node, 2);
            var mean = FloatInput(node, 3);
            var variance = FloatInput(node, 4);
            if (scale is null || bias is null || mean is null || variance is null)
                throw Invalid(node, "BatchNormalization needs scale, B, mean and var inputs");
            int ch = scale.Length;
            if (bias.Length != ch || mean.Length != ch || variance.Length != ch)
                throw Invalid(node, Invariant($"scale, B, mean and var have {scale.Length}, {bias.Length}, {mean.Length}, {variance.Length} values; they must be equal"));
            float eps = Float(node, "epsilon", 1e-5f);
            if (!(eps > 0)) throw Invalid(node, Invariant($"epsilon = {eps} must be positive"));
            BatchNorm bn = _probe is { Rank: 2 } ? new BatchNorm1d(ch, eps) : new BatchNorm2d(ch, eps);
            scale.Data.CopyTo(bn.Weight.Value.Data, 0);
            bias.Data.CopyTo(bn.Bias.Value.Data, 0);
            bn.RunningMean = new Tensor(mean.Data, ch);
            bn.RunningVar = new Tensor(variance.Data, ch);
            string name = AddModule(node, node.Input[1], bn, ("weight", node.Input[1]), ("bias", node.Input[2]));
            _bufferSources[name + ".running_mean"] = node.Input[3];
            _bufferSources[name + ".running_var"] = node.Input[4];
        }

        private void AddLrn(NodeProto node)
        {
            long size = Int(node, "size", 0);
            if (size < 1) throw Invalid(node, Invariant($"size = {size} must be positive"));
            if (size % 2 == 0) throw Unsupported(node, Invariant($"even size {size} is not supported (ONNX and PyTorch place the window differently)"));
            AddModule(node, null, new LocalResponseNorm((int)size, Float(node, "alpha", 1e-4f), Float(node, "beta", 0.75f), Float(node, "bias", 1f)));
        }

        private void CheckSoftmax(NodeProto node)
        {
            long axis = Int(node, "axis", _opset >= 13 ? -1 : 1);
            int rank = _probe?.Rank ?? 2;
            if (rank != 2 || axis is not (1 or -1))
                throw Unsupported(node, Invariant($"Softmax over axis {axis} of a rank-{rank} tensor is not supported (only the class axis of [N, C])"));
        }

        private void AddConstant(NodeProto node)
        {
            var value = node.Attribute.FirstOrDefault(a => a.Name == "value");
            if (value?.T is null) throw Unsupported(node, "only Constant nodes with a tensor 'value' are supported");
            if (node.Output.Count != 1) throw Invalid(node, "Constant must have one output");
            _constants[node.Output[0]] = value.T;
        }

        // Appends a child, names it, runs the shape probe and records where its parameters came from.
        private string AddModule(NodeProto node, string? weightName, Module module,
            (string Local, string Source) first = default, (string Local, string Source) second = default)
        {
            string name = ChildName(node, weightName);
            _childNames.Add(name);
            _net.Add(name, module);
            foreach (var (local, source) in new[] { first, second })
                if (local is not null) _parameterSources[name + "." + local] = source;
            if (_probe is not null)
            {
                try
                {
                    _probe = module.Forward(_probe, training: false);
                }
                catch (ArgumentException e)
                {
                    throw Invalid(node, $"the layer does not accept its input: {e.Message}");
                }
            }
            return name;
        }

        private string ChildName(NodeProto node, string? weightName)
        {
            if (weightName is not null && weightName.EndsWith(".weight", StringComparison.Ordinal))
            {
                string prefix = weightName[..^".weight".Length];
                if (prefix.Length > 0 && !prefix.Contains('.', StringComparison.Ordinal) && !_childNames.Contains(prefix)) return prefix;
            }
            string candidate = node.Name.Trim('/');
            int slash = candidate.LastIndexOf('/');
            if (slash > 0) candidate = candidate[..slash];
            candidate = candidate.Replace('/', '_').Replace('.', '_').Replace(':', '_');
            if (candidate.Length == 0 || _childNames.Contains(candidate))
                candidate = node.OpType.ToLowerInvariant() + _net.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string unique = candidate;
            for (int k = 1; _childNames.Contains(unique); k++) unique = candidate + "_" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return unique;
        }

        // ---- inputs and attributes ----------------------------------------------------------------------

        private Tensor? FloatInput(NodeProto node, int index)
        {
            if (node.Input.Count <= index || node.Input[index].Length == 0) return null;
            string name = node.Input[index];
            if (!_constants.TryGetValue(name, out var t))
                throw Unsupported(node, $"input '{name}' is computed by the graph; only initializers and constants are supported here");
            return OnnxTensors.ToTensor(t, file);
        }

        private static Tensor Transpose(Tensor m)
        {
            int rows = m.Dim(0), cols = m.Dim(1);
            var t = new Tensor(cols, rows);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) t.Data[c * rows + r] = m.Data[r * cols + c];
            return t;
        }

        private AttributeProto? Attr(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

        private long Int(NodeProto node, string name, long fallback)
        {
            var a = Attr(node, name);
            if (a is null) return fallback;
            if (a.Type is not (AttributeProto.Types.AttributeType.Int or AttributeProto.Types.AttributeType.Undefined))
                throw Invalid(node, $"attribute '{name}' has type {a.Type}; INT expected");
            return a.I;
        }

        private float Float(NodeProto node, string name, float fallback)
        {
            var a = Attr(node, name);
            if (a is null) return fallback;
            if (a.Type is not (AttributeProto.Types.AttributeType.Float or AttributeProto.Types.AttributeType.Undefined))
                throw Invalid(node, $"attribute '{name}' has type {a.Type}; FLOAT expected");
            return a.F;
        }

        private long[]? Ints(NodeProto node, string name)
        {
            var a = Attr(node, name);
            if (a is null) return null;
            if (a.Type is not (AttributeProto.Types.AttributeType.Ints or AttributeProto.Types.AttributeType.Undefined))
                throw Invalid(node, $"attribute '{name}' has type {a.Type}; INTS expected");
            return [.. a.Ints];
        }

        private (int A, int B) Pair(NodeProto node, string name, int fallback)
        {
            var v = Ints(node, name);
            if (v is null) return (fallback, fallback);
            if (v.Length != 2 || v.Any(x => x < 1 || x > int.MaxValue))
                throw Unsupported(node, $"{name} [{string.Join(", ", v)}] is not supported (two positive values expected)");
            return ((int)v[0], (int)v[1]);
        }

        // ONNX pads are [top, left, bottom, right]; Topiary pads both sides equally.
        private (int H, int W) Pads(NodeProto node, bool uniform)
        {
            var autoPad = Attr(node, "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
            if (autoPad == "VALID") return (0, 0);
            if (autoPad is not ("NOTSET" or ""))
                throw Unsupported(node, $"auto_pad = {autoPad} is not supported (use explicit pads)");
            var p = Ints(node, "pads");
            if (p is null) return (0, 0);
            if (p.Length != 4 || p.Any(x => x < 0 || x > int.MaxValue))
                throw Invalid(node, $"pads [{string.Join(", ", p)}] must be four non-negative values");
            if (p[0] != p[2] || p[1] != p[3] || (uniform && p[0] != p[1]))
                throw Unsupported(node, $"pads [{string.Join(", ", p)}] are not supported ({(uniform ? "equal padding on all sides" : "symmetric padding")} only)");
            return ((int)p[0], (int)p[1]);
        }

        private NotSupportedException Unsupported(NodeProto node, string reason) =>
            new($"{file}: node '{node.Name}' (op {node.OpType}): {reason}.");

        private InvalidDataException Invalid(NodeProto node, string reason) =>
            new($"{file}: node '{node.Name}' (op {node.OpType}): {reason}.");
    }
}
