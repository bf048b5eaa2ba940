// OnnxNodeConverter: turns one ONNX node that computes on run-time tensors into Topiary layers added to the graph being
// built (OnnxImportContext). Known inputs (weights, shapes, constants) are read at import; a known float operand of a
// run-time op (Add of a mean, Concat of a constant) becomes a graph constant. Settings follow the ONNX operator specs of
// opsets 7–21 (attribute forms before opset 10/11/13/18, input forms from then on). Layers:
//   Conv → Conv2d (group, dilations, asymmetric pads, auto_pad)    Gemm / MatMul (one known operand) → Linear
//   BatchNormalization → BatchNorm2d/1d    Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh → activations
//   Softmax / LogSoftmax (legacy 2-D coercion below opset 13)     Add/Sub/Mul/Div, Sum → ElementwiseOp (broadcast)
//   Transpose → Permute   Reshape, Squeeze, Unsqueeze → Reshape (batch axis copied)   Flatten → Flatten
//   Pad → Pad   MaxPool / AveragePool → pools (ceil_mode, count_include_pad)   GlobalAverage/MaxPool   ReduceMean
//   Concat → Cat   Split → Split   Slice → Slice   Gather (one index) → Slice + Reshape   LRN → LocalResponseNorm
//   ImageScaler → Mul + Add    Dropout / Identity → nothing (the output is the input)
// An Add of a per-channel constant right after a Conv / Linear without bias (and read by nothing else) becomes that
// layer's bias, so imported networks keep PyTorch's conv-with-bias shape (CNTK, Caffe2, tf2onnx write the bias apart).
using System.Globalization;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Onnx;

