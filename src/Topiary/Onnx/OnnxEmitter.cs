// OnnxEmitter: the recursion of OnnxExporter — Emit(module, input tensor names, wanted output names, path) appends
// the module's ONNX nodes and initializers to one GraphProto and returns the names of the tensors it wrote.
// Contract:
//   - path is the dotted module path ("" at the root; "res.body.conv1"); it names the nodes and, with ".weight",
//     ".bias", ... the initializers, so initializer names equal Module.NamedParameters()/NamedBuffers() names.
//   - A wanted output name (non-null) is written exactly; a null one lets the module choose
//     "<node>_output_<k>" (k = the number of nodes already in the graph).
//   - Containers: Sequential → its children in order (the last child that writes a node writes the wanted output;
//     Dropout/Identity write nothing, or an ONNX Identity when they must produce a wanted name); Residual → body,
//     shortcut (or the block input) and Add named after the block; Concat → every branch on the block input and
//     Concat(axis 1) named after the block; Graph → its constants as float32 initializers and every GraphNode emitted
//     with the graph's tensor names — exactly at the top level, "<path>.<name>" inside a nested graph (graph inputs
//     and outputs take the names the caller passes; an output that is not written by a node of the graph, or that
//     repeats, is copied there with an Identity node).
//   - Layers: the families in OnnxLayerEmitters.*.cs, tried in order.
//   - Every tensor name (inputs, initializers, node outputs) is unique: a generated name that is taken gets the
//     first free "_2", "_3", ... suffix. Names are claimed in emission order, so output is deterministic.
// Errors: a module no family knows → NotSupportedException naming the module path and type; a tensor-count
// mismatch (a single-input layer given two inputs) → ArgumentException naming the path.
using System.Globalization;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

