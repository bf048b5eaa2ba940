// ChannelDependencies: which channels of a model can be removed, and what goes with each — the dependency groups of
// structured pruning (Torch-Pruning's DepGraph, Fang et al. CVPR 2023), found on any model (Sequential, Residual,
// Concat, Graph, imported ONNX).
// The model is lowered to a Dataflow. Every position along axis 1 of every tensor (a channel of [N, C, H, W], a feature
// of [N, F]) is a slot; ops join slots that must go together (union-find), a class of joined slots is one channel:
//   Conv2d (groups 1), Linear   new slots for the outputs (weight rows, bias entries); input slots get column blocks
//   depthwise Conv2d            output slot c = input slot c; its filter row c goes with it
//   BatchNorm, activations, Dropout, Identity, pools, Pad/Slice off axis 1, ReduceMean/Softmax off axis 1
//                               output slot c = input slot c (BatchNorm entries go with it)
//   Flatten / Reshape [N, C, H, W] → [N, C·H·W]
//                               the same slots, each now H·W features wide (a Linear consumer loses H·W columns)
//   Add/Sub/Mul/Div             inputs of the output's channel count are joined position-wise (residual Adds, SE
//                               gating); broadcast inputs (size 1) are not; per-channel constants are sliced
//   Cat on axis 1               output slots = the inputs' slots in order; Split on axis 1: sub-ranges
//   Cat/Split on another axis   like Add
// Anything else — grouped (non-depthwise) convolution, LocalResponseNorm, Permute, Softmax over channels, a Reshape
// that is not a flatten, unknown layers, layers used twice — pins its input and output slots: they are reported with
// the reason (Unprunable, UnsupportedLayers) and never pruned. Model inputs and outputs are pinned, and so are the
// outputs of protected layers.
// Channels are collected into ChannelGroups by their set of producers (the Conv2d/Linear layers writing them).
using Topiary.Nn;

namespace Topiary.Pruning.Channels;

/// <summary>A layer the analysis cannot see through, and why.</summary>
/// <param name="Layer">Dotted layer name.</param>
/// <param name="Reason">What makes its channels unanalysable.</param>
public sealed record UnsupportedLayer(string Layer, string Reason);

/// <summary>Channels of tensor positions along axis 1: one slot per channel, each <paramref name="Block"/> features wide.</summary>
internal sealed record TensorChannels(int[] Slots, int Block)
{
    public int Width => Slots.Length * Block;
}

/// <summary>The dependency analysis of a model's channels.</summary>
public sealed partial class ChannelDependencies
{
    private readonly List<int> _parent = [];
    private readonly List<string?> _pin = [];
    private readonly TensorChannels?[] _channels;
    private readonly List<(int Slot, ChannelSlice Slice)> _slices = [];
    private readonly List<(int Slot, string Layer, int Step, int Row)> _producers = [];
    private readonly List<UnsupportedLayer> _unsupported = [];
    private readonly List<ChannelGroup> _groups = [];
    private readonly List<UnprunableChannels> _unprunable = [];

    private ChannelDependencies(Dataflow flow)
    {
        Flow = flow;
        _channels = new TensorChannels?[flow.Tensors.Count];
    }

    /// <summary>Prunable channel groups, in the order of their first producer.</summary>
    public IReadOnlyList<ChannelGroup> Groups => _groups;

    /// <summary>Channels kept whatever the target, with the reason, per writing layer.</summary>
    public IReadOnlyList<UnprunableChannels> Unprunable => _unprunable;

    /// <summary>Layers the analysis could not see through (their channels are pinned).</summary>
    public IReadOnlyList<UnsupportedLayer> UnsupportedLayers => _unsupported;

    /// <summary>Total prunable channels.</summary>
    public int PrunableChannels => _groups.Sum(g => g.Channels);

    internal Dataflow Flow { get; }

