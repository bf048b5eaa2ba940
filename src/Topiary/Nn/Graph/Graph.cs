// Graph: a directed acyclic graph of layers over named tensors — the general model (ResNets, Inception, SE blocks,
// anything an ONNX file describes). Sequential, Residual and Concat remain as builders of the common shapes; a Graph
// may hold them as nodes, and a Graph may hold Graphs.
//   inputs:    named graph inputs (Forward's tensors, in order)
//   constants: named, non-trainable tensors (buffers: saved in checkpoints, never given gradients)
//   nodes:     GraphNode(name, module, inputs, outputs); any fan-out; joins through GraphOps (Add, Mul, Cat, ...)
//   outputs:   named tensors returned by Forward, in order
// Forward runs the nodes in a topological order (the given order where it already is one). Backward walks them in
// reverse, summing the gradients of a tensor read by several nodes (in node order, so results are deterministic) and
// skipping nodes none of whose outputs reach a graph output. Parameter names are "<node>.<local>" ("layer1.0.conv1" +
// ".weight"), so node names may contain dots; names must come out unique. Constants are buffers named after the tensor.
// Errors: undefined tensor, tensor written twice, cycle, duplicate names, wrong output count → ArgumentException
// naming the node and tensor; a node's shape error in Forward is re-thrown naming the node.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>A trainable directed acyclic graph of layers over named tensors.</summary>
public sealed class Graph : GraphOp
{
    private readonly string[] _inputs, _outputs;
    private readonly GraphNode[] _nodes;
    private readonly (string Name, Tensor Value)[] _constants;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly int[] _inputIds, _outputIds;
    private readonly int[][] _nodeInputs, _nodeOutputs;
    private readonly bool[] _isConstant;
    private readonly int[] _producer; // node index per tensor id, -1 for inputs and constants
    private readonly Tensor?[] _values, _grads, _gradBuffers;
    private readonly bool[] _ownedGrad;
    private readonly Tensor?[] _zeros;
    private bool _ready;

    /// <summary>Creates a graph; <paramref name="nodes"/> are put in a topological order (stable: the given order where possible).</summary>
    /// <param name="inputs">Names of the graph inputs.</param>
    /// <param name="nodes">The layers.</param>
    /// <param name="outputs">Names of the tensors Forward returns.</param>
    /// <param name="constants">Named constant tensors nodes may read (kept by reference).</param>
    /// <exception cref="ArgumentException">
    /// A name is empty or used twice (tensor, node, parameter or buffer), a tensor is read but never defined, written twice,
    /// the nodes form a cycle, or a node's output count does not match its module.
    /// </exception>
    public Graph(IEnumerable<string> inputs, IEnumerable<GraphNode> nodes, IEnumerable<string> outputs,
        IEnumerable<KeyValuePair<string, Tensor>>? constants = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(outputs);
        _inputs = inputs.ToArray();
        _outputs = outputs.ToArray();
        _constants = (constants ?? []).Select(c => (c.Key, c.Value)).ToArray();
        var given = nodes.ToArray();
        if (_outputs.Length == 0) throw new ArgumentException("Graph: at least one output is required.", nameof(outputs));

        foreach (var name in _inputs) Define(name, "graph input");
        foreach (var (name, value) in _constants)
        {
            ArgumentNullException.ThrowIfNull(value, nameof(constants));
            Define(name, "constant");
        }
        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in given)
        {
            ArgumentNullException.ThrowIfNull(node, nameof(nodes));
            ArgumentNullException.ThrowIfNull(node.Module, nameof(nodes));
            if (string.IsNullOrEmpty(node.Name)) throw new ArgumentException("Graph: a node has an empty name.", nameof(nodes));
            if (!nodeNames.Add(node.Name)) throw new ArgumentException($"Graph: two nodes are named '{node.Name}'.", nameof(nodes));
            int expected = node.Module is GraphOp op ? op.OutputCount : 1;
            if (node.Outputs.Count != expected)
                throw new ArgumentException($"Graph: node '{node.Name}' ({node.Module}) writes {node.Outputs.Count} tensors; its module has {expected} outputs.", nameof(nodes));
            if (node.Module is not GraphOp && node.Inputs.Count != 1)
                throw new ArgumentException($"Graph: node '{node.Name}' ({node.Module}) reads {node.Inputs.Count} tensors; a single-input layer reads exactly one.", nameof(nodes));
            foreach (var o in node.Outputs) Define(o, $"output of node '{node.Name}'");
        }

