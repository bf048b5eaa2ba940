// OnnxLayerConverter: one chain node (OnnxLayerItem) → one Topiary layer, with the initializers its parameters and
// buffers came from. Knows no graph structure and no names: OnnxModelBuilder places and names the result.
//   Conv (group 1, dilation 1, symmetric pads, auto_pad NOTSET/VALID) → Conv2d; Gemm (transA 0, any transB/alpha/
//   beta) and MatMul [+ Add of a constant bias] → Linear; Relu; MaxPool / AveragePool (square kernel, equal strides,
//   uniform pads, ceil_mode 0; AveragePool with padding needs count_include_pad 1); GlobalAveragePool; Flatten
//   (axis 1); Reshape to [N, -1] ([0, -1], [b, -1] or [-1, k] with k the per-example size); BatchNormalization
//   (inference; BatchNorm1d on [N, C], else BatchNorm2d); LRN (odd size); Dropout / Identity → null (dropped).
// Errors: malformed tensors or attributes → InvalidDataException; operators or settings outside the list →
// NotSupportedException; both name the file, the node and its op type.
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;
using static System.FormattableString;

namespace Topiary.Onnx;

/// <summary>A converted layer: the module, the initializer that names it (its weight) and where its state came from.</summary>
internal sealed record OnnxConvertedLayer(
    Module Module,
    string? WeightName,
    IReadOnlyList<(string Local, string Source)> Parameters,
    IReadOnlyList<(string Local, string Source)> Buffers);

internal sealed class OnnxLayerConverter(string file, OnnxGraphIndex index, long opset)
{
    private readonly Random _rng = new(0); // layer constructors need one; every value is overwritten

    /// <summary>The layer for <paramref name="item"/>, or null when it vanishes at inference (Dropout, Identity).</summary>
    /// <param name="item">The node (and MatMul bias).</param>
    /// <param name="probe">A zero example at the node's input ([1, ...]) when the input shape is static, else null.</param>
    public OnnxConvertedLayer? Convert(OnnxLayerItem item, Tensor? probe)
    {
        var node = item.Node;
        return node.OpType switch
        {
            "Conv" => Conv(node),
            "Gemm" => Gemm(node),
            "MatMul" => MatMul(node, item.BiasAdd),
            "Relu" => Plain(new ReLU()),
            "MaxPool" => Pool(node, max: true),
            "AveragePool" => Pool(node, max: false),
            "GlobalAveragePool" => Plain(new GlobalAvgPool2d()),
            "Flatten" => Flatten(node),
            "Reshape" => Reshape(node, probe),
            "BatchNormalization" => BatchNormalization(node, probe),
            "LRN" => Lrn(node),
            "Dropout" or "Identity" => null,
            "Add" => throw Unsupported(node, "Add of a constant is only supported as the bias of a MatMul (Add of two branches is a residual join)"),
            "Concat" => throw Unsupported(node, "Concat with constant inputs is not supported (only the branches of one fork)"),
            _ => throw Unsupported(node, $"operator '{node.OpType}' is not supported (supported: {string.Join(", ", OnnxImporter.SupportedOperators)})"),
        };
    }

    /// <summary>Checks that a final Softmax acts on the class axis of [N, C].</summary>
    public void CheckSoftmax(NodeProto node, Tensor? probe)
    {
        long axis = Int(node, "axis", opset >= 13 ? -1 : 1);
        int rank = probe?.Rank ?? 2;
        if (rank != 2 || axis is not (1 or -1))
            throw Unsupported(node, Invariant($"Softmax over axis {axis} of a rank-{rank} tensor is not supported (only the class axis of [N, C])"));
    }

    /// <summary>Checks that a Concat join concatenates along the channel axis 1.</summary>
    public void CheckConcatAxis(NodeProto node, Tensor? probe)
    {
        if (Attr(node, "axis") is null) throw Invalid(node, "attribute 'axis' is missing (it is required)");
        long axis = Int(node, "axis", 0);
        bool channel = axis == 1 || (axis < 0 && probe is not null && axis + probe.Rank == 1);
        if (!channel)
            throw Unsupported(node, Invariant($"Concat on axis {axis} is not supported (only axis 1, the channel axis{(axis < 0 && probe is null ? ", and a negative axis needs a static input shape" : "")})"));
    }

    private static OnnxConvertedLayer Plain(Module m) => new(m, null, [], []);

