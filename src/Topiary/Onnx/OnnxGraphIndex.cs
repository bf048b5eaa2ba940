// OnnxGraphIndex: the checked wiring of an ONNX graph, before any layer is built.
//   - Constants: dense initializers, sparse initializers (expanded, OnnxSparseTensors) and Constant-node outputs.
//   - Producers: tensor name → the node that writes it; Consumers: tensor name → (node, input slot) edges of
//     non-Constant nodes, in graph order.
//   - Checks (InvalidDataException naming the file, node and tensor): a node without outputs, a tensor written
//     twice (by two nodes, or by a node and an initializer / graph input), an initializer name used twice, a node
//     input nothing produces, and a cycle (found by Kahn's algorithm; the message names a node on it and the
//     tensor that closes it).
using Topiary.Onnx.Proto;

namespace Topiary.Onnx;

internal sealed class OnnxGraphIndex
{
    private readonly string _file;
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(NodeProto Node, int Slot)>> _consumers = new(StringComparer.Ordinal);

    public OnnxGraphIndex(string file, GraphProto graph)
    {
        _file = file;
        Graph = graph;
        foreach (var t in graph.Initializer) AddConstant(t.Name, t, "initializer");
        foreach (var s in graph.SparseInitializer)
        {
            var dense = OnnxSparseTensors.ToDense(s, file);
            AddConstant(dense.Name, dense, "sparse initializer");
            SparseNames.Add(dense.Name);
        }
        var graphInputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in graph.Input)
            if (!graphInputs.Add(i.Name)) throw new InvalidDataException($"{file}: graph input '{i.Name}' is declared twice.");
        var graphOutputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in graph.Output)
            if (!graphOutputs.Add(o.Name)) throw new InvalidDataException($"{file}: graph output '{o.Name}' is declared twice.");
        foreach (var node in graph.Node)
        {
            if (node.Output.Count == 0 || node.Output[0].Length == 0) throw Invalid(node, "the node has no output");
            foreach (string output in node.Output)
            {
                if (output.Length == 0) continue;
                if (_producers.TryGetValue(output, out var other))
                    throw Invalid(node, $"output '{output}' is also produced by node '{other.Name}' (op {other.OpType}); tensor names must be unique");
                if (Constants.ContainsKey(output) || graphInputs.Contains(output))
                    throw Invalid(node, $"output '{output}' has the name of a graph input or initializer");
                _producers[output] = node;
            }
            if (node.OpType == "Constant" && node.Domain is "" or "ai.onnx") AddConstantNode(node);
        }
        foreach (var node in graph.Node)
        {
            for (int slot = 0; slot < node.Input.Count; slot++)
            {
                string input = node.Input[slot];
                if (input.Length == 0) continue; // an omitted optional input
                if (!_producers.ContainsKey(input) && !Constants.ContainsKey(input) && !graphInputs.Contains(input))
                    throw Invalid(node, $"input '{input}' is not produced by any node, initializer or graph input");
                if (node.OpType == "Constant" || Constants.ContainsKey(input)) continue;
                if (!_consumers.TryGetValue(input, out var edges)) _consumers[input] = edges = [];
                edges.Add((node, slot));
            }
        }
        CheckAcyclic();
    }

    public GraphProto Graph { get; }

    /// <summary>Initializers (dense and expanded sparse) and Constant-node outputs, by tensor name.</summary>
    public Dictionary<string, TensorProto> Constants { get; } = new(StringComparer.Ordinal);

    /// <summary>Names of the initializers that were stored as SparseTensorProto.</summary>
    public List<string> SparseNames { get; } = [];

    public bool IsConstant(string tensor) => Constants.ContainsKey(tensor);

    /// <summary>Edges (node, input slot) reading a non-constant tensor, in graph order.</summary>
    public IReadOnlyList<(NodeProto Node, int Slot)> Consumers(string tensor) =>
        _consumers.TryGetValue(tensor, out var edges) ? edges : [];

    public NodeProto? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

    private void AddConstant(string name, TensorProto t, string kind)
    {
        if (string.IsNullOrEmpty(name)) throw new InvalidDataException($"{_file}: an {kind} has no name.");
        if (!Constants.TryAdd(name, t)) throw new InvalidDataException($"{_file}: {kind} '{name}': the name is used by another initializer.");
    }

    private void AddConstantNode(NodeProto node)
    {
        var value = node.Attribute.FirstOrDefault(a => a.Name == "value");
        if (value?.T is null)
            throw new NotSupportedException($"{_file}: node '{node.Name}' (op Constant): only Constant nodes with a tensor 'value' are supported.");
        if (node.Output.Count != 1) throw Invalid(node, "Constant must have one output");
        Constants[node.Output[0]] = value.T;
    }

    // Kahn's algorithm over node → node edges; whatever remains lies on or behind a cycle.
    private void CheckAcyclic()
    {
        var nodes = Graph.Node;
        var index = new Dictionary<NodeProto, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < nodes.Count; i++) index[nodes[i]] = i;
        var pending = new int[nodes.Count];
        var next = new List<int>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) next[i] = [];
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (string input in nodes[i].Input)
            {
                if (input.Length == 0 || !_producers.TryGetValue(input, out var p)) continue;
                pending[i]++;
                next[index[p]].Add(i);
            }
        }
        var ready = new Queue<int>(Enumerable.Range(0, nodes.Count).Where(i => pending[i] == 0));
        int done = 0;
        while (ready.Count > 0)
        {
            int i = ready.Dequeue();
            done++;
            foreach (int j in next[i]) if (--pending[j] == 0) ready.Enqueue(j);
        }
        if (done == nodes.Count) return;

        // Walk producers backwards from a blocked node until a node repeats: that closes the cycle.
        var seen = new List<int>();
        int k = Array.FindIndex(pending, p => p > 0);
        string tensor = "";
        while (!seen.Contains(k))
        {
            seen.Add(k);
            foreach (string input in nodes[k].Input)
            {
                if (input.Length == 0 || !_producers.TryGetValue(input, out var p) || pending[index[p]] == 0) continue;
                tensor = input;
                k = index[p];
                break;
            }
        }
        var cycle = seen.Skip(seen.IndexOf(k)).Reverse().Select(i => $"'{nodes[i].Name}'").ToList();
        throw Invalid(nodes[k], $"the graph has a cycle through tensor '{tensor}' (nodes {string.Join(" → ", cycle.Append(cycle[0]))})");
    }

    private InvalidDataException Invalid(NodeProto node, string reason) =>
        new($"{_file}: node '{node.Name}' (op {node.OpType}): {reason}.");
}
