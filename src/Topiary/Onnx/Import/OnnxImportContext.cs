// OnnxImportContext: the state of one import while the ONNX nodes are turned into a Topiary Graph.
//   - known tensors (OnnxConstant): initializers, Constant nodes and everything folded from them;
//   - runtime tensors: a probe value (the layers run on a zero example of batch 1 as they are added, which gives every
//     shape) and the axis that holds the batch (0 from the graph input on, moved by Transpose, lost by some Reshapes);
//   - aliases: outputs of nodes that vanish (Dropout, Identity, an Add folded into a bias) → the tensor they equal;
//   - the Graph being built: nodes, float constants read at run time, node names, and where every parameter came from.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Onnx;

internal sealed class OnnxImportContext(string file, long opset)
{
    private readonly Dictionary<string, OnnxConstant> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _probes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _batchAxis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _alias = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal); // runtime tensor → index in Nodes
    private readonly Dictionary<string, string> _constantNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    public string File { get; } = file;

    public long Opset { get; } = opset;

    public List<GraphNode> Nodes { get; } = [];

    /// <summary>Float constants the graph reads at run time (operands of Add/Mul/Concat ...), by tensor name.</summary>
    public List<KeyValuePair<string, Tensor>> GraphConstants { get; } = [];

    public Dictionary<string, string> ParameterSources { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> BufferSources { get; } = new(StringComparer.Ordinal);

    /// <summary>How many ONNX nodes read each tensor (after aliasing at the time of reading).</summary>
    public Dictionary<string, int> ReadCount { get; } = new(StringComparer.Ordinal);

    /// <summary>Names of the ONNX graph outputs.</summary>
    public HashSet<string> GraphOutputs { get; } = new(StringComparer.Ordinal);

    public string Resolve(string name)
    {
        while (_alias.TryGetValue(name, out var to)) name = to;
        return name;
    }

    public void Alias(string from, string to) => _alias[from] = Resolve(to);

    public bool IsKnown(string name) => name.Length > 0 && _known.ContainsKey(Resolve(name));

    public OnnxConstant? Known(string name) => name.Length > 0 && _known.TryGetValue(Resolve(name), out var c) ? c : null;

    public void SetKnown(string name, OnnxConstant value) => _known[name] = value;

    public bool IsRuntime(string name) => name.Length > 0 && _probes.ContainsKey(Resolve(name));

    public Tensor Probe(string name) => _probes[Resolve(name)];

    public int BatchAxis(string name) => _batchAxis.TryGetValue(Resolve(name), out int a) ? a : -1;

    public void AddInput(string name, Tensor probe)
    {
        _probes[name] = probe;
        _batchAxis[name] = 0;
    }

    /// <summary>The node index that wrote runtime tensor <paramref name="name"/>, or -1 (graph input).</summary>
    public int ProducerIndex(string name) => _producer.TryGetValue(Resolve(name), out int i) ? i : -1;

    /// <summary>
    /// Registers a float constant read at run time and returns its tensor name (the ONNX name when free, else made unique).
    /// </summary>
    public string RuntimeConstant(string onnxName, Tensor value)
    {
        // A file tensor keeps its own name (read by several nodes, it is one constant); added tensors get a fresh one.
        if (onnxName.Length > 0 && _constantNames.TryGetValue(onnxName, out var existing)) return existing;
        string name = onnxName.Length > 0 && _known.ContainsKey(onnxName) && !_probes.ContainsKey(onnxName) ? onnxName : UniqueTensor(onnxName.Length > 0 ? onnxName : "const");
        if (onnxName.Length > 0) _constantNames[onnxName] = name;
        GraphConstants.Add(new(name, value));
        _probes[name] = value;
        _batchAxis[name] = -1;
        return name;
    }

    /// <summary>
    /// Adds a layer reading <paramref name="inputs"/> (runtime tensor names, already resolved) and writing
    /// <paramref name="outputs"/>; runs it on the inputs' probe values. Returns the node name.
    /// </summary>
    public string AddNode(OnnxNodeView source, string baseName, Module module, string[] inputs, string[] outputs, int? batchAxis = null)
    {
        string name = Unique(baseName);
        var args = inputs.Select(Probe).ToArray();
        IReadOnlyList<Tensor> results;
        try
        {
            results = module is GraphOp op ? op.Forward(args, training: false) : [module.Forward(args[0], training: false)];
        }
        catch (ArgumentException e)
        {
            throw source.Unsupported($"Topiary's {module} rejects input shapes {string.Join(", ", args.Select(a => Tensor.ShapeString(a.Shape)))}: {e.Message}");
        }
        for (int i = 0; i < outputs.Length; i++)
        {
            _probes[outputs[i]] = results[i];
            int axis = batchAxis ?? BatchAxis(inputs[0]);
            _batchAxis[outputs[i]] = axis < results[i].Rank ? axis : -1;
            _producer[outputs[i]] = Nodes.Count;
        }
        Nodes.Add(new GraphNode(name, module, inputs, outputs));
        return name;
    }

    /// <summary>
    /// Refuses a layer whose output at batch 1 would hold more than <see cref="OnnxImporter.MaxExampleElements"/> values,
    /// before it runs (a tiny file can describe a huge activation).
    /// </summary>
    public static void CheckActivation(OnnxNodeView n, IEnumerable<long> shape)
    {
        long count = 1;
        foreach (long d in shape) count = d <= 0 ? 0 : Math.Min(count * d, long.MaxValue / int.MaxValue);
        if (count > OnnxImporter.MaxExampleElements)
            throw n.Unsupported($"its output would hold {count} values per example or more; the importer supports at most {OnnxImporter.MaxExampleElements}");
    }

    /// <summary>Replaces node <paramref name="index"/>'s module (same inputs and outputs) and refreshes its probe outputs.</summary>
    public void ReplaceModule(int index, Module module)
    {
        var node = Nodes[index];
        Nodes[index] = node with { Module = module };
        var result = module.Forward(Probe(node.Inputs[0]), training: false);
        _probes[node.Outputs[0]] = result;
    }

    /// <summary>Records where a parameter or buffer of node <paramref name="nodeName"/> came from.</summary>
    public void Source(string nodeName, string local, string onnxTensor, bool buffer = false)
    {
        if (onnxTensor.Length == 0) return;
        (buffer ? BufferSources : ParameterSources)[nodeName + "." + local] = onnxTensor;
    }

    /// <summary>A node name not used yet: <paramref name="wanted"/>, else wanted_2, wanted_3, ...</summary>
    public string Unique(string wanted)
    {
        if (string.IsNullOrEmpty(wanted)) wanted = "node";
        string name = wanted;
        for (int k = 2; !_nodeNames.Add(name); k++) name = $"{wanted}_{k}";
        return name;
    }

    /// <summary>A tensor name not used by the file or the import yet (for tensors the import adds).</summary>
    public string UniqueTensor(string wanted)
    {
        string name = wanted;
        for (int k = 2; !_tensorNames.Add(name); k++) name = $"{wanted}_{k}";
        return name;
    }

    /// <summary>Reserves every tensor name of the file so UniqueTensor never hands one out.</summary>
    public void ReserveTensor(string name) => _tensorNames.Add(name);
}
