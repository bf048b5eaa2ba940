// ModelArchitecture: a module tree as JSON and back, so a model that is not in the zoo (an imported ONNX
// graph, a physically shrunk network) can be saved in a model file and rebuilt from it. Sizes are read from
// the current weight shapes; the rebuilt modules get placeholder weights that the checkpoint then fills.
//   {"type":"Sequential","children":[{"name":"conv1","module":{"type":"Conv2d","in":1,"out":20,"kernel":[5,5],
//    "stride":[1,1],"padding":[0,0],"bias":true}}, ...]}
// Fields added later are written only when they differ from the old behaviour, and a missing field reads as that
// default, so descriptions of models without the new features are unchanged and older files still load:
//   Conv2d     "groups" (1), "dilation" [h, w] ([1, 1]); asymmetric padding as "pads" [top, left, bottom, right]
//              instead of "padding" [h, w]
//   MaxPool2d, AvgPool2d  "kernel"/"stride" an integer, or [h, w] when the axes differ; "padding" an integer, or
//              "pads" [top, left, bottom, right] when the sides differ; "ceil_mode" (false);
//              AvgPool2d "count_include_pad" (true)
using System.Text.Json.Nodes;

namespace Topiary.Nn;

/// <summary>Serialises module trees to JSON descriptions and rebuilds them.</summary>
public static class ModelArchitecture
{
    /// <summary>The JSON description of <paramref name="module"/>.</summary>
    /// <exception cref="NotSupportedException">A module type without a description.</exception>
    public static JsonObject Describe(Module module) => module switch
    {
        Sequential s => new JsonObject
        {
            ["type"] = "Sequential",
            ["children"] = new JsonArray(s.NamedChildren().Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["module"] = Describe(c.Module) }).ToArray()),
        },
        Residual r => new JsonObject
        {
            ["type"] = "Residual",
            ["body"] = Describe(r.Body),
            ["shortcut"] = r.Shortcut is null ? null : Describe(r.Shortcut),
        },
        Concat c => new JsonObject { ["type"] = "Concat", ["branches"] = new JsonArray(c.Branches.Select(b => (JsonNode)Describe(b)).ToArray()) },
        Linear l => new JsonObject { ["type"] = "Linear", ["in"] = l.InFeatures, ["out"] = l.OutFeatures, ["bias"] = l.Bias is not null },
        Conv2d c => DescribeConv2d(c),
        MaxPool2d p => DescribePool("MaxPool2d", p.Kernel, p.Strides, p.Pads, p.CeilMode, countIncludePad: true),
        AvgPool2d p => DescribePool("AvgPool2d", p.Kernel, p.Strides, p.Pads, p.CeilMode, p.CountIncludePad),
        GlobalAvgPool2d => new JsonObject { ["type"] = "GlobalAvgPool2d" },
        GlobalMaxPool2d => new JsonObject { ["type"] = "GlobalMaxPool2d" },
        ReLU => new JsonObject { ["type"] = "ReLU" },
        Flatten f => f.Axis == 1 ? new JsonObject { ["type"] = "Flatten" } : new JsonObject { ["type"] = "Flatten", ["axis"] = f.Axis },
        LeakyReLU l => new JsonObject { ["type"] = "LeakyReLU", ["negative_slope"] = l.NegativeSlope },
        Hardtanh h => new JsonObject { ["type"] = "Hardtanh", ["min"] = AnyFloat(h.Min), ["max"] = AnyFloat(h.Max) },
        Sigmoid => new JsonObject { ["type"] = "Sigmoid" },
        Tanh => new JsonObject { ["type"] = "Tanh" },
        HardSigmoid h => new JsonObject { ["type"] = "HardSigmoid", ["alpha"] = h.Alpha, ["beta"] = h.Beta },
        HardSwish => new JsonObject { ["type"] = "HardSwish" },
        Softmax s => new JsonObject { ["type"] = "Softmax", ["axis"] = s.Axis, ["coerce_to_2d"] = s.CoerceTo2D },
        LogSoftmax s => new JsonObject { ["type"] = "LogSoftmax", ["axis"] = s.Axis, ["coerce_to_2d"] = s.CoerceTo2D },
        Permute p => new JsonObject { ["type"] = "Permute", ["perm"] = Array(p.Perm) },
        Reshape r => new JsonObject { ["type"] = "Reshape", ["shape"] = Array(r.Shape) },
        Pad p => new JsonObject { ["type"] = "Pad", ["pads"] = Array(p.Pads), ["mode"] = ModeName(p.Mode), ["value"] = AnyFloat(p.Value) },
        ReduceMean r => new JsonObject { ["type"] = "ReduceMean", ["axes"] = Array(r.Axes), ["keep_dims"] = r.KeepDims },
        Slice s => new JsonObject
        {
            ["type"] = "Slice", ["starts"] = Array(s.Starts), ["ends"] = Array(s.Ends), ["axes"] = Array(s.Axes), ["steps"] = Array(s.Steps),
        },
        Identity => new JsonObject { ["type"] = "Identity" },
        Dropout d => new JsonObject { ["type"] = "Dropout", ["p"] = d.P, ["seed"] = d.Seed },
        BatchNorm2d b => new JsonObject { ["type"] = "BatchNorm2d", ["channels"] = b.Channels, ["eps"] = b.Eps, ["momentum"] = b.Momentum },
        BatchNorm1d b => new JsonObject { ["type"] = "BatchNorm1d", ["channels"] = b.Channels, ["eps"] = b.Eps, ["momentum"] = b.Momentum },
        LocalResponseNorm n => new JsonObject { ["type"] = "LocalResponseNorm", ["size"] = n.Size, ["alpha"] = n.Alpha, ["beta"] = n.Beta, ["k"] = n.K },
        Graph g => GraphArchitecture.Describe(g),
        ElementwiseOp e => new JsonObject { ["type"] = "Elementwise", ["op"] = e.Kind.ToString() },
        Cat c => new JsonObject { ["type"] = "Cat", ["axis"] = c.Axis },
        Split s => new JsonObject { ["type"] = "Split", ["axis"] = s.Axis, ["sizes"] = new JsonArray(s.Sizes.Select(x => (JsonNode)x).ToArray()) },
        _ => throw new NotSupportedException($"No architecture description for {module.GetType().Name}."),
    };

    /// <summary>Rebuilds a module tree from <see cref="Describe"/>'s output (weights are placeholders).</summary>
    /// <exception cref="InvalidDataException">Unknown type, missing or out-of-range field (the path is named).</exception>
    public static Module Build(JsonNode? node, string path = "$") => Build(node, path, new Budget(long.MaxValue));

    /// <summary>
    /// As <see cref="Build(JsonNode?, string)"/>, but refuses a description whose parameters and buffers would hold
    /// more than <paramref name="maxElements"/> values in total — checked before each layer is allocated, so a
    /// corrupt size in a file cannot make the rebuild allocate more than the file can fill (a model file passes the
    /// number of values it holds).
    /// </summary>
    /// <exception cref="InvalidDataException">As the other overload, or the layers would exceed <paramref name="maxElements"/> values.</exception>
    public static Module Build(JsonNode? node, long maxElements) => Build(node, "$", new Budget(maxElements));

    // Values the layers built so far may still allocate.
    private sealed class Budget(long remaining)
    {
        public void Take(long values, string path, string type)
        {
            if (values > remaining)
                throw new InvalidDataException($"architecture {path} ({type}): the layers need more values than the {remaining} left by the file's tensors.");
            remaining -= values;
        }
    }

    private static long Product(params int[] sizes)
    {
        long p = 1;
        foreach (int s in sizes) p = s <= 0 ? 0 : p > long.MaxValue / s ? long.MaxValue : p * s;
        return p;
    }

    private static Module Build(JsonNode? node, string path, Budget budget)
    {
        if (node is not JsonObject o) throw new InvalidDataException($"architecture {path}: expected an object.");
        string type = Str(o, "type", path);
        var rng = new Random(0);
        try
        {
            return type switch
            {
                "Sequential" => BuildSequential(o, path, budget),
                "Residual" => new Residual(Build(o["body"], path + ".body", budget), o["shortcut"] is null ? null : Build(o["shortcut"], path + ".shortcut", budget)),
                "Concat" => new Concat(Arr(o, "branches", path).Select((b, i) => Build(b, $"{path}.branches[{i}]", budget)).ToArray()),
                "Linear" => BuildLinear(o, path, budget, rng),
                "Conv2d" => BuildConv2d(o, path, budget, rng),
                "MaxPool2d" => new MaxPool2d(IntOrPair(o, "kernel", path), IntOrPair(o, "stride", path), PoolPads(o, path),
                    OptBool(o, "ceil_mode", path, false)),
                "AvgPool2d" => new AvgPool2d(IntOrPair(o, "kernel", path), IntOrPair(o, "stride", path), PoolPads(o, path),
                    OptBool(o, "ceil_mode", path, false), OptBool(o, "count_include_pad", path, true)),
                "GlobalAvgPool2d" => new GlobalAvgPool2d(),
                "GlobalMaxPool2d" => new GlobalMaxPool2d(),
                "ReLU" => new ReLU(),
                "Flatten" => o["axis"] is null ? new Flatten() : new Flatten(Int(o, "axis", path)),
                "LeakyReLU" => new LeakyReLU(Flt(o, "negative_slope", path)),
                "Hardtanh" => new Hardtanh(AnyFlt(o, "min", path), AnyFlt(o, "max", path)),
                "Sigmoid" => new Sigmoid(),
                "Tanh" => new Tanh(),
                "HardSigmoid" => new HardSigmoid(Flt(o, "alpha", path), Flt(o, "beta", path)),
                "HardSwish" => new HardSwish(),
                "Softmax" => new Softmax(Int(o, "axis", path), Bool(o, "coerce_to_2d", path)),
                "LogSoftmax" => new LogSoftmax(Int(o, "axis", path), Bool(o, "coerce_to_2d", path)),
                "Permute" => new Permute(Ints(o, "perm", path)),
                "Reshape" => new Reshape(Longs(o, "shape", path)),
                "Pad" => new Pad(Longs(o, "pads", path), Mode(o, path), AnyFlt(o, "value", path)),
                "ReduceMean" => new ReduceMean(Ints(o, "axes", path), Bool(o, "keep_dims", path)),
                "Slice" => new Slice(Longs(o, "starts", path), Longs(o, "ends", path), Longs(o, "axes", path), Longs(o, "steps", path)),
                "Identity" => new Identity(),
                "Dropout" => new Dropout(Flt(o, "p", path), Int(o, "seed", path)),
                "BatchNorm2d" => new BatchNorm2d(Channels(o, path, budget, type), Flt(o, "eps", path), Flt(o, "momentum", path)),
                "BatchNorm1d" => new BatchNorm1d(Channels(o, path, budget, type), Flt(o, "eps", path), Flt(o, "momentum", path)),
                "LocalResponseNorm" => new LocalResponseNorm(Int(o, "size", path), Flt(o, "alpha", path), Flt(o, "beta", path), Flt(o, "k", path)),
                "Graph" => GraphArchitecture.Build(o, path, (n, at) => Build(n, at, budget), values => budget.Take(values, path, type)),
                "Elementwise" => new ElementwiseOp(Enum.TryParse<ElementwiseKind>(Str(o, "op", path), out var kind) && Enum.IsDefined(kind) ? kind
                    : throw new InvalidDataException($"architecture {path}: 'op' must be one of {string.Join(", ", Enum.GetNames<ElementwiseKind>())}.")),
                "Cat" => new Cat(Int(o, "axis", path)),
                "Split" => new Split(Int(o, "axis", path), Arr(o, "sizes", path).Select((n, i) => Int(n, $"{path}.sizes[{i}]")).ToArray()),
                _ => throw new InvalidDataException($"architecture {path}: unknown module type '{type}'."),
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"architecture {path} ({type}): {e.Message}", e);
        }
    }

    private static Sequential BuildSequential(JsonObject o, string path, Budget budget)
    {
        var seq = new Sequential();
        int i = 0;
        foreach (var child in Arr(o, "children", path))
        {
            string at = $"{path}.children[{i++}]";
            if (child is not JsonObject c) throw new InvalidDataException($"architecture {at}: expected an object.");
            seq.Add(Str(c, "name", at), Build(c["module"], at + ".module", budget));
        }
        return seq;
    }

    private static Linear BuildLinear(JsonObject o, string path, Budget budget, Random rng)
    {
        int inF = Int(o, "in", path), outF = Int(o, "out", path);
        bool bias = Bool(o, "bias", path);
        budget.Take(Product(inF, outF) + (bias ? Math.Max(0, outF) : 0), path, "Linear");
        return new Linear(inF, outF, rng, bias);
    }

    private static JsonObject DescribeConv2d(Conv2d c)
    {
        var o = new JsonObject
        {
            ["type"] = "Conv2d", ["in"] = c.InChannels, ["out"] = c.OutChannels, ["kernel"] = Pair(c.KernelSize), ["stride"] = Pair(c.Stride),
        };
        if (c.HasSymmetricPadding) o["padding"] = Pair(c.Padding);
        else o["pads"] = Quad(c.Pads);
        if (c.Dilation != (1, 1)) o["dilation"] = Pair(c.Dilation);
        if (c.Groups != 1) o["groups"] = c.Groups;
        o["bias"] = c.Bias is not null;
        return o;
    }

    private static JsonObject DescribePool(string type, (int H, int W) kernel, (int H, int W) stride,
        (int Top, int Left, int Bottom, int Right) pads, bool ceilMode, bool countIncludePad)
    {
        var o = new JsonObject
        {
            ["type"] = type,
            ["kernel"] = kernel.H == kernel.W ? kernel.H : Pair(kernel),
            ["stride"] = stride.H == stride.W ? stride.H : Pair(stride),
        };
        if (pads.Top == pads.Left && pads.Left == pads.Bottom && pads.Bottom == pads.Right) o["padding"] = pads.Top;
        else o["pads"] = Quad(pads);
        if (ceilMode) o["ceil_mode"] = true;
        if (!countIncludePad) o["count_include_pad"] = false;
        return o;
    }

    private static Conv2d BuildConv2d(JsonObject o, string path, Budget budget, Random rng)
    {
        int inC = Int(o, "in", path), outC = Int(o, "out", path);
        var kernel = PairOf(o, "kernel", path);
        bool bias = Bool(o, "bias", path);
        int groups = o["groups"] is null ? 1 : Int(o, "groups", path);
        var dilation = o["dilation"] is null ? (1, 1) : PairOf(o, "dilation", path);
        var pads = o["pads"] is not null ? QuadOf(o, "pads", path) : Symmetric(PairOf(o, "padding", path));
        // The weight is [out, in/groups, kh, kw]; a groups value that does not divide is refused by the constructor.
        int perGroup = groups >= 1 ? inC / groups : inC;
        budget.Take(Product(perGroup, outC, kernel.Item1, kernel.Item2) + (bias ? Math.Max(0, outC) : 0), path, "Conv2d");
        return new Conv2d(inC, outC, kernel, rng, PairOf(o, "stride", path), pads, dilation, groups, bias);
    }

    private static (int, int, int, int) Symmetric((int H, int W) p) => (p.H, p.W, p.H, p.W);

    // Pool padding: "pads" [top, left, bottom, right], else the integer "padding" on every side.
    private static (int, int, int, int) PoolPads(JsonObject o, string path)
    {
        if (o["pads"] is not null) return QuadOf(o, "pads", path);
        int p = Int(o, "padding", path);
        return (p, p, p, p);
    }

    // BatchNorm holds weight, bias, running mean and running variance: four values per channel.
    private static int Channels(JsonObject o, string path, Budget budget, string type)
    {
        int channels = Int(o, "channels", path);
        budget.Take(4 * (long)Math.Max(0, channels), path, type);
        return channels;
    }

    private static JsonArray Pair((int H, int W) p) => [p.H, p.W];

    private static JsonArray Array(IEnumerable<int> values) => new(values.Select(v => (JsonNode)v).ToArray());

    private static JsonArray Array(IEnumerable<long> values) => new(values.Select(v => (JsonNode)v).ToArray());

    private static int[] Ints(JsonObject o, string key, string path) =>
        Arr(o, key, path).Select((n, i) => Int(n, $"{path}.{key}[{i}]")).ToArray();

    private static long[] Longs(JsonObject o, string key, string path) =>
        Arr(o, key, path).Select((n, i) => n is JsonValue v && v.TryGetValue(out long l) ? l
            : throw new InvalidDataException($"architecture {path}.{key}[{i}]: expected an integer.")).ToArray();

    // Pad modes by their ONNX attribute values.
    private static string ModeName(PadMode mode) => mode switch
    {
        PadMode.Reflect => "reflect",
        PadMode.Edge => "edge",
        _ => "constant",
    };

    private static PadMode Mode(JsonObject o, string path) => Str(o, "mode", path) switch
    {
        "constant" => PadMode.Constant,
        "reflect" => PadMode.Reflect,
        "edge" => PadMode.Edge,
        var m => throw new InvalidDataException($"architecture {path}.mode: unknown pad mode '{m}' (expected constant, reflect or edge)."),
    };

    // A float that may be infinite or NaN (a Hardtanh bound, a Pad value): a JSON number when finite, else the
    // string "Infinity", "-Infinity" or "NaN".
    private static JsonNode AnyFloat(float value) =>
        float.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");

    private static float AnyFlt(JsonObject o, string key, string path) =>
        o[key] is JsonValue v && v.TryGetValue(out string? s)
            ? s switch
            {
                "Infinity" => float.PositiveInfinity,
                "-Infinity" => float.NegativeInfinity,
                "NaN" => float.NaN,
                _ => throw new InvalidDataException($"architecture {path}: '{key}' must be a number, \"Infinity\", \"-Infinity\" or \"NaN\" (got \"{s}\")."),
            }
            : Flt(o, key, path);

    private static JsonArray Quad((int Top, int Left, int Bottom, int Right) p) => [p.Top, p.Left, p.Bottom, p.Right];

    private static (int, int) PairOf(JsonObject o, string key, string path) =>
        o[key] is JsonArray { Count: 2 } a ? (Int(a[0], $"{path}.{key}[0]"), Int(a[1], $"{path}.{key}[1]"))
            : throw new InvalidDataException($"architecture {path}: '{key}' must be a pair [h, w].");

    private static (int, int, int, int) QuadOf(JsonObject o, string key, string path) =>
        o[key] is JsonArray { Count: 4 } a
            ? (Int(a[0], $"{path}.{key}[0]"), Int(a[1], $"{path}.{key}[1]"), Int(a[2], $"{path}.{key}[2]"), Int(a[3], $"{path}.{key}[3]"))
            : throw new InvalidDataException($"architecture {path}: '{key}' must be [top, left, bottom, right].");

    // An integer n (meaning [n, n]) or a pair [h, w].
    private static (int, int) IntOrPair(JsonObject o, string key, string path)
    {
        if (o[key] is JsonArray) return PairOf(o, key, path);
        int v = Int(o, key, path);
        return (v, v);
    }

    private static bool OptBool(JsonObject o, string key, string path, bool missing) => o[key] is null ? missing : Bool(o, key, path);

    internal static JsonArray Arr(JsonObject o, string key, string path) =>
        o[key] as JsonArray ?? throw new InvalidDataException($"architecture {path}: '{key}' must be an array.");

    internal static string Str(JsonObject o, string key, string path) =>
        o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new InvalidDataException($"architecture {path}: '{key}' must be a string.");

    private static bool Bool(JsonObject o, string key, string path) =>
        o[key] is JsonValue v && v.TryGetValue(out bool b) ? b : throw new InvalidDataException($"architecture {path}: '{key}' must be true or false.");

    private static int Int(JsonObject o, string key, string path) => Int(o[key], $"{path}.{key}");

    internal static int Int(JsonNode? n, string at) =>
        n is JsonValue v && v.TryGetValue(out int i) ? i : throw new InvalidDataException($"architecture {at}: expected an integer.");

    // A parsed document holds numbers as JSON elements (readable as double); a description built in memory by Describe
    // holds the float itself — both must rebuild.
    private static float Flt(JsonObject o, string key, string path) =>
        o[key] is JsonValue v && (v.TryGetValue(out double d) || v.TryGetValue(out float f) && (d = f) == f) && double.IsFinite(d) ? (float)d
            : throw new InvalidDataException($"architecture {path}: '{key}' must be a finite number.");
}