internal static class OnnxNodeConverter
{
    /// <summary>Op types converted into layers.</summary>
    public static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "Conv", "Gemm", "MatMul", "BatchNormalization", "Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
        "Softmax", "LogSoftmax", "Add", "Sub", "Mul", "Div", "Sum", "Transpose", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Pad",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "Concat", "Split", "Slice", "Gather", "LRN",
        "ImageScaler", "Dropout", "Identity", "Shape", "Constant", "Expand",
    };

    private static readonly Random Rng = new(0); // layer constructors need one; every weight is overwritten

    public static void Convert(OnnxImportContext ctx, OnnxNodeView n)
    {
        switch (n.OpType)
        {
            case "Conv": Conv(ctx, n); break;
            case "Gemm": Gemm(ctx, n); break;
            case "MatMul": MatMul(ctx, n); break;
            case "BatchNormalization": BatchNormalization(ctx, n); break;
            case "Relu": Unary(ctx, n, new ReLU()); break;
            case "LeakyRelu": Unary(ctx, n, new LeakyReLU(n.Float("alpha", 0.01f))); break;
            case "Clip": Clip(ctx, n); break;
            case "Sigmoid": Unary(ctx, n, new Sigmoid()); break;
            case "HardSigmoid": Unary(ctx, n, new HardSigmoid(n.Float("alpha", 0.2f), n.Float("beta", 0.5f))); break;
            case "HardSwish": Unary(ctx, n, new HardSwish()); break;
            case "Tanh": Unary(ctx, n, new Tanh()); break;
            case "Softmax":
            case "LogSoftmax":
            {
                bool legacy = ctx.Opset < 13;
                int axis = (int)n.Int("axis", legacy ? 1 : -1);
                Module m = n.OpType == "Softmax" ? new Softmax(axis, coerceTo2D: legacy) : new LogSoftmax(axis, coerceTo2D: legacy);
                Unary(ctx, n, m);
                break;
            }
            case "Add" or "Sub" or "Mul" or "Div": Arithmetic(ctx, n); break;
            case "Sum": Sum(ctx, n); break;
            case "Transpose": Transpose(ctx, n); break;
            case "Reshape": Reshape(ctx, n); break;
            case "Squeeze" or "Unsqueeze": SqueezeOrUnsqueeze(ctx, n); break;
            case "Flatten":
            {
                var x = RuntimeInput(ctx, n, 0);
                int rank = ctx.Probe(x).Rank;
                int axis = (int)n.Int("axis", 1);
                if (axis < 0) axis += rank;
                if (axis < 0 || axis > rank) throw n.Invalid($"axis {n.Int("axis", 1)} is out of range for rank {rank}");
                Add(ctx, n, Name(n), new Flatten(axis), [x], axis >= 1 && ctx.BatchAxis(x) == 0 ? 0 : -1);
                break;
            }
            case "Pad": Pad(ctx, n); break;
            case "MaxPool" or "AveragePool": Pool(ctx, n); break;
            case "GlobalAveragePool": Unary(ctx, n, Spatial2d(ctx, n, new GlobalAvgPool2d())); break;
            case "GlobalMaxPool": Unary(ctx, n, Spatial2d(ctx, n, new GlobalMaxPool2d())); break;
            case "ReduceMean": ReduceMean(ctx, n); break;
            case "Concat": Concat(ctx, n); break;
            case "Split": Split(ctx, n); break;
            case "Slice": Slice(ctx, n); break;
            case "Gather": Gather(ctx, n); break;
            case "LRN":
            {
                long size = n.Int("size", 0);
                if (size < 1) throw n.Invalid($"size = {size} must be positive");
                if (size % 2 == 0) throw n.Unsupported($"even size {size} is not supported (ONNX and PyTorch place the window differently)");
                Unary(ctx, n, Spatial2d(ctx, n, new LocalResponseNorm((int)size, n.Float("alpha", 1e-4f), n.Float("beta", 0.75f), n.Float("bias", 1f))));
                break;
            }
            case "ImageScaler": ImageScaler(ctx, n); break;
            case "Expand": Expand(ctx, n); break;
            case "Dropout" or "Identity":
                if (n.Node.Output.Count > 1 && n.Node.Output[1].Length > 0 && ctx.ReadCount.GetValueOrDefault(n.Node.Output[1]) > 0)
                    throw n.Unsupported("the dropout mask output is read by another node");
                ctx.Alias(n.Node.Output[0], RuntimeInput(ctx, n, 0));
                break;
            default:
                throw n.Unsupported("operator is not supported");
        }
    }

    // ---- naming ------------------------------------------------------------------------------------------------

    private static readonly string[] WeightSuffixes = [".weight", "_w_0", "_W", "/kernel", "/weights", "/ReadVariableOp", ":0"];

    /// <summary>
    /// A layer name: the weight initializer's prefix when it follows a known convention ("layer1.0.conv1.weight" →
    /// "layer1.0.conv1", Caffe2 "conv1_w_0" → "conv1"), else the module path of a PyTorch scope name
    /// ("/layer1/layer1.0/relu/Relu" → "layer1.0.relu"), else the node name, else the op type.
    /// </summary>
    public static string Name(OnnxNodeView n, string? weight = null)
    {
        if (weight is not null)
        {
            string w = weight;
            bool stripped = false;
            foreach (var suffix in WeightSuffixes)
            {
                if (w.Length > suffix.Length && w.EndsWith(suffix, StringComparison.Ordinal))
                {
                    w = w[..^suffix.Length];
                    stripped = true;
                }
            }
            if (stripped) return w;
        }
        if (n.Name.StartsWith('/'))
        {
            // PyTorch scopes: "/layer1/layer1.0/relu/Relu" — each segment is a module, qualified ("layer1.0") or not
            // ("relu"); the last segment is the op. The module path is "layer1.0.relu".
            var parts = n.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            string path = "";
            foreach (var segment in parts[..^1])
                path = path.Length > 0 && !segment.StartsWith(path + ".", StringComparison.Ordinal) ? path + "." + segment : segment;
            return path.Length > 0 ? path : n.OpType.ToLowerInvariant();
        }
        if (n.Name.Length > 0) return n.Name;
        return weight ?? n.OpType.ToLowerInvariant();
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static string RuntimeInput(OnnxImportContext ctx, OnnxNodeView n, int i)
    {
        string name = n.Input(i);
        if (name.Length == 0) throw n.Invalid($"input {i} is required");
        if (!ctx.IsRuntime(name)) throw n.Unsupported($"input '{name}' must be computed by the graph here");
        return ctx.Resolve(name);
    }

    private static Tensor KnownFloat(OnnxImportContext ctx, OnnxNodeView n, int i, string what)
    {
        var c = ctx.Known(n.Input(i)) ?? throw (n.Input(i).Length == 0 ? n.Invalid($"{what} (input {i}) is required")
            : n.Unsupported($"{what} '{n.Input(i)}' is computed from the model's input; only weights known at import are supported"));
        if (!c.IsFloat) throw n.Invalid($"{what} '{n.Input(i)}' has data type {OnnxTensors.DataTypeName(c.DataType)}; FLOAT is expected");
        return c.ToTensor();
    }

    private static Tensor? OptionalFloat(OnnxImportContext ctx, OnnxNodeView n, int i, string what) =>
        n.Input(i).Length == 0 ? null : KnownFloat(ctx, n, i, what);

    private static long[]? KnownInts(OnnxImportContext ctx, OnnxNodeView n, int i, string what)
    {
        if (n.Input(i).Length == 0) return null;
        var c = ctx.Known(n.Input(i)) ?? throw n.Unsupported($"{what} '{n.Input(i)}' is computed from the model's input; only values known at import are supported");
        return c.ToInt64s(n.Unsupported, what);
    }

    private static void Unary(OnnxImportContext ctx, OnnxNodeView n, Module m) => Add(ctx, n, Name(n), m, [RuntimeInput(ctx, n, 0)]);

    private static string Add(OnnxImportContext ctx, OnnxNodeView n, string name, Module m, string[] inputs, int? batchAxis = null)
    {
        string output = n.Node.Output[0];
        return ctx.AddNode(n, name, m, inputs, [output], batchAxis);
    }

    private static Module Spatial2d(OnnxImportContext ctx, OnnxNodeView n, Module m)
    {
        int rank = ctx.Probe(RuntimeInput(ctx, n, 0)).Rank;
        if (rank != 4) throw n.Unsupported($"only 2-D images [N, C, H, W] are supported (input has rank {rank})");
        return m;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    // An operand of a run-time op: the run-time tensor, or a graph constant holding the known value.
    private static string Operand(OnnxImportContext ctx, OnnxNodeView n, int i)
    {
        string name = n.Input(i);
        if (ctx.IsRuntime(name)) return ctx.Resolve(name);
        var known = ctx.Known(name) ?? throw n.Invalid($"input {i} is required");
        if (!known.IsFloat) throw n.Unsupported($"input '{name}' has integer type {OnnxTensors.DataTypeName(known.DataType)}; float tensors are supported");
        if (known.Marks is not null) throw n.Unsupported($"input '{name}' depends on the batch size");
        return ctx.RuntimeConstant(ctx.Resolve(name), known.ToTensor());
    }

    // ---- convolution, dense, normalisation -----------------------------------------------------------------------

    private static void Conv(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        var w = KnownFloat(ctx, n, 1, "the weight");
        var b = OptionalFloat(ctx, n, 2, "the bias");
        var input = ctx.Probe(x);
        if (w.Rank != 4 || input.Rank != 4) throw n.Unsupported($"only 2-D convolutions are supported (weight {Tensor.ShapeString(w.Shape)}, input {Tensor.ShapeString(input.Shape)})");
        int group = (int)n.Int("group", 1);
        int oc = w.Dim(0), kh = w.Dim(2), kw = w.Dim(3);
        if (group < 1 || oc % group != 0) throw n.Invalid($"group = {group} does not divide the {oc} output channels");
        int inC = w.Dim(1) * group;
        if (input.Dim(1) != inC) throw n.Invalid($"the weight {Tensor.ShapeString(w.Shape)} with group {group} expects {inC} input channels; the input has {input.Dim(1)}");
        if (n.Ints("kernel_shape") is { } ks && (ks.Length != 2 || ks[0] != kh || ks[1] != kw))
            throw n.Invalid($"kernel_shape [{string.Join(", ", ks)}] does not match the weight shape {Tensor.ShapeString(w.Shape)}");
        var (sh, sw) = Pair(n, "strides");
        var (dh, dw) = Pair(n, "dilations");
        var pads = Pads(n, input.Dim(2), input.Dim(3), kh, kw, sh, sw, dh, dw);
        if (b is not null && b.Length != oc) throw n.Invalid(Invariant($"bias has {b.Length} values; {oc} expected"));
        long outH = ((long)input.Dim(2) + pads.Top + pads.Bottom - (long)dh * (kh - 1) - 1) / sh + 1;
        long outW = ((long)input.Dim(3) + pads.Left + pads.Right - (long)dw * (kw - 1) - 1) / sw + 1;
        OnnxImportContext.CheckActivation(n, [oc, outH, outW]);
        var conv = new Conv2d(inC, oc, (kh, kw), Rng, (sh, sw), pads, (dh, dw), group, bias: b is not null);
        w.Data.CopyTo(conv.Weight.Value.Data, 0);
        b?.Data.CopyTo(conv.Bias!.Value.Data, 0);
        string name = Add(ctx, n, Name(n, n.Input(1)), conv, [x]);
        ctx.Source(name, "weight", n.Input(1));
        if (b is not null) ctx.Source(name, "bias", n.Input(2));
    }

    private static (int, int) Pair(OnnxNodeView n, string attribute)
    {
        var v = n.Ints(attribute);
        if (v is null) return (1, 1);
        if (v.Length != 2 || v.Any(x => x < 1 || x > 1 << 16)) throw n.Unsupported($"{attribute} [{string.Join(", ", v)}] are not supported (two positive values expected)");
        return ((int)v[0], (int)v[1]);
    }

    // ONNX pads [top, left, bottom, right], or auto_pad: SAME_UPPER/SAME_LOWER pad so that out = ceil(in / stride),
    // the odd pixel at the end (UPPER) or the start (LOWER); VALID = none.
    private static (int Top, int Left, int Bottom, int Right) Pads(OnnxNodeView n, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw)
    {
        string autoPad = n.Str("auto_pad", "NOTSET");
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            static (int, int) Same(int size, int k, int s, int d, bool upper)
            {
                int outSize = (size + s - 1) / s;
                int total = Math.Max(0, (outSize - 1) * s + (k - 1) * d + 1 - size);
                int small = total / 2;
                return upper ? (small, total - small) : (total - small, small);
            }
            var (t, bo) = Same(h, kh, sh, dh, autoPad == "SAME_UPPER");
            var (l, r) = Same(w, kw, sw, dw, autoPad == "SAME_UPPER");
            return (t, l, bo, r);
        }
        if (autoPad == "VALID") return (0, 0, 0, 0);
        if (autoPad is not ("NOTSET" or "")) throw n.Invalid($"auto_pad = {autoPad} is not a valid setting");
        var p = n.Ints("pads");
        if (p is null) return (0, 0, 0, 0);
        if (p.Length != 4 || p.Any(x => x < 0 || x > 1 << 16)) throw n.Unsupported($"pads [{string.Join(", ", p)}] are not supported (four non-negative values for a 2-D op)");
        return ((int)p[0], (int)p[1], (int)p[2], (int)p[3]);
    }

    private static void Gemm(OnnxImportContext ctx, OnnxNodeView n)
    {
        string a = RuntimeInput(ctx, n, 0);
        if (ctx.Probe(a).Rank != 2) throw n.Invalid($"Gemm input A must be a matrix; it has shape {Tensor.ShapeString(ctx.Probe(a).Shape)}");
        if (n.Int("transA", 0) != 0) throw n.Unsupported("transA = 1 on a computed input is not supported");
        var bMat = KnownFloat(ctx, n, 1, "B");
        if (bMat.Rank != 2) throw n.Invalid($"B has shape {Tensor.ShapeString(bMat.Shape)}; a matrix is expected");
        var c = OptionalFloat(ctx, n, 2, "C");
        bool transB = n.Int("transB", 0) != 0;
        float alpha = n.Float("alpha", 1f), beta = n.Float("beta", 1f);
        var w = transB ? bMat : Transposed(bMat);
        if (alpha != 1f) TensorPrimitives.Multiply(w.Data, alpha, w.Data);
        var linear = Linear(n, w, c, beta);
        string name = Add(ctx, n, Name(n, n.Input(1)), linear, [a]);
        ctx.Source(name, "weight", n.Input(1));
        if (c is not null) ctx.Source(name, "bias", n.Input(2));
    }

    private static Linear Linear(OnnxNodeView n, Tensor w, Tensor? bias, float beta)
    {
        int outF = w.Dim(0), inF = w.Dim(1);
        var linear = new Linear(inF, outF, Rng, bias: bias is not null);
        w.Data.CopyTo(linear.Weight.Value.Data, 0);
        if (bias is not null)
        {
            var dst = linear.Bias!.Value.Data;
            if (bias.Length == outF) bias.Data.CopyTo(dst, 0);
            else if (bias.Length == 1) Array.Fill(dst, bias.Data[0]);
            else throw n.Unsupported(Invariant($"a bias of shape {Tensor.ShapeString(bias.Shape)} is not supported ({outF} values or one expected)"));
            if (beta != 1f) TensorPrimitives.Multiply(dst, beta, dst);
        }
        return linear;
    }

    // MatMul with one known operand. X·W (W [K, M]) is a Linear on the last axis; W·X is one on the transposed last two
    // axes. Inputs of rank > 2 are reshaped to rows around the Linear.
    private static void MatMul(OnnxImportContext ctx, OnnxNodeView n)
    {
        bool rightKnown = ctx.IsKnown(n.Input(1)), leftKnown = ctx.IsKnown(n.Input(0));
        if (!rightKnown && !leftKnown) throw n.Unsupported("MatMul of two computed tensors is not supported (one operand must be a weight)");
        int xi = rightKnown ? 0 : 1;
        string x = RuntimeInput(ctx, n, xi);
        var w = KnownFloat(ctx, n, 1 - xi, "the weight");
        if (w.Rank != 2) throw n.Unsupported($"a weight of shape {Tensor.ShapeString(w.Shape)} is not supported (a matrix is expected)");
        var probe = ctx.Probe(x);
        if (probe.Rank < 2 && rightKnown && probe.Rank != 1) throw n.Unsupported("a scalar operand is not supported");
        string name = Name(n, n.Input(1 - xi));
        if (rightKnown)
        {
            // y[..., M] = x[..., K] · W[K, M]: Linear with weight Wᵀ [M, K].
            if (probe.Dim(-1) != w.Dim(0)) throw n.Invalid($"shapes {Tensor.ShapeString(probe.Shape)} and {Tensor.ShapeString(w.Shape)} do not multiply");
            var linear = Linear(n, Transposed(w), null, 1f);
            if (probe.Rank == 2)
            {
                string node = Add(ctx, n, name, linear, [x]);
                ctx.Source(node, "weight", n.Input(1));
                return;
            }
            string rows = ctx.UniqueTensor(n.Node.Output[0] + "/rows"), mapped = ctx.UniqueTensor(n.Node.Output[0] + "/mapped");
            ctx.AddNode(n, name + ".rows", new Reshape([-1, w.Dim(0)]), [x], [rows], -1);
            string lin = ctx.AddNode(n, name, linear, [rows], [mapped], -1);
            ctx.Source(lin, "weight", n.Input(1));
            var outShape = probe.Shape.ToArray();
            outShape[^1] = w.Dim(1);
            ctx.AddNode(n, name + ".unrows", new Reshape(Spec(outShape, ctx.BatchAxis(x))), [mapped], [n.Node.Output[0]], ctx.BatchAxis(x));
            return;
        }
        // y[..., P, M] = W[P, K] · x[..., K, M] = (xᵀ · Wᵀ)ᵀ over the last two axes.
        if (probe.Rank < 2 || probe.Dim(-2) != w.Dim(1)) throw n.Invalid($"shapes {Tensor.ShapeString(w.Shape)} and {Tensor.ShapeString(probe.Shape)} do not multiply");
        int r = probe.Rank;
        var perm = Enumerable.Range(0, r).ToArray();
        (perm[r - 2], perm[r - 1]) = (perm[r - 1], perm[r - 2]);
        string t1 = ctx.UniqueTensor(n.Node.Output[0] + "/t"), t2 = ctx.UniqueTensor(n.Node.Output[0] + "/tw");
        ctx.AddNode(n, name + ".in_t", new Permute(perm), [x], [t1], ctx.BatchAxis(x) >= r - 2 ? -1 : ctx.BatchAxis(x));
        var lin2 = Linear(n, w, null, 1f);
        string flat = ctx.UniqueTensor(n.Node.Output[0] + "/rows"), mapped2 = ctx.UniqueTensor(n.Node.Output[0] + "/mapped");
        var tShape = ctx.Probe(t1).Shape.ToArray();
        ctx.AddNode(n, name + ".rows", new Reshape([-1, w.Dim(1)]), [t1], [flat], -1);
        string node2 = ctx.AddNode(n, name, lin2, [flat], [mapped2], -1);
        ctx.Source(node2, "weight", n.Input(0));
        tShape[^1] = w.Dim(0);
        ctx.AddNode(n, name + ".unrows", new Reshape(Spec(tShape, ctx.BatchAxis(t1))), [mapped2], [t2], ctx.BatchAxis(t1));
        ctx.AddNode(n, name + ".out_t", new Permute(perm), [t2], [n.Node.Output[0]], ctx.BatchAxis(x));
    }

    private static Tensor Transposed(Tensor m)
    {
        int rows = m.Dim(0), cols = m.Dim(1);
        var t = new Tensor(cols, rows);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t.Data[c * rows + r] = m.Data[r * cols + c];
        return t;
    }

    private static void BatchNormalization(OnnxImportContext ctx, OnnxNodeView n)
    {
        if (n.Int("training_mode", 0) != 0) throw n.Unsupported("training_mode = 1 is not supported");
        if (n.Node.Output.Count > 1 && n.Node.Output.Skip(1).Any(o => o.Length > 0 && ctx.ReadCount.GetValueOrDefault(o) > 0))
            throw n.Unsupported("the running-statistics outputs (training mode) are not supported");
        string x = RuntimeInput(ctx, n, 0);
        var scale = KnownFloat(ctx, n, 1, "scale");
        var bias = KnownFloat(ctx, n, 2, "B");
        var mean = KnownFloat(ctx, n, 3, "mean");
        var variance = KnownFloat(ctx, n, 4, "var");
        int ch = scale.Length;
        if (bias.Length != ch || mean.Length != ch || variance.Length != ch)
            throw n.Invalid(Invariant($"scale, B, mean and var have {scale.Length}, {bias.Length}, {mean.Length}, {variance.Length} values; they must be equal"));
        float eps = n.Float("epsilon", 1e-5f);
        if (!(eps >= 0)) throw n.Invalid(Invariant($"epsilon = {eps} must not be negative"));
        int rank = ctx.Probe(x).Rank;
        if (rank is not (2 or 4)) throw n.Unsupported($"BatchNormalization of a rank-{rank} tensor is not supported (rank 2 or 4)");
        if (ctx.Probe(x).Dim(1) != ch) throw n.Invalid(Invariant($"the input has {ctx.Probe(x).Dim(1)} channels; the statistics have {ch}"));
        BatchNorm bn = rank == 2 ? new BatchNorm1d(ch, Math.Max(eps, float.Epsilon)) : new BatchNorm2d(ch, Math.Max(eps, float.Epsilon));
        scale.Data.CopyTo(bn.Weight.Value.Data, 0);
        bias.Data.CopyTo(bn.Bias.Value.Data, 0);
        bn.RunningMean = new Tensor(mean.Data, ch);
        bn.RunningVar = new Tensor(variance.Data, ch);
        string name = Add(ctx, n, Name(n, n.Input(1)), bn, [x]);
        ctx.Source(name, "weight", n.Input(1));
        ctx.Source(name, "bias", n.Input(2));
        ctx.Source(name, "running_mean", n.Input(3), buffer: true);
        ctx.Source(name, "running_var", n.Input(4), buffer: true);
    }

    private static void Clip(OnnxImportContext ctx, OnnxNodeView n)
    {
        float min, max;
        if (ctx.Opset < 11)
        {
            min = n.Float("min", float.NegativeInfinity);
            max = n.Float("max", float.PositiveInfinity);
        }
        else
        {
            min = OptionalFloat(ctx, n, 1, "min") is { } lo ? lo.Data[0] : float.NegativeInfinity;
            max = OptionalFloat(ctx, n, 2, "max") is { } hi ? hi.Data[0] : float.PositiveInfinity;
        }
        Module m = min == 0 && float.IsPositiveInfinity(max) ? new ReLU() : new Hardtanh(min, max);
        Unary(ctx, n, m);
    }

    // ---- arithmetic ----------------------------------------------------------------------------------------------

    private static void Arithmetic(OnnxImportContext ctx, OnnxNodeView n)
    {
        if (n.OpType == "Add" && TryFoldBias(ctx, n)) return;
        var kind = n.OpType switch
        {
            "Add" => ElementwiseKind.Add,
            "Sub" => ElementwiseKind.Sub,
            "Mul" => ElementwiseKind.Mul,
            _ => ElementwiseKind.Div,
        };
        if (ctx.Opset < 7 && n.Has("broadcast")) throw n.Unsupported("the opset-6 'broadcast' attribute is not supported");
        string a = Operand(ctx, n, 0), b = Operand(ctx, n, 1);
        var shape = OnnxConstantFolder.BroadcastShape(n, ctx.Probe(a).Shape.ToArray(), ctx.Probe(b).Shape.ToArray());
        OnnxImportContext.CheckActivation(n, shape.Select(d => (long)d));
        int axis = Math.Max(ctx.IsRuntime(n.Input(0)) ? ctx.BatchAxis(a) : -1, ctx.IsRuntime(n.Input(1)) ? ctx.BatchAxis(b) : -1);
        Add(ctx, n, Name(n), new ElementwiseOp(kind), [a, b], axis);
    }

    // Conv/Linear without bias → Add(per-channel constant) read only here: the constant becomes the layer's bias.
    private static bool TryFoldBias(OnnxImportContext ctx, OnnxNodeView n)
    {
        int xi = ctx.IsRuntime(n.Input(0)) && ctx.IsKnown(n.Input(1)) ? 0 : ctx.IsRuntime(n.Input(1)) && ctx.IsKnown(n.Input(0)) ? 1 : -1;
        if (xi < 0) return false;
        string raw = n.Input(xi), x = ctx.Resolve(raw);
        int index = ctx.ProducerIndex(x);
        if (index < 0 || ctx.ReadCount.GetValueOrDefault(raw) != 1 || ctx.GraphOutputs.Contains(raw) || raw != x) return false;
        var known = ctx.Known(n.Input(1 - xi))!;
        if (!known.IsFloat || known.Marks is not null) return false;
        var c = known.ToTensor();
        var module = ctx.Nodes[index].Module;
        var y = ctx.Probe(x);
        int channels;
        switch (module)
        {
            case Conv2d { Bias: null } conv:
                channels = conv.OutChannels;
                if (!PerChannel(c.Shape, channels, y.Rank, 1)) return false;
                var withBias = new Conv2d(conv.InChannels, conv.OutChannels, conv.KernelSize, Rng, conv.Stride, conv.Pads, conv.Dilation, conv.Groups, bias: true);
                conv.Weight.Value.Data.CopyTo(withBias.Weight.Value.Data, 0);
                c.Data.CopyTo(withBias.Bias!.Value.Data, 0);
                ctx.ReplaceModule(index, withBias);
                break;
            case Linear { Bias: null } lin when y.Rank == 2:
                channels = lin.OutFeatures;
                if (!PerChannel(c.Shape, channels, 2, 1) || c.Length != channels) return false;
                var withB = new Linear(lin.InFeatures, lin.OutFeatures, Rng, bias: true);
                lin.Weight.Value.Data.CopyTo(withB.Weight.Value.Data, 0);
                c.Data.CopyTo(withB.Bias!.Value.Data, 0);
                ctx.ReplaceModule(index, withB);
                break;
            default:
                return false;
        }
        ctx.Source(ctx.Nodes[index].Name, "bias", n.Input(1 - xi));
        ctx.Alias(n.Node.Output[0], x);
        return true;
    }

    // True when a constant of `shape` broadcast against a rank-`rank` tensor adds one value per entry of `axis`
    // (e.g. [C,1,1] or [1,C,1,1] on NCHW, [M] or [1,M] on [N,M]).
    private static bool PerChannel(ReadOnlySpan<int> shape, int channels, int rank, int axis)
    {
        if (shape.Length > rank) return false;
        int offset = rank - shape.Length;
        for (int d = 0; d < shape.Length; d++)
        {
            int at = d + offset;
            if (at == axis ? shape[d] != channels : shape[d] != 1) return false;
        }
        return offset <= axis;
    }

    private static void Sum(OnnxImportContext ctx, OnnxNodeView n)
    {
        var inputs = Enumerable.Range(0, n.InputCount).Where(i => n.Input(i).Length > 0).Select(i => Operand(ctx, n, i)).ToArray();
        if (inputs.Length == 0) throw n.Invalid("Sum needs at least one input");
        if (inputs.Length == 1)
        {
            ctx.Alias(n.Node.Output[0], inputs[0]);
            return;
        }
        string acc = inputs[0];
        int axis = inputs.Select(ctx.BatchAxis).Max();
        for (int i = 1; i < inputs.Length; i++)
        {
            string output = i == inputs.Length - 1 ? n.Node.Output[0] : ctx.UniqueTensor(n.Node.Output[0] + "/partial" + i.ToString(CultureInfo.InvariantCulture));
            ctx.AddNode(n, Name(n), new ElementwiseOp(ElementwiseKind.Add), [acc, inputs[i]], [output], axis);
            acc = output;
        }
    }

    // Expand of a computed tensor (PyTorch's `y.expand_as(x)`): broadcasting against zeros of the target shape, the
    // batch entry of the target (from Shape(x)) left at 1 so the batch comes from the input.
    private static void Expand(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        var target = ctx.Known(n.Input(1)) ?? throw n.Unsupported($"the target shape '{n.Input(1)}' is computed from the data, not from shapes known at import");
        var dims = new long[target.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = target.Mark(i) switch
            {
                DimMark.Known => OnnxConstant.ToLong(target.Data[i]),
                DimMark.Batch => 1,
                _ => throw n.Unsupported("the target shape is computed from the batch size"),
            };
            if (dims[i] < 0 || dims[i] > int.MaxValue) throw n.Invalid($"target dimension {dims[i]} is invalid");
        }
        var shape = OnnxConstantFolder.BroadcastShape(n, ctx.Probe(x).Shape.ToArray(), dims.Select(d => (int)d).ToArray());
        OnnxImportContext.CheckActivation(n, shape.Select(d => (long)d));
        if (shape.SequenceEqual(ctx.Probe(x).Shape.ToArray()))
        {
            ctx.Alias(n.Node.Output[0], x);
            return;
        }
        string zeros = ctx.RuntimeConstant(n.Node.Output[0] + "/zeros", new Tensor(dims.Select(d => (int)d).ToArray()));
        Add(ctx, n, Name(n), new ElementwiseOp(ElementwiseKind.Add), [x, zeros]);
    }

    private static void ImageScaler(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        var probe = ctx.Probe(x);
        if (probe.Rank != 4) throw n.Unsupported("ImageScaler needs an [N, C, H, W] input");
        float scale = n.Float("scale", 1f);
        var bias = n.Floats("bias") ?? new float[probe.Dim(1)];
        if (bias.Length != probe.Dim(1)) throw n.Invalid(Invariant($"bias has {bias.Length} values; the input has {probe.Dim(1)} channels"));
        string s = ctx.RuntimeConstant(n.Node.Output[0] + "/scale", new Tensor([scale], 1));
        string bc = ctx.RuntimeConstant(n.Node.Output[0] + "/bias", new Tensor(bias, 1, bias.Length, 1, 1));
        string scaled = ctx.UniqueTensor(n.Node.Output[0] + "/scaled");
        ctx.AddNode(n, Name(n) + ".scale", new ElementwiseOp(ElementwiseKind.Mul), [x, s], [scaled], 0);
        ctx.AddNode(n, Name(n) + ".bias", new ElementwiseOp(ElementwiseKind.Add), [scaled, bc], [n.Node.Output[0]], 0);
    }

    // ---- shapes ------------------------------------------------------------------------------------------------

    /// <summary>A Reshape spec producing <paramref name="shape"/> for any batch size: the batch axis is −1.</summary>
    private static long[] Spec(int[] shape, int batchAxis)
    {
        var spec = shape.Select(d => (long)d).ToArray();
        if (batchAxis >= 0 && batchAxis < spec.Length) spec[batchAxis] = -1;
        return spec;
    }

    private static void Transpose(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        int rank = ctx.Probe(x).Rank;
        var perm = (n.Ints("perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray()).Select(p => (int)p).ToArray();
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw n.Invalid($"perm [{string.Join(", ", perm)}] is not a permutation of rank {rank}");
        int batch = ctx.BatchAxis(x);
        Add(ctx, n, Name(n), new Permute(perm), [x], batch < 0 ? -1 : Array.IndexOf(perm, batch));
    }

    private static void Reshape(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        var probe = ctx.Probe(x);
        int batch = ctx.BatchAxis(x);
        bool allowZero = n.Int("allowzero", 0) != 0;
        OnnxConstant target;
        if (ctx.Opset < 5) target = OnnxConstant.Int64([n.Ints("shape")?.Length ?? 0], n.Ints("shape") ?? throw n.Invalid("attribute 'shape' is missing"));
        else target = ctx.Known(n.Input(1)) ?? throw n.Unsupported($"the target shape '{n.Input(1)}' is computed from the data, not from shapes known at import");
        var spec = new long[target.Length];
        for (int i = 0; i < spec.Length; i++)
        {
            var mark = target.Mark(i);
            long v = OnnxConstant.ToLong(target.Data[i]);
            if (mark == DimMark.Batch)
            {
                if (i != batch) throw n.Unsupported(Invariant($"the target shape puts the batch size at axis {i}, but the input's batch axis is {batch}"));
                spec[i] = 0;
            }
            else if (mark == DimMark.Unknown) throw n.Unsupported("the target shape is computed from the batch size; only copying it is supported");
            else if (v == 0 && !allowZero) spec[i] = 0;
            else if (i == 0 && batch == 0 && v == probe.Dim(0) && v == 1 && probe.Rank > 0) spec[i] = 0; // a fixed batch of 1 → any batch
            else spec[i] = v;
        }
        if (allowZero && spec.Contains(0)) throw n.Unsupported("allowzero = 1 with a zero-size dimension is not supported");
        int outBatch = spec.Length > 0 && spec[0] == 0 && batch == 0 ? 0 : -1;
        // [N, -1] and [-1, C·H·W] flatten each example: the Flatten layer says so to every chain tool (pruning, plans).
        long perExample = probe.Rank >= 2 ? probe.Length / Math.Max(1, probe.Dim(0)) : -1;
        bool flatten = batch == 0 && probe.Rank >= 2 && spec.Length == 2 && (spec[0] == 0 && spec[1] == -1 || spec[0] == -1 && spec[1] == perExample);
        if (flatten) outBatch = 0;
        Module m = flatten ? new Flatten() : new Reshape(spec);
        Add(ctx, n, Name(n), m, [x], outBatch);
    }

    // Squeeze / Unsqueeze as a Reshape: the output shape comes from the constant folder's rules on the probe's shape; the
    // batch axis moves past the inserted axes (or back over the removed ones) and is copied, so any batch size works.
    private static void SqueezeOrUnsqueeze(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        var probe = ctx.Probe(x);
        int rank = probe.Rank, batch = ctx.BatchAxis(x);
        bool unsqueeze = n.OpType == "Unsqueeze";
        long[]? axes = ctx.Opset >= 13 ? KnownInts(ctx, n, 1, "axes") : n.Ints("axes");
        if (axes is null)
        {
            if (unsqueeze) throw n.Invalid("axes are required");
            if (batch >= 0) throw n.Unsupported("Squeeze without axes on a tensor with a batch axis is not supported (the result would depend on the batch size)");
            axes = Enumerable.Range(0, rank).Where(d => probe.Dim(d) == 1).Select(d => (long)d).ToArray();
        }
        int outRank = unsqueeze ? rank + axes.Length : rank - axes.Length;
        var set = axes.Select(a => (int)(a < 0 ? a + (unsqueeze ? outRank : rank) : a)).ToHashSet();
        if (set.Count != axes.Length || set.Any(a => a < 0 || a >= (unsqueeze ? outRank : rank)))
            throw n.Invalid($"axes [{string.Join(", ", axes)}] are invalid for rank {rank}");
        var shape = new List<int>();
        int outBatch = -1;
        if (unsqueeze)
        {
            for (int d = 0, k = 0; d < outRank; d++)
            {
                if (set.Contains(d)) shape.Add(1);
                else
                {
                    if (k == batch) outBatch = d;
                    shape.Add(probe.Dim(k++));
                }
            }
        }
        else
        {
            if (set.Contains(batch)) throw n.Unsupported("squeezing the batch axis is not supported");
            for (int d = 0; d < rank; d++)
            {
                if (set.Contains(d))
                {
                    if (probe.Dim(d) != 1) throw n.Invalid($"axis {d} has size {probe.Dim(d)}; only size-1 axes can be squeezed");
                    continue;
                }
                if (d == batch) outBatch = shape.Count;
                shape.Add(probe.Dim(d));
            }
        }
        var spec = Spec([.. shape], outBatch);
        if (outBatch >= 0 && outBatch == batch) spec[batch] = 0;
        Add(ctx, n, Name(n), new Reshape(spec), [x], outBatch);
    }

    private static void Pad(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        int rank = ctx.Probe(x).Rank;
        string mode = n.Str("mode", "constant");
        var padMode = mode switch
        {
            "constant" => PadMode.Constant,
            "reflect" => PadMode.Reflect,
            "edge" => PadMode.Edge,
            _ => throw n.Unsupported($"mode '{mode}' is not supported (constant, reflect, edge)"),
        };
        long[] pads;
        float value;
        if (ctx.Opset < 11)
        {
            pads = n.Ints("pads") ?? n.Ints("paddings") ?? throw n.Invalid("attribute 'pads' is missing");
            value = n.Float("value", 0f);
        }
        else
        {
            pads = KnownInts(ctx, n, 1, "pads") ?? throw n.Invalid("input 'pads' is required");
            value = OptionalFloat(ctx, n, 2, "constant_value") is { } v && v.Length > 0 ? v.Data[0] : 0f;
            if (KnownInts(ctx, n, 3, "axes") is { } axes)
            {
                if (pads.Length != 2 * axes.Length) throw n.Invalid($"pads has {pads.Length} values for {axes.Length} axes");
                var full = new long[2 * rank];
                for (int k = 0; k < axes.Length; k++)
                {
                    int a = (int)(axes[k] < 0 ? axes[k] + rank : axes[k]);
                    if (a < 0 || a >= rank) throw n.Invalid($"axis {axes[k]} is out of range for rank {rank}");
                    full[a] = pads[k];
                    full[a + rank] = pads[k + axes.Length];
                }
                pads = full;
            }
        }
        if (pads.Length != 2 * rank) throw n.Invalid(Invariant($"pads has {pads.Length} values; a rank-{rank} input needs {2 * rank}"));
        var probe = ctx.Probe(x);
        OnnxImportContext.CheckActivation(n, Enumerable.Range(1, rank - 1).Select(d => probe.Dim(d) + pads[d] + pads[d + rank]));
        if (pads.All(p => p == 0))
        {
            ctx.Alias(n.Node.Output[0], x);
            return;
        }
        Add(ctx, n, Name(n), new Pad(pads, padMode, value), [x]);
    }

    private static void Pool(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        var input = ctx.Probe(x);
        if (input.Rank != 4) throw n.Unsupported($"only 2-D pooling is supported (input {Tensor.ShapeString(input.Shape)})");
        bool max = n.OpType == "MaxPool";
        var ks = n.Ints("kernel_shape") ?? throw n.Invalid("kernel_shape is missing");
        if (ks.Length != 2 || ks.Any(k => k < 1 || k > 1 << 16)) throw n.Unsupported($"kernel_shape [{string.Join(", ", ks)}] is not supported (2-D)");
        var (sh, sw) = Pair(n, "strides");
        var (dh, dw) = Pair(n, "dilations");
        if (dh != 1 || dw != 1) throw n.Unsupported($"dilations [{dh}, {dw}] are not supported for pooling");
        if (max && n.Node.Output.Count > 1 && n.Node.Output[1].Length > 0 && ctx.ReadCount.GetValueOrDefault(n.Node.Output[1]) > 0)
            throw n.Unsupported("the Indices output is not supported");
        if (max && n.Int("storage_order", 0) != 0 && n.Node.Output.Count > 1) throw n.Unsupported("storage_order = 1 is not supported");
        var pads = Pads(n, input.Dim(2), input.Dim(3), (int)ks[0], (int)ks[1], sh, sw, 1, 1);
        bool ceil = n.Int("ceil_mode", 0) != 0;
        Module m = max
            ? new MaxPool2d(((int)ks[0], (int)ks[1]), (sh, sw), pads, ceil)
            : new AvgPool2d(((int)ks[0], (int)ks[1]), (sh, sw), pads, ceil, n.Int("count_include_pad", 0) != 0);
        Add(ctx, n, Name(n), m, [x]);
    }

    private static void ReduceMean(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        int rank = ctx.Probe(x).Rank;
        long[]? axes = ctx.Opset >= 18 ? KnownInts(ctx, n, 1, "axes") : n.Ints("axes");
        bool keep = n.Int("keepdims", 1) != 0;
        if (axes is null || axes.Length == 0)
        {
            if (n.Int("noop_with_empty_axes", 0) != 0)
            {
                ctx.Alias(n.Node.Output[0], x);
                return;
            }
            axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }
        var norm = axes.Select(a => (int)(a < 0 ? a + rank : a)).Order().ToArray();
        if (norm.Any(a => a < 0 || a >= rank) || norm.Distinct().Count() != norm.Length) throw n.Invalid($"axes [{string.Join(", ", axes)}] are invalid for rank {rank}");
        int batch = ctx.BatchAxis(x);
        int outBatch = batch < 0 || norm.Contains(batch) ? -1 : keep ? batch : batch - norm.Count(a => a < batch);
        Module m = rank == 4 && keep && norm.SequenceEqual([2, 3]) ? new GlobalAvgPool2d() : new ReduceMean(norm, keep);
        Add(ctx, n, Name(n), m, [x], outBatch);
    }

    private static void Concat(OnnxImportContext ctx, OnnxNodeView n)
    {
        if (!n.Has("axis")) throw n.Invalid("attribute 'axis' is missing (it is required)");
        var inputs = Enumerable.Range(0, n.InputCount).Where(i => n.Input(i).Length > 0).Select(i => Operand(ctx, n, i)).ToArray();
        int axis = inputs.Where(ctx.IsRuntime).Select(ctx.BatchAxis).DefaultIfEmpty(-1).Max();
        Add(ctx, n, Name(n), new Cat((int)n.Int("axis", 0)), inputs, axis);
    }

    private static void Split(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        var probe = ctx.Probe(x);
        int axis = (int)n.Int("axis", 0);
        int a = axis < 0 ? axis + probe.Rank : axis;
        if (a < 0 || a >= probe.Rank) throw n.Invalid($"axis {axis} is out of range for rank {probe.Rank}");
        var sizes = OnnxSplitSizes.Resolve(n, probe.Dim(a), ctx.Opset, ctx.Opset >= 13 ? KnownInts(ctx, n, 1, "split") : null);
        var outputs = n.Node.Output.Select(o => o.Length > 0 ? o : ctx.UniqueTensor(n.Node.Output[0] + "/unused")).ToArray();
        ctx.AddNode(n, Name(n), new Split(axis, sizes), [x], outputs);
    }

    private static void Slice(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        long[] starts, ends;
        long[]? axes, steps = null;
        if (ctx.Opset >= 10)
        {
            starts = KnownInts(ctx, n, 1, "starts") ?? throw n.Invalid("input 'starts' is required");
            ends = KnownInts(ctx, n, 2, "ends") ?? throw n.Invalid("input 'ends' is required");
            axes = KnownInts(ctx, n, 3, "axes");
            steps = KnownInts(ctx, n, 4, "steps");
        }
        else
        {
            starts = n.Ints("starts") ?? throw n.Invalid("attribute 'starts' is missing");
            ends = n.Ints("ends") ?? throw n.Invalid("attribute 'ends' is missing");
            axes = n.Ints("axes");
        }
        Add(ctx, n, Name(n), new Slice(starts, ends, axes, steps), [x]);
    }

    // Gather of one known index along an axis of a computed tensor: Slice that index, then drop the axis.
    private static void Gather(OnnxImportContext ctx, OnnxNodeView n)
    {
        string x = RuntimeInput(ctx, n, 0);
        var probe = ctx.Probe(x);
        var indices = ctx.Known(n.Input(1)) ?? throw n.Unsupported("indices computed from the data are not supported");
        if (indices.Length != 1) throw n.Unsupported("only a single known index is supported on a computed tensor");
        int rank = probe.Rank, axis = (int)n.Int("axis", 0);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) throw n.Invalid($"axis {n.Int("axis", 0)} is out of range for rank {rank}");
        if (axis == ctx.BatchAxis(x)) throw n.Unsupported("gathering along the batch axis is not supported");
        long k = OnnxConstant.ToLong(indices.Data[0]);
        int dim = probe.Dim(axis);
        if (k < -dim || k >= dim) throw n.Invalid($"index {k} is out of range for an axis of size {dim}");
        if (k < 0) k += dim;
        string sliced = ctx.UniqueTensor(n.Node.Output[0] + "/slice");
        ctx.AddNode(n, Name(n) + ".slice", new Slice([k], [k + 1], [axis], null), [x], [sliced]);
        var shape = probe.Shape.ToArray().ToList();
        if (indices.Shape.Length == 0) shape.RemoveAt(axis);
        int batch = ctx.BatchAxis(x);
        int outBatch = batch < 0 ? -1 : batch > axis && indices.Shape.Length == 0 ? batch - 1 : batch;
        var spec = Spec(shape.ToArray(), outBatch);
        ctx.AddNode(n, Name(n), new Reshape(spec), [sliced], [n.Node.Output[0]], outBatch);
    }
}