    private OnnxConvertedLayer Conv(NodeProto node)
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
        return new(conv, node.Input[1], b is null ? [("weight", node.Input[1])] : [("weight", node.Input[1]), ("bias", node.Input[2])], []);
    }

    private OnnxConvertedLayer Gemm(NodeProto node)
    {
        var bMat = FloatInput(node, 1) ?? throw Invalid(node, "Gemm needs a B input");
        var c = FloatInput(node, 2);
        if (Int(node, "transA", 0) != 0) throw Unsupported(node, "transA = 1 is not supported");
        if (bMat.Rank != 2) throw Invalid(node, $"B has shape {Tensor.ShapeString(bMat.Shape)}; a matrix is expected");
        bool transB = Int(node, "transB", 0) != 0;
        float alpha = Float(node, "alpha", 1f), beta = Float(node, "beta", 1f);
        var w = transB ? bMat : Transpose(bMat);
        if (alpha != 1f) TensorPrimitives.Multiply(w.Data, alpha, w.Data);
        return Linear(node, w, c, beta, node.Input[1], c is null ? null : node.Input[2]);
    }

    private OnnxConvertedLayer MatMul(NodeProto node, NodeProto? add)
    {
        var bMat = FloatInput(node, 1) ?? throw Invalid(node, "MatMul needs a second input");
        if (bMat.Rank != 2) throw Unsupported(node, $"MatMul with a {Tensor.ShapeString(bMat.Shape)} operand is not supported (only 2-D weights)");
        Tensor? bias = null;
        string? biasName = null;
        if (add is not null)
        {
            biasName = index.IsConstant(add.Input[0]) ? add.Input[0] : add.Input[1];
            bias = OnnxTensors.ToTensor(index.Constants[biasName], file);
        }
        return Linear(node, Transpose(bMat), bias, 1f, node.Input[1], biasName);
    }

    private OnnxConvertedLayer Linear(NodeProto node, Tensor w, Tensor? bias, float beta, string weightName, string? biasName)
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
        return new(linear, weightName, biasName is null ? [("weight", weightName)] : [("weight", weightName), ("bias", biasName)], []);
    }

    private OnnxConvertedLayer Pool(NodeProto node, bool max)
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
        try
        {
            return Plain(max ? new MaxPool2d((int)ks[0], sh, pad) : new AvgPool2d((int)ks[0], sh, pad));
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw Unsupported(node, e.Message);
        }
    }

    private OnnxConvertedLayer Flatten(NodeProto node)
    {
        long axis = Int(node, "axis", 1);
        if (axis != 1) throw Unsupported(node, Invariant($"axis = {axis} is not supported (only 1)"));
        return Plain(new Flatten());
    }

    private OnnxConvertedLayer Reshape(NodeProto node, Tensor? probe)
    {
        if (node.Input.Count < 2 || !index.Constants.TryGetValue(node.Input[1], out var shapeTensor))
            throw Unsupported(node, "only a constant target shape is supported");
        long[] shape = OnnxTensors.ToInt64(shapeTensor, file);
        string text = "[" + string.Join(", ", shape) + "]";
        bool flatten = shape.Length == 2 && (
            (shape[1] == -1 && shape[0] >= 0) ||
            (shape[0] == -1 && shape[1] > 0 && probe is not null && probe.Length == shape[1]));
        if (!flatten)
            throw Unsupported(node, $"target shape {text} is not supported (only [N, -1], or [-1, k] with k the per-example size when the input shape is static)");
        return Plain(new Flatten());
    }

    private OnnxConvertedLayer BatchNormalization(NodeProto node, Tensor? probe)
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
        BatchNorm bn = probe is { Rank: 2 } ? new BatchNorm1d(ch, eps) : new BatchNorm2d(ch, eps);
        scale.Data.CopyTo(bn.Weight.Value.Data, 0);
        bias.Data.CopyTo(bn.Bias.Value.Data, 0);
        bn.RunningMean = new Tensor(mean.Data, ch);
        bn.RunningVar = new Tensor(variance.Data, ch);
        return new(bn, node.Input[1], [("weight", node.Input[1]), ("bias", node.Input[2])],
            [("running_mean", node.Input[3]), ("running_var", node.Input[4])]);
    }

    private OnnxConvertedLayer Lrn(NodeProto node)
    {
        long size = Int(node, "size", 0);
        if (size < 1) throw Invalid(node, Invariant($"size = {size} must be positive"));
        if (size % 2 == 0) throw Unsupported(node, Invariant($"even size {size} is not supported (ONNX and PyTorch place the window differently)"));
        return Plain(new LocalResponseNorm((int)size, Float(node, "alpha", 1e-4f), Float(node, "beta", 0.75f), Float(node, "bias", 1f)));
    }

    // ---- inputs and attributes ----------------------------------------------------------------------

    private Tensor? FloatInput(NodeProto node, int i)
    {
        if (node.Input.Count <= i || node.Input[i].Length == 0) return null;
        string name = node.Input[i];
        if (!index.Constants.TryGetValue(name, out var t))
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

    private static AttributeProto? Attr(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

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

    public NotSupportedException Unsupported(NodeProto node, string reason) =>
        new($"{file}: node '{node.Name}' (op {node.OpType}): {reason}.");

    public InvalidDataException Invalid(NodeProto node, string reason) =>
        new($"{file}: node '{node.Name}' (op {node.OpType}): {reason}.");
}