    /// <summary>
    /// Analyses <paramref name="model"/> for one input of shape <paramref name="inputShape"/> (no batch axis).
    /// <paramref name="protect"/> names layers whose output channels are kept (a name matches the layer and everything
    /// under it; "stem" and "classifier" mean the first and the last Conv2d/Linear).
    /// </summary>
    /// <exception cref="ArgumentException">The model rejects the input shape, or a protected name matches no layer.</exception>
    public static ChannelDependencies Analyse(Module model, int[] inputShape, IEnumerable<string>? protect = null)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return Analyse(model, [inputShape], protect);
    }

    /// <summary>Analyses a model with several inputs; see <see cref="Analyse(Module, int[], IEnumerable{string}?)"/>.</summary>
    public static ChannelDependencies Analyse(Module model, IReadOnlyList<int[]> inputShapes, IEnumerable<string>? protect = null)
    {
        var d = new ChannelDependencies(Dataflow.Trace(model, inputShapes));
        d.Build(protect?.ToArray() ?? []);
        return d;
    }

    /// <summary>The channels of tensor <paramref name="id"/> (null below rank 2 and for constants).</summary>
    internal TensorChannels? Channels(int id) => _channels[id];

    /// <summary>The class (union-find root) of <paramref name="slot"/>.</summary>
    internal int ClassOf(int slot)
    {
        int root = slot;
        while (_parent[root] != root) root = _parent[root];
        while (_parent[slot] != root) (slot, _parent[slot]) = (_parent[slot], root);
        return root;
    }

    private void Build(string[] protect)
    {
        var shared = new HashSet<string>(Flow.SharedLayers, StringComparer.Ordinal);
        foreach (int input in Flow.Inputs) _channels[input] = NewChannels(input, "it is a model input");
        var protectedSteps = ProtectedSteps(protect);
        for (int s = 0; s < Flow.Steps.Count; s++)
        {
            var step = Flow.Steps[s];
            if (shared.Contains(step.Name)) Opaque(step, "the layer is used more than once (shared weights)");
            else Visit(step, s);
            if (protectedSteps.Contains(s))
                foreach (int o in step.Outputs) PinTensor(o, $"'{step.Name}' is protected");
        }
        foreach (int output in Flow.Outputs) PinTensor(output, "it is a model output");
        CollectGroups();
    }

    private HashSet<int> ProtectedSteps(string[] protect)
    {
        var result = new HashSet<int>();
        var weights = Enumerable.Range(0, Flow.Steps.Count).Where(s => Flow.Steps[s].Module is Conv2d or Linear).ToList();
        foreach (string name in protect)
        {
            var matches = name switch
            {
                "stem" => weights.Take(1),
                "classifier" => weights.TakeLast(1),
                _ => Enumerable.Range(0, Flow.Steps.Count).Where(s => Flow.Steps[s].Name == name || Flow.Steps[s].Name.StartsWith(name + ".", StringComparison.Ordinal)),
            };
            var found = matches.ToList();
            if (found.Count == 0)
                throw new ArgumentException($"Protected layer '{name}' is not a layer of the model (layers: {string.Join(", ", weights.Select(s => Flow.Steps[s].Name))}).", nameof(protect));
            result.UnionWith(found);
        }
        return result;
    }

    private void CollectGroups()
    {
        var producersOf = new Dictionary<int, List<(string Layer, int Step, int Row)>>();
        foreach (var (slot, layer, step, row) in _producers)
        {
            int c = ClassOf(slot);
            if (!producersOf.TryGetValue(c, out var list)) producersOf[c] = list = [];
            if (!list.Exists(p => p.Layer == layer)) list.Add((layer, step, row));
        }
        var slicesOf = new Dictionary<int, List<ChannelSlice>>();
        foreach (var (slot, slice) in _slices)
        {
            int c = ClassOf(slot);
            if (!slicesOf.TryGetValue(c, out var list)) slicesOf[c] = list = [];
            list.Add(slice);
        }
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var pinnedBy = new Dictionary<(string Layer, string Reason), int>();
        foreach (var (c, producers) in producersOf.OrderBy(kv => kv.Value.Min(p => p.Step)).ThenBy(kv => kv.Value[0].Row))
        {
            producers.Sort((a, b) => a.Step.CompareTo(b.Step));
            if (_pin[c] is { } reason)
            {
                var key = (producers[0].Layer, reason);
                pinnedBy[key] = pinnedBy.GetValueOrDefault(key) + 1;
                continue;
            }
            string groupKey = string.Join("|", producers.Select(p => p.Layer));
            if (!byKey.TryGetValue(groupKey, out var members)) byKey[groupKey] = members = [];
            members.Add(c);
        }
        foreach (var ((layer, reason), count) in pinnedBy) _unprunable.Add(new UnprunableChannels(layer, count, reason));
        foreach (var members in byKey.Values)
        {
            var producers = producersOf[members[0]].Select(p => p.Layer).ToList();
            var slices = members.Select(c => (IReadOnlyList<ChannelSlice>)(slicesOf.GetValueOrDefault(c) ?? [])).ToList();
            var layers = slices.SelectMany(s => s).Select(s => s.Layer).Distinct().ToList();
            _groups.Add(new ChannelGroup(producers, layers, slices, [.. members]));
        }
    }

    private int NewSlot(string? pin)
    {
        _parent.Add(_parent.Count);
        _pin.Add(pin);
        return _parent.Count - 1;
    }

    private TensorChannels? NewChannels(int tensor, string? pin, int block = 1)
    {
        var shape = Flow.Tensors[tensor].Shape;
        if (shape.Length < 2) return null;
        if (shape[1] % block != 0) return null;
        var slots = new int[shape[1] / block];
        for (int i = 0; i < slots.Length; i++) slots[i] = NewSlot(pin);
        return new TensorChannels(slots, block);
    }

    private void Union(int a, int b)
    {
        int ra = ClassOf(a), rb = ClassOf(b);
        if (ra == rb) return;
        _parent[rb] = ra;
        _pin[ra] ??= _pin[rb];
    }

    private void PinTensor(int tensor, string reason)
    {
        if (_channels[tensor] is not { } ch) return;
        foreach (int slot in ch.Slots)
        {
            int c = ClassOf(slot);
            _pin[c] ??= reason;
        }
    }

    // The op cannot be seen through: its inputs keep their channels, its outputs get new pinned channels. An op that
    // writes only model outputs (the classifier's Softmax) blocks nothing a user could prune: its input channels are
    // the outputs' channels, so they are kept as such and the op is not reported as unsupported.
    private void Opaque(DataflowStep step, string reason)
    {
        if (step.Outputs.All(Flow.Outputs.Contains))
        {
            foreach (int i in step.Inputs) PinTensor(i, $"it feeds the model output through '{step.Name}'");
            foreach (int o in step.Outputs) _channels[o] = NewChannels(o, "it is a model output");
            return;
        }
        _unsupported.Add(new UnsupportedLayer(step.Name, reason));
        string pin = $"'{step.Name}' reads them: {reason}";
        foreach (int i in step.Inputs) PinTensor(i, pin);
        foreach (int o in step.Outputs) _channels[o] = NewChannels(o, $"'{step.Name}' writes them: {reason}");
    }
}