        _nodes = TopologicalOrder(given);
        int count = _ids.Count;
        _isConstant = new bool[count];
        foreach (var (name, _) in _constants) _isConstant[_ids[name]] = true;
        _producer = Enumerable.Repeat(-1, count).ToArray();
        _nodeInputs = new int[_nodes.Length][];
        _nodeOutputs = new int[_nodes.Length][];
        for (int n = 0; n < _nodes.Length; n++)
        {
            _nodeInputs[n] = _nodes[n].Inputs.Select(i => _ids[i]).ToArray();
            _nodeOutputs[n] = _nodes[n].Outputs.Select(o => _ids[o]).ToArray();
            foreach (int o in _nodeOutputs[n]) _producer[o] = n;
        }
        _inputIds = _inputs.Select(i => _ids[i]).ToArray();
        _outputIds = _outputs.Select(o => _ids.TryGetValue(o, out int id) ? id
            : throw new ArgumentException($"Graph: output '{o}' is not a graph input, constant or node output.", nameof(outputs))).ToArray();
        _values = new Tensor?[count];
        _grads = new Tensor?[count];
        _gradBuffers = new Tensor?[count];
        _ownedGrad = new bool[count];
        _zeros = new Tensor?[count];
        CheckUniqueStateNames();
    }

    /// <summary>Names of the graph inputs, in Forward's order.</summary>
    public IReadOnlyList<string> Inputs => _inputs;

    /// <summary>Names of the graph outputs, in Forward's order.</summary>
    public IReadOnlyList<string> Outputs => _outputs;

    /// <summary>The nodes in execution (topological) order.</summary>
    public IReadOnlyList<GraphNode> Nodes => _nodes;

    /// <summary>The named constants, in the order given.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Constants => _constants;

    /// <inheritdoc/>
    public override int OutputCount => _outputs.Length;

    /// <summary>Replaces the value of constant <paramref name="name"/> (channel pruning cuts per-channel constants).</summary>
    /// <exception cref="KeyNotFoundException">No constant of that name.</exception>
    internal void ReplaceConstant(string name, Tensor value)
    {
        int i = Array.FindIndex(_constants, c => c.Name == name);
        if (i < 0) throw new KeyNotFoundException($"Graph has no constant named '{name}'.");
        _constants[i] = (name, value);
    }

    /// <summary>True when <paramref name="tensor"/> names a constant.</summary>
    public bool IsConstant(string tensor) => _ids.TryGetValue(tensor, out int id) && _isConstant[id];

    /// <summary>The node writing <paramref name="tensor"/>, or null for graph inputs, constants and unknown names.</summary>
    public GraphNode? Producer(string tensor) => _ids.TryGetValue(tensor, out int id) && _producer[id] >= 0 ? _nodes[_producer[id]] : null;

    /// <summary>The nodes reading <paramref name="tensor"/> with the input slot they read it at, in execution order.</summary>
    public IReadOnlyList<(GraphNode Node, int Slot)> Consumers(string tensor)
    {
        var list = new List<(GraphNode, int)>();
        foreach (var node in _nodes)
            for (int s = 0; s < node.Inputs.Count; s++)
                if (node.Inputs[s] == tensor) list.Add((node, s));
        return list;
    }

    /// <summary>The node named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such node.</exception>
    public GraphNode Node(string name) =>
        Array.Find(_nodes, n => n.Name == name) ?? throw new KeyNotFoundException($"Graph has no node named '{name}'.");

    /// <summary>The last Forward's value of <paramref name="tensor"/> (null before the first Forward).</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    public Tensor? Value(string tensor) =>
        _ids.TryGetValue(tensor, out int id) ? _values[id] : throw new KeyNotFoundException($"Graph has no tensor named '{tensor}'.");

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren() => _nodes.Select(n => (n.Name, n.Module));

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Tensor Buffer)> LocalBuffers() => _constants;

    /// <summary>Runs every node; returns the graph outputs (tensors owned by the nodes that wrote them, or inputs/constants).</summary>
    /// <exception cref="ArgumentException">Wrong number of inputs, or a node rejects its input shapes (the message names the node).</exception>
    public override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        CheckCount(inputs, _inputs.Length, "inputs");
        _ready = false;
        Array.Clear(_values);
        for (int i = 0; i < _inputIds.Length; i++) _values[_inputIds[i]] = inputs[i];
        foreach (var (name, value) in _constants) _values[_ids[name]] = value;
        var args = new List<Tensor>(4);
        for (int n = 0; n < _nodes.Length; n++)
        {
            var node = _nodes[n];
            try
            {
                if (node.Module is GraphOp op)
                {
                    args.Clear();
                    foreach (int id in _nodeInputs[n]) args.Add(_values[id]!);
                    var outs = op.Forward(args, training);
                    if (outs.Count != _nodeOutputs[n].Length)
                        throw new InvalidOperationException($"Graph: node '{node.Name}' returned {outs.Count} outputs; {_nodeOutputs[n].Length} expected.");
                    for (int o = 0; o < outs.Count; o++) _values[_nodeOutputs[n][o]] = outs[o];
                }
                else
                {
                    _values[_nodeOutputs[n][0]] = node.Module.Forward(_values[_nodeInputs[n][0]]!, training);
                }
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Graph node '{node.Name}': {e.Message}", nameof(inputs), e);
            }
        }
        _ready = training;
        var result = new Tensor[_outputIds.Length];
        for (int i = 0; i < result.Length; i++) result[i] = _values[_outputIds[i]]!;
        return result;
    }

    /// <summary>Back-propagates the output gradients through every node that reaches an output; returns the input gradients.</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException">Wrong number or shape of gradients.</exception>
    public override IReadOnlyList<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs)
    {
        LayerHelpers.RequireForward(_ready, this);
        CheckCount(gradOutputs, _outputIds.Length, "output gradients");
        _ready = false;
        Array.Clear(_grads);
        Array.Clear(_ownedGrad);
        for (int i = 0; i < _outputIds.Length; i++)
        {
            LayerHelpers.CheckGradShape($"Graph output '{_outputs[i]}'", gradOutputs[i], _values[_outputIds[i]]!);
            Accumulate(_outputIds[i], gradOutputs[i]);
        }
        var args = new List<Tensor>(4);
        for (int n = _nodes.Length - 1; n >= 0; n--)
        {
            var outs = _nodeOutputs[n];
            bool reached = false;
            foreach (int o in outs) reached |= _grads[o] is not null;
            if (!reached) continue;
            IReadOnlyList<Tensor> inGrads;
            if (_nodes[n].Module is GraphOp op)
            {
                args.Clear();
                foreach (int o in outs) args.Add(_grads[o] ?? Zeros(o));
                inGrads = op.Backward(args);
            }
            else
            {
                inGrads = [_nodes[n].Module.Backward(_grads[outs[0]]!)];
            }
            var ins = _nodeInputs[n];
            if (inGrads.Count != ins.Length)
                throw new InvalidOperationException($"Graph: node '{_nodes[n].Name}' returned {inGrads.Count} input gradients; {ins.Length} expected.");
            for (int i = 0; i < ins.Length; i++) Accumulate(ins[i], inGrads[i]);
        }
        var result = new Tensor[_inputIds.Length];
        for (int i = 0; i < result.Length; i++) result[i] = _grads[_inputIds[i]] ?? Zeros(_inputIds[i]);
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Graph({_inputs.Length} inputs, {_nodes.Length} nodes, {_outputs.Length} outputs)";

    // Adds g into the gradient of tensor id. The first contribution is kept by reference; a second one copies it into a
    // graph-owned buffer before adding, so no node's buffer (or the caller's gradient) is ever written to.
    private void Accumulate(int id, Tensor g)
    {
        if (_isConstant[id]) return;
        var current = _grads[id];
        if (current is null)
        {
            _grads[id] = g;
            return;
        }
        if (!current.SameShape(g))
            throw new InvalidOperationException($"Graph: gradients of tensor '{NameOf(id)}' have shapes {Tensor.ShapeString(current.Shape)} and {Tensor.ShapeString(g.Shape)}.");
        if (!_ownedGrad[id])
        {
            var buffer = LayerHelpers.Ensure(ref _gradBuffers[id], current.Shape);
            current.Data.AsSpan().CopyTo(buffer.Data);
            _grads[id] = current = buffer;
            _ownedGrad[id] = true;
        }
        current.AddInPlace(g);
    }

    private Tensor Zeros(int id)
    {
        var shape = _values[id]!.Shape;
        var z = LayerHelpers.Ensure(ref _zeros[id], shape);
        return z;
    }

    private string NameOf(int id) => _ids.First(kv => kv.Value == id).Key;

    private void Define(string name, string what)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException($"Graph: a {what} has an empty tensor name.");
        if (!_ids.TryAdd(name, _ids.Count)) throw new ArgumentException($"Graph: tensor '{name}' ({what}) is defined twice.");
    }

    // Kahn's algorithm, always taking the earliest ready node of the given order.
    private GraphNode[] TopologicalOrder(GraphNode[] given)
    {
        var available = new HashSet<string>(_inputs, StringComparer.Ordinal);
        foreach (var (name, _) in _constants) available.Add(name);
        var pending = new List<GraphNode>(given);
        var order = new List<GraphNode>(given.Length);
        while (pending.Count > 0)
        {
            int ready = pending.FindIndex(n => n.Inputs.All(available.Contains));
            if (ready < 0)
            {
                var stuck = pending[0];
                string missing = stuck.Inputs.First(i => !available.Contains(i));
                bool defined = _ids.ContainsKey(missing);
                throw new ArgumentException(defined
                    ? $"Graph: the nodes form a cycle (node '{stuck.Name}' reads '{missing}', which depends on its own output)."
                    : $"Graph: node '{stuck.Name}' reads tensor '{missing}', which no input, constant or node defines.");
            }
            var node = pending[ready];
            pending.RemoveAt(ready);
            order.Add(node);
            foreach (var o in node.Outputs) available.Add(o);
        }
        return order.ToArray();
    }

    private void CheckUniqueStateNames()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in NamedParameters())
            if (!seen.Add(name)) throw new ArgumentException($"Graph: two parameters are named '{name}' (rename a node).");
        foreach (var (name, _) in NamedBuffers())
            if (!seen.Add(name)) throw new ArgumentException($"Graph: buffer '{name}' has the name of another parameter or buffer (rename the constant or node).");
    }
}
