// Dataflow: any model lowered to one flat list of leaf layers over numbered tensors, with every tensor's shape
// found by running one inference example through it. Containers disappear:
//   Sequential          → its children, chained
//   Residual(body, sc)  → body, shortcut (or the input itself), then a synthetic Add step "<name>.add"
//   Concat(branches)    → every branch on the same input, then a synthetic Cat(axis 1) step "<name>.cat"
//   Graph               → its nodes (nested graphs inlined); its constants become constant tensors (owner + name kept)
// Leaf layers (Conv2d, BatchNorm, ReLU, ElementwiseOp, Cat, Split, ...) become one step each, named by their dotted
// path ("layer1.0.body.conv1", as in NamedParameters). Synthetic steps own fresh op instances that only the analysis
// uses; they have no parameters. Shapes are per example with batch 1 at axis 0.
// A layer instance that appears twice (shared weights) is reported by Trace through SharedLayers; channel pruning
// leaves its channels alone.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>One leaf layer of a <see cref="Dataflow"/>.</summary>
/// <param name="Name">Dotted path of the layer (synthetic steps: the container's path + ".add" / ".cat").</param>
/// <param name="Module">The layer (a fresh op for synthetic steps).</param>
/// <param name="Inputs">Tensor ids read, in order.</param>
/// <param name="Outputs">Tensor ids written, in order.</param>
/// <param name="Synthetic">True for the Add of a Residual and the Cat of a Concat (not part of the model's module tree).</param>
internal sealed record DataflowStep(string Name, Module Module, int[] Inputs, int[] Outputs, bool Synthetic);

/// <summary>A tensor of a <see cref="Dataflow"/>: its shape for one example and, for a graph constant, where it lives.</summary>
internal sealed record DataflowTensor(int Id, int[] Shape, Graph? ConstantOwner, string? ConstantName)
{
    public bool IsConstant => ConstantOwner is not null;
}

/// <summary>A model as a flat list of leaf layers over numbered tensors with their shapes.</summary>
internal sealed class Dataflow
{
    private readonly List<DataflowStep> _steps = [];
    private readonly List<DataflowTensor> _tensors = [];
    private readonly List<Tensor> _values = [];
    private readonly HashSet<Module> _seen = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _shared = [];

    private Dataflow()
    {
    }

    public IReadOnlyList<DataflowStep> Steps => _steps;
    public IReadOnlyList<DataflowTensor> Tensors => _tensors;
    public IReadOnlyList<int> Inputs { get; private set; } = [];
    public IReadOnlyList<int> Outputs { get; private set; } = [];

    /// <summary>Names of layers used more than once (shared weights).</summary>
    public IReadOnlyList<string> SharedLayers => _shared;

    /// <summary>Lowers <paramref name="model"/> and runs one example of each input shape (no batch axis) through it.</summary>
    /// <exception cref="ArgumentException">The model rejects the shapes (the message names the layer).</exception>
    public static Dataflow Trace(Module model, IReadOnlyList<int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShapes);
        var flow = new Dataflow();
        var inputs = inputShapes.Select(s => flow.NewTensor(new Tensor([1, .. s]))).ToArray();
        flow.Inputs = inputs;
        if (model is Graph g) flow.Outputs = flow.LowerGraph(g, "", inputs);
        else
        {
            if (inputs.Length != 1) throw new ArgumentException($"{model} reads one input; {inputs.Length} input shapes were given.", nameof(inputShapes));
            flow.Outputs = [flow.Lower(model, "", inputs[0])];
        }
        flow._values.Clear();
        return flow;
    }

    /// <summary>The steps reading tensor <paramref name="id"/>, with the input slot.</summary>
    public IEnumerable<(DataflowStep Step, int Slot)> Consumers(int id)
    {
        foreach (var step in _steps)
            for (int s = 0; s < step.Inputs.Length; s++)
                if (step.Inputs[s] == id) yield return (step, s);
    }

    private int Lower(Module m, string name, int input)
    {
        switch (m)
        {
            case Graph g:
                return LowerGraph(g, name, [input]) is [var only] ? only
                    : throw new ArgumentException($"'{name}' ({g}) has {g.OutputCount} outputs where one is read.");
            case Sequential s:
                foreach (var (child, module) in s.NamedChildren()) input = Lower(module, Join(name, child), input);
                return input;
            case Residual r:
            {
                int body = Lower(r.Body, Join(name, "body"), input);
                int shortcut = r.Shortcut is null ? input : Lower(r.Shortcut, Join(name, "shortcut"), input);
                return Step(Join(name, "add"), new ElementwiseOp(ElementwiseKind.Add), [body, shortcut], synthetic: true)[0];
            }
            case Concat c:
            {
                var branches = new int[c.Branches.Count];
                for (int i = 0; i < branches.Length; i++)
                    branches[i] = Lower(c.Branches[i], Join(name, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), input);
                return Step(Join(name, "cat"), new Cat(1), branches, synthetic: true)[0];
            }
            default:
                return Step(name, m, [input], synthetic: false)[0];
        }
    }

    private int[] LowerGraph(Graph g, string name, int[] inputs)
    {
        if (inputs.Length != g.Inputs.Count)
            throw new ArgumentException($"'{name}' ({g}) reads {g.Inputs.Count} inputs; {inputs.Length} given.");
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < inputs.Length; i++) ids[g.Inputs[i]] = inputs[i];
        foreach (var (constant, value) in g.Constants) ids[constant] = NewTensor(value, g, constant);
        foreach (var node in g.Nodes)
        {
            var ins = node.Inputs.Select(t => ids[t]).ToArray();
            string path = Join(name, node.Name);
            int[] outs = node.Module switch
            {
                Graph inner => LowerGraph(inner, path, ins),
                GraphOp op => Step(path, op, ins, synthetic: false),
                var single => [Lower(single, path, ins[0])],
            };
            for (int o = 0; o < outs.Length; o++) ids[node.Outputs[o]] = outs[o];
        }
        return g.Outputs.Select(t => ids[t]).ToArray();
    }

    private int[] Step(string name, Module m, int[] inputs, bool synthetic)
    {
        if (!synthetic && !_seen.Add(m)) _shared.Add(name);
        IReadOnlyList<Tensor> outs;
        try
        {
            outs = m is GraphOp op ? op.Forward(inputs.Select(i => _values[i]).ToArray(), training: false)
                : [m.Forward(_values[inputs[0]], training: false)];
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{name}' ({m}): {e.Message}", e);
        }
        var ids = outs.Select(t => NewTensor(t.Clone())).ToArray();
        _steps.Add(new DataflowStep(name, m, inputs, ids, synthetic));
        return ids;
    }

    private int NewTensor(Tensor value, Graph? owner = null, string? constant = null)
    {
        int id = _tensors.Count;
        _tensors.Add(new DataflowTensor(id, value.Shape.ToArray(), owner, constant));
        _values.Add(value);
        return id;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