internal sealed class OnnxEmitter(GraphProto graph, OnnxExportOptions options)
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>The opset being written.</summary>
    public int Opset => options.Opset;

    /// <summary>Reserves <paramref name="name"/> exactly (graph inputs and outputs).</summary>
    /// <exception cref="ArgumentException">The name is already taken.</exception>
    public void Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"ONNX tensor name '{name}' is used twice.");
    }

    /// <summary><paramref name="candidate"/> when it is free, else the first free <c>candidate_2</c>, <c>candidate_3</c>, ... (the importer's convention); reserved either way.</summary>
    public string Fresh(string candidate)
    {
        if (_names.Add(candidate)) return candidate;
        for (int k = 2; ; k++)
        {
            string name = candidate + "_" + k.ToString(CultureInfo.InvariantCulture);
            if (_names.Add(name)) return name;
        }
    }

    /// <summary>Emits <paramref name="module"/> reading <paramref name="inputs"/>; returns the names of its outputs.</summary>
    /// <param name="module">Any supported module.</param>
    /// <param name="inputs">Tensor names the module reads, in order.</param>
    /// <param name="outputs">Wanted output names (entries may be null), or null to let the module choose all.</param>
    /// <param name="path">Dotted module path ("" at the root).</param>
    public IReadOnlyList<string> Emit(Module module, IReadOnlyList<string> inputs, IReadOnlyList<string?>? outputs, string path)
    {
        if (module is Graph g) return EmitGraph(g, inputs, outputs, path);
        if (module is GraphOp op)
        {
            if (outputs is not null && outputs.Count != op.OutputCount)
                throw new ArgumentException($"Module '{Display(path)}' ({op}) has {op.OutputCount} outputs; {outputs.Count} names given.");
            return OnnxLayerEmitters.EmitOp(this, op, inputs, outputs ?? new string?[op.OutputCount], path)
                ?? throw Unsupported(module, path);
        }
        if (inputs.Count != 1 || (outputs is not null && outputs.Count != 1))
            throw new ArgumentException($"Module '{Display(path)}' ({module}) reads and writes one tensor; got {inputs.Count} inputs and {outputs?.Count ?? 1} outputs.");
        return [EmitSingle(module, inputs[0], outputs?[0], path)];
    }

    /// <summary>Emits a one-input, one-output module; returns its output tensor name (the input itself when it vanishes and no output is wanted).</summary>
    public string EmitSingle(Module module, string input, string? output, string path)
    {
        switch (module)
        {
            case Sequential seq:
            {
                var children = seq.NamedChildren().ToList();
                int last = children.FindLastIndex(c => !Vanishes(c.Module));
                string current = input;
                for (int i = 0; i < children.Count; i++)
                {
                    var (name, child) = children[i];
                    current = EmitSingle(child, current, i == last ? output : null, Join(path, name));
                }
                return output is null || current == output ? current : Identity(Join(path, "identity", "identity"), current, output);
            }
            case Residual res:
            {
                string body = EmitSingle(res.Body, input, null, Join(path, "body"));
                string shortcut = res.Shortcut is null ? input : EmitSingle(res.Shortcut, input, null, Join(path, "shortcut"));
                string name = path.Length == 0 ? "residual" : path;
                return Node(name, "Add", [body, shortcut], Output(name, output)).Output[0];
            }
            case Concat cat:
            {
                var branches = new string[cat.Branches.Count];
                for (int i = 0; i < branches.Length; i++)
                    branches[i] = EmitSingle(cat.Branches[i], input, null, Join(path, i.ToString(CultureInfo.InvariantCulture)));
                string name = path.Length == 0 ? "concat" : path;
                var n = Node(name, "Concat", branches, Output(name, output));
                n.Attribute.Add(OnnxAttributes.Int("axis", 1));
                return n.Output[0];
            }
            case Dropout or Nn.Identity:
                return output is null ? input : Identity(path.Length == 0 ? "identity" : path, input, output);
            case GraphOp op:
                return Emit(op, [input], [output], path)[0];
            default:
            {
                string name = path.Length == 0 ? "layer" : path;
                return OnnxLayerEmitters.EmitLayer(this, module, name, input, output) ?? throw Unsupported(module, path);
            }
        }
    }

    private List<string> EmitGraph(Graph g, IReadOnlyList<string> inputs, IReadOnlyList<string?>? outputs, string path)
    {
        if (inputs.Count != g.Inputs.Count)
            throw new ArgumentException($"Graph '{Display(path)}' has {g.Inputs.Count} inputs; {inputs.Count} tensors given.");
        if (outputs is not null && outputs.Count != g.Outputs.Count)
            throw new ArgumentException($"Graph '{Display(path)}' has {g.Outputs.Count} outputs; {outputs.Count} names given.");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < inputs.Count; i++) map[g.Inputs[i]] = inputs[i];

        // A wanted output name goes straight onto the node writing that tensor (first occurrence only).
        var direct = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int j = 0; j < g.Outputs.Count; j++)
            if (outputs?[j] is { } wanted && g.Producer(g.Outputs[j]) is not null) direct.TryAdd(g.Outputs[j], wanted);

        foreach (var (name, value) in g.Constants)
        {
            string tensor = Fresh(Join(path, name));
            map[name] = tensor;
            graph.Initializer.Add(OnnxTensors.FromFloats(tensor, value.Data, value.Shape));
        }
        foreach (var node in g.Nodes)
            foreach (var t in node.Outputs)
                map[t] = direct.TryGetValue(t, out string? wanted) ? wanted : Fresh(Join(path, t));

        foreach (var node in g.Nodes)
            Emit(node.Module, node.Inputs.Select(i => map[i]).ToArray(), node.Outputs.Select(o => (string?)map[o]).ToArray(), Join(path, node.Name));

        var result = new List<string>(g.Outputs.Count);
        for (int j = 0; j < g.Outputs.Count; j++)
        {
            string tensor = map[g.Outputs[j]];
            string? wanted = outputs?[j];
            if (wanted is null || wanted == tensor) result.Add(tensor);
            else result.Add(Identity(Join(path, wanted + "_identity"), tensor, wanted));
        }
        return result;
    }

    // ---- building blocks for the layer emitters ----------------------------------------------------------------

    /// <summary>The wanted output name, or a fresh <c>&lt;node&gt;_output_&lt;k&gt;</c> (k = nodes so far).</summary>
    public string Output(string nodeName, string? wanted) =>
        wanted ?? Fresh($"{nodeName}_output_{graph.Node.Count.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Output names for a node with several outputs: wanted ones as given, the others <c>&lt;node&gt;_output_&lt;k&gt;_&lt;i&gt;</c>.</summary>
    public string[] Outputs(string nodeName, IReadOnlyList<string?> wanted)
    {
        string k = graph.Node.Count.ToString(CultureInfo.InvariantCulture);
        return wanted.Select((w, i) => w ?? Fresh($"{nodeName}_output_{k}_{i.ToString(CultureInfo.InvariantCulture)}")).ToArray();
    }

    /// <summary>Appends a node; returns it so attributes can be added.</summary>
    public NodeProto Node(string name, string op, IEnumerable<string> inputs, params string[] outputs)
    {
        var n = new NodeProto { Name = name, OpType = op };
        n.Input.Add(inputs);
        n.Output.Add(outputs);
        graph.Node.Add(n);
        return n;
    }

    /// <summary>
    /// A node with the one input <paramref name="input"/>, named <paramref name="name"/>, writing to
    /// <paramref name="output"/> (or a fresh name) with <paramref name="attributes"/>; returns its output (most layers).
    /// </summary>
    public string Unary(string name, string op, string input, string? output, params IEnumerable<AttributeProto> attributes)
    {
        var n = Node(name, op, [input], Output(name, output));
        n.Attribute.Add(attributes);
        return n.Output[0];
    }

    /// <summary>An Identity node copying <paramref name="input"/> to <paramref name="output"/>; returns the output.</summary>
    public string Identity(string name, string input, string output) => Node(name, "Identity", [input], output).Output[0];

    /// <summary>
    /// A parameter initializer named <c>&lt;path&gt;.&lt;suffix&gt;</c>: the value with its mask applied (masked entries are
    /// zeros), sparse when <paramref name="mayBeSparse"/> and the options ask for it and the density is low enough.
    /// </summary>
    public string Weight(string path, string suffix, Parameter p, bool mayBeSparse = false)
    {
        string name = Fresh(path + "." + suffix);
        float[] values = p.Value.Data;
        if (p.Mask is { } mask)
        {
            values = (float[])values.Clone();
            TensorPrimitives.Multiply(values, mask.Data, values);
        }
        if (mayBeSparse && options.SparseInitializers && OnnxSparseTensors.Density(values) < options.SparseDensityThreshold)
            graph.SparseInitializer.Add(OnnxSparseTensors.FromDense(name, values, p.Value.Shape));
        else
            graph.Initializer.Add(OnnxTensors.FromFloats(name, values, p.Value.Shape));
        return name;
    }

    /// <summary>A float32 initializer named <c>&lt;path&gt;.&lt;suffix&gt;</c> holding <paramref name="value"/>.</summary>
    public string Floats(string path, string suffix, Tensor value)
    {
        string name = Fresh(path + "." + suffix);
        graph.Initializer.Add(OnnxTensors.FromFloats(name, value.Data, value.Shape));
        return name;
    }

    /// <summary>A float32 scalar (rank 0) initializer named <c>&lt;path&gt;.&lt;suffix&gt;</c>.</summary>
    public string Scalar(string path, string suffix, float value)
    {
        string name = Fresh(path + "." + suffix);
        graph.Initializer.Add(OnnxTensors.FromFloats(name, [value], []));
        return name;
    }

    /// <summary>An int64 vector initializer named <c>&lt;path&gt;.&lt;suffix&gt;</c>.</summary>
    public string Int64s(string path, string suffix, IReadOnlyList<long> values)
    {
        string name = Fresh(path + "." + suffix);
        graph.Initializer.Add(OnnxTensors.FromInt64s(name, values));
        return name;
    }

    /// <summary>The NotSupportedException for a module no emitter knows.</summary>
    public static NotSupportedException Unsupported(Module module, string path, string? why = null) =>
        new($"Module '{Display(path)}' ({module.GetType().Name}: {module}) cannot be exported to ONNX: " +
            (why ?? $"no emitter for {module.GetType().Name}. Supported: {OnnxLayerEmitters.Supported}, in Sequential, Residual, Concat and Graph containers."));

    /// <summary>The path for messages ("&lt;root&gt;" for the root).</summary>
    public static string Display(string path) => path.Length == 0 ? "<root>" : path;

    /// <summary>Dotted join; an empty prefix gives the name itself.</summary>
    public static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    private static string Join(string prefix, string name, string rootName) => prefix.Length == 0 ? rootName : prefix + "." + name;

    // True when the module writes no node at inference (Dropout, Identity, or a Sequential of only those).
    private static bool Vanishes(Module m) => m switch
    {
        Dropout or Nn.Identity => true,
        Sequential s => s.NamedChildren().All(c => Vanishes(c.Module)),
        _ => false,
    };
}
