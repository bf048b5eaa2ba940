// InferenceGraph: a model rewritten for inference, as an ONNX Runtime session rewrites its graph. A Graph's chains
//   Conv2d → [BatchNorm2d] → [Add(·, r)] → [ReLU | Hardtanh]
// become one FusedConv2d node: the BatchNorm is folded into a copy of the convolution's weights and bias
//   W'[o] = W[o]·s[o],  b'[o] = b[o]·s[o] + β[o] − μ[o]·s[o],  s[o] = γ[o] / √(σ²[o] + ε)
// the residual add and the activation run in the convolution's epilogue. A link is taken only when the tensor between
// the two layers has no other reader and is not a graph output, and an Add only when its other input has the
// convolution's output shape (checked on one example) and is not a constant. The model itself is not changed (the
// rewrite works on a deep copy); the result is for inference only (FusedConv2d refuses training) and is a snapshot:
// later edits to the model are not seen, and every convolution of the copy is Frozen (it may cache Winograd weights
// and pick its algorithm by measurement). Inside every Sequential (zoo models, Residual bodies, graph nodes), the
// chains Conv2d → [BatchNorm2d] → [ReLU | Hardtanh] are fused the same way, and a Residual block whose body ends in
// such a convolution becomes a FusedResidual (its add, and a clamp right after it, in that convolution's epilogue).
// Multiplications and additions by per-channel constants right after a convolution (Caffe's Scale layer, as the ONNX
// zoo's Caffe2 exports write it) fold into its weights and bias like a BatchNorm; a chain of such affine layers that no
// convolution precedes (DenseNet's pre-activation BatchNorm → Scale → ReLU) becomes one ChannelAffine pass.
// A channel concatenation of fused convolutions' outputs is written in place (CatInPlace over a ConcatBuffer).
// Depthwise-separable stacks (inside Sequentials, and among the graph's nodes) then run channels last
// (ChannelsLastRewrite), a channel shuffle read only by a depthwise convolution is read through by it
// (ShuffleReadThrough), and the graph's activations share one arena by liveness (GraphArena).
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>What <see cref="InferenceGraph.Fuse"/> did.</summary>
/// <param name="Model">The rewritten copy.</param>
/// <param name="FoldedNorms">BatchNorms folded into convolutions.</param>
/// <param name="FusedResiduals">Residual adds moved into a convolution's epilogue.</param>
/// <param name="FusedActivations">ReLU/ReLU6/clamps moved into a convolution's epilogue.</param>
/// <param name="ConcatsInPlace">Channel concatenations whose producers now write their slices in place.</param>
/// <param name="ChannelsLastConvs">Convolutions that now run channels last (depthwise-separable stacks).</param>
public sealed record FusedModel(Module Model, int FoldedNorms, int FusedResiduals, int FusedActivations, int ConcatsInPlace = 0,
    int ChannelsLastConvs = 0)
{
    /// <summary>Multiplications and additions by per-channel constants folded into a convolution's weights and bias.</summary>
    public int FoldedAffines { get; init; }

    /// <summary>Channel shuffles now read through by the depthwise convolution after them (ShuffleReadThrough).</summary>
    public int ShufflesReadThrough { get; init; }
}

/// <summary>Inference rewrites of a model's graph.</summary>
public static class InferenceGraph
{
    /// <summary>
    /// A copy of <paramref name="model"/> with every foldable conv → BatchNorm → Add → activation chain of its top-level
    /// Graph fused into one <see cref="FusedConv2d"/>. <paramref name="exampleShape"/> (one example, no batch axis) is
    /// used to check residual shapes. Pruned Linear layers (density below <see cref="SparseLinearDensity"/>) become
    /// <see cref="SparseLinear"/> layers whose format is measured at <paramref name="batch"/> (from memory when the model's
    /// weights exceed the last-level cache: <see cref="WeightsExceedCache"/>), a following ReLU fused;
    /// dense ones <see cref="PackedLinear"/>.
    /// With <paramref name="channelsLast"/>, depthwise-separable stacks run channels last.
    /// </summary>
    /// <exception cref="NotSupportedException">The model has a layer that cannot be copied (no architecture description).</exception>
    /// <exception cref="ArgumentException">The model rejects <paramref name="exampleShape"/>.</exception>
    public static FusedModel Fuse(Module model, IReadOnlyList<int> exampleShape, int batch = 1, bool channelsLast = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var copy = ModelSnapshot.Clone(model);
        Freeze(copy);
        var (chainNorms, chainActivations) = FuseChains(copy);
        var (blockResiduals, blockActivations) = FuseResidualBlocks(copy);
        bool fromMemory = WeightsExceedCache(copy, CacheSizes.Host.LastLevelBytes);
        chainActivations += blockActivations + SparsifyLinears(copy, batch, fromMemory);
        int channelsLastConvs = channelsLast ? ChannelsLastRewrite.Apply(copy) : 0;
        if (copy is not Graph graph) return new FusedModel(copy, chainNorms, blockResiduals, chainActivations, 0, channelsLastConvs);
        graph.Forward([new Tensor([1, .. exampleShape])], training: false); // shapes of every tensor, for the residual check
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            foreach (var t in node.Inputs) readers[t] = readers.GetValueOrDefault(t) + 1;
        foreach (var t in graph.Outputs) readers[t] = readers.GetValueOrDefault(t) + 1;
        var readerOf = new Dictionary<string, GraphNode>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            foreach (var t in node.Inputs) readerOf[t] = node;
        var removed = new HashSet<GraphNode>(ReferenceEqualityComparer.Instance);
        // The one reader of a tensor, unless another chain has already taken that reader (an Add joins two chains).
        GraphNode? Sole(string tensor) =>
            readers.GetValueOrDefault(tensor) == 1 && readerOf.TryGetValue(tensor, out var r) && !removed.Contains(r) ? r : null;

        var nodes = new List<GraphNode>();
        int norms = 0, residuals = 0, activations = 0, affines = 0;
        foreach (var node in graph.Nodes)
        {
            if (removed.Contains(node)) continue;
            if (node.Module is not Conv2d conv || node.Inputs.Count != 1 || node.Outputs.Count != 1)
            {
                nodes.Add(Sparsified(node, batch, fromMemory));
                continue;
            }
            string output = node.Outputs[0];
            var fusedConv = conv;
            bool folded = false;
            string? residual = null;
            float min = float.NegativeInfinity, max = float.PositiveInfinity;
            var next = Sole(output);
            if (next is { Module: BatchNorm2d bn } && bn.Channels == conv.OutChannels)
            {
                fusedConv = Fold(conv, bn);
                folded = true;
                Take(next);
            }
            // Caffe's Scale layer (and other exporters' unfused normalisation): a Mul, then an Add, by per-channel constants.
            while (next is not null && PerChannelOperand(graph, next, output, fusedConv.OutChannels) is { } values)
            {
                fusedConv = IsMul(next) ? Affine(fusedConv, values, null) : Affine(fusedConv, null, values);
                affines++;
                Take(next);
            }
            if (next is { Module: ElementwiseOp { Kind: ElementwiseKind.Add }, Inputs.Count: 2 } add && add.Inputs[0] != add.Inputs[1])
            {
                string other = add.Inputs[0] == output ? add.Inputs[1] : add.Inputs[0];
                if (!graph.IsConstant(other) && graph.Value(other)!.SameShape(graph.Value(output)!))
                {
                    residual = other;
                    Take(add);
                }
            }
            if (next is not null && IsClamp(next.Module, out min, out max)) Take(next);
            if (!folded && fusedConv == conv && residual is null && float.IsNegativeInfinity(min) && float.IsPositiveInfinity(max))
            {
                // Nothing to fuse: the node still runs as a FusedConv2d, whose output can live in the arena (GraphArena).
                nodes.Add(node with { Module = new FusedConv2d(conv, false) });
                continue;
            }
            norms += folded ? 1 : 0;
            residuals += residual is null ? 0 : 1;
            activations += float.IsNegativeInfinity(min) && float.IsPositiveInfinity(max) ? 0 : 1;
            string[] inputs = residual is null ? [node.Inputs[0]] : [node.Inputs[0], residual];
            fusedConv.Frozen = true;
            nodes.Add(new GraphNode(node.Name, new FusedConv2d(fusedConv, residual is not null, min, max, folded), inputs, [output]));

            // Moves the chain's end past `taken`: its output becomes the fused node's output.
            void Take(GraphNode taken)
            {
                removed.Add(taken);
                output = taken.Outputs[0];
                next = taken.Outputs.Count == 1 ? Sole(output) : null;
            }
        }
        affines += ChannelAffines(graph, nodes, readers);
        int concats = ConcatInPlace(nodes, readers, graph.Outputs);
        var fused = new Graph(graph.Inputs.ToArray(), nodes, graph.Outputs.ToArray(),
            graph.Constants.Select(c => KeyValuePair.Create(c.Name, c.Value)));
        if (channelsLast)
        {
            (fused, int nodesLast) = ChannelsLastRewrite.Apply(fused);
            channelsLastConvs += nodesLast;
        }
        (fused, int shuffles) = ShuffleReadThrough.Apply(fused, graph.Value);
        GraphArena.Apply(fused);
        return new FusedModel(fused, norms + chainNorms, residuals + blockResiduals, activations + chainActivations, concats,
            channelsLastConvs) { FoldedAffines = affines, ShufflesReadThrough = shuffles };
    }

    // A chain of per-channel affine layers (BatchNorm2d, Mul or Add by a per-channel constant) that no convolution
    // precedes, each link the previous one's sole reader, with an optional clamp after it, becomes one ChannelAffine node
    // when it has at least two links (DenseNet's pre-activation BatchNorm → Scale → ReLU). Returns the Mul/Add folded.
    private static int ChannelAffines(Graph graph, List<GraphNode> nodes, Dictionary<string, int> readers)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var t in nodes[i].Inputs) index[t] = i;
        var outputs = new HashSet<string>(graph.Outputs, StringComparer.Ordinal);
        // The node reading `tensor` alone (not a graph output), if any.
        int? Sole(string tensor) => readers.GetValueOrDefault(tensor) == 1 && !outputs.Contains(tensor) && index.TryGetValue(tensor, out int r) ? r : null;
        var removed = new HashSet<int>();
        int folded = 0;
        for (int i = 0; i < nodes.Count; i++)
        {
            if (removed.Contains(i) || nodes[i].Outputs.Count != 1 || graph.Value(nodes[i].Inputs[0]) is not { Rank: >= 2 } input) continue;
            int channels = input.Dim(1), at = i, mulAdds = 0;
            float[] scale = Enumerable.Repeat(1f, channels).ToArray(), shift = new float[channels];
            float min = float.NegativeInfinity, max = float.PositiveInfinity;
            var chain = new List<int>();
            string output = nodes[i].Inputs[0];
            while (true)
            {
                var node = nodes[at];
                if (node.Module is BatchNorm2d bn && bn.Channels == channels && node.Inputs.Count == 1)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        var (a, b) = NormAffine(bn, c);
                        scale[c] *= a;
                        shift[c] = shift[c] * a + b;
                    }
                }
                else if (PerChannelOperand(graph, node, output, channels) is { } values)
                {
                    bool mul = IsMul(node);
                    for (int c = 0; c < channels; c++)
                    {
                        if (mul) (scale[c], shift[c]) = (scale[c] * values[c], shift[c] * values[c]);
                        else shift[c] += values[c];
                    }
                    mulAdds++;
                }
                else break;
                chain.Add(at);
                output = node.Outputs[0];
                if (Sole(output) is not int next) break;
                at = next;
            }
            if (chain.Count > 0 && Sole(output) is int last && IsClamp(nodes[last].Module, out min, out max))
            {
                chain.Add(last);
                output = nodes[last].Outputs[0];
            }
            if (chain.Count < 2) continue;
            nodes[i] = new GraphNode(nodes[i].Name, new ChannelAffine(scale, shift, min, max), [nodes[i].Inputs[0]], [output]);
            foreach (int k in chain.Skip(1)) removed.Add(k);
            folded += mulAdds;
        }
        for (int k = nodes.Count - 1; k >= 0; k--)
            if (removed.Contains(k)) nodes.RemoveAt(k);
        return folded;
    }

    // A Cat along the channels whose every input is a distinct fused convolution's output (no residual, read by the Cat
    // alone) becomes a CatInPlace: the convolutions write their channel slices of one ConcatBuffer (SqueezeNet's fire
    // modules, GoogLeNet's inception blocks), so the concatenation copies nothing. A concatenation of as many channels as
    // an earlier one whose last reader runs before its first part shares that one's storage (SqueezeNet's fire3 writes
    // where fire2's output was: memory still in cache, where a buffer of its own would be written into lines no cache
    // holds). Returns how many.
    private static int ConcatInPlace(List<GraphNode> nodes, Dictionary<string, int> readers, IReadOnlyList<string> outputs)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var t in nodes[i].Outputs) producer[t] = i;
        int count = 0;
        // Last reader of each tensor; a graph output lives to the end (its buffer is never given to a later concatenation).
        var lastReader = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var t in nodes[i].Inputs) lastReader[t] = i;
        foreach (var t in outputs) lastReader[t] = int.MaxValue;
        var placed = new List<(ConcatBuffer Buffer, int Channels, int Last)>();
        for (int i = 0; i < nodes.Count; i++)
        {
            var cat = nodes[i];
            if (cat.Module is not Cat { Axis: 1 or -3 } || cat.Inputs.Count < 2 || cat.Inputs.Distinct().Count() != cat.Inputs.Count) continue;
            var parts = new List<(int Node, FusedConv2d Conv)>();
            foreach (var t in cat.Inputs)
                if (readers.GetValueOrDefault(t) == 1 && producer.TryGetValue(t, out int p)
                    && nodes[p].Module is FusedConv2d { HasResidual: false, Target: null } conv && !conv.Conv.IsDepthwise)
                    parts.Add((p, conv));
            if (parts.Count != cat.Inputs.Count) continue;
            int channels = parts.Sum(part => part.Conv.Conv.OutChannels), first = parts.Min(part => part.Node);
            int last = lastReader.GetValueOrDefault(cat.Outputs[0], int.MaxValue);
            // A graph output keeps storage of its own, exactly its size (a shared array may be longer: a view).
            int shared = last == int.MaxValue ? -1 : placed.FindIndex(b => b.Channels == channels && b.Last < first);
            var buffer = new ConcatBuffer(channels, shared >= 0 ? placed[shared].Buffer : null);
            if (shared >= 0) placed[shared] = (buffer, channels, last);
            else placed.Add((buffer, channels, last));
            int channel = 0;
            foreach (var (p, conv) in parts)
            {
                nodes[p] = new GraphNode(nodes[p].Name, conv.WritingInto(buffer, channel), nodes[p].Inputs.ToArray(), nodes[p].Outputs.ToArray());
                channel += conv.Conv.OutChannels;
            }
            nodes[i] = new GraphNode(cat.Name, new CatInPlace(buffer), cat.Inputs.ToArray(), cat.Outputs.ToArray());
            count++;
        }
        return count;
    }

    // Inside every Sequential, a Residual whose body is a Sequential ending in a fused convolution without a clamp
    // becomes a FusedResidual: that convolution takes the shortcut's output as its residual, and a clamp right after the
    // block (ResNet's ReLU) joins its epilogue. Run after FuseChains. Returns the adds and clamps fused.
    private static (int Residuals, int Activations) FuseResidualBlocks(Module model)
    {
        int residuals = 0, activations = 0;
        foreach (var seq in model.NamedModules().Select(m => m.Module).OfType<Sequential>().ToArray())
        {
            for (int i = 0; i < seq.Count; i++)
            {
                if (seq[i] is not Residual { Body: Sequential { Count: > 0 } body } block
                    || body[body.Count - 1] is not FusedConv2d { HasResidual: false, Target: null } last
                    || !float.IsNegativeInfinity(last.Min) || !float.IsPositiveInfinity(last.Max))
                    continue;
                float min = float.NegativeInfinity, max = float.PositiveInfinity;
                bool clamp = i + 1 < seq.Count && IsClamp(seq[i + 1], out min, out max);
                Sequential? prefix = null;
                if (body.Count > 1)
                {
                    prefix = new Sequential();
                    foreach (var (name, child) in body.NamedChildren().SkipLast(1)) prefix.Add(name, child);
                }
                var fused = new FusedConv2d(last.Conv, hasResidual: true, min, max, last.FoldedNorm);
                seq.ReplaceRange(i, clamp ? 2 : 1, new FusedResidual(prefix, fused, block.Shortcut));
                residuals++;
                activations += clamp ? 1 : 0;
            }
        }
        return (residuals, activations);
    }

    // Inside every Sequential of the copy (at any depth: zoo models, Residual bodies, graph nodes): Conv2d, then an
    // optional BatchNorm2d of its channels, then an optional ReLU/Hardtanh, become one FusedConv2d under the
    // convolution's name.
    private static (int Norms, int Activations) FuseChains(Module model)
    {
        int norms = 0, activations = 0;
        foreach (var seq in model.NamedModules().Select(m => m.Module).OfType<Sequential>().ToArray())
        {
            for (int i = 0; i < seq.Count; i++)
            {
                if (seq[i] is not Conv2d conv) continue;
                int j = i + 1;
                var fusedConv = conv;
                bool folded = false;
                float min = float.NegativeInfinity, max = float.PositiveInfinity;
                if (j < seq.Count && seq[j] is BatchNorm2d bn && bn.Channels == conv.OutChannels)
                {
                    fusedConv = Fold(conv, bn);
                    folded = true;
                    j++;
                }
                if (j < seq.Count && IsClamp(seq[j], out min, out max)) j++;
                if (j == i + 1) continue;
                fusedConv.Frozen = true;
                seq.ReplaceRange(i, j - i, new FusedConv2d(fusedConv, false, min, max, folded));
                norms += folded ? 1 : 0;
                activations += j - i - (folded ? 2 : 1);
            }
        }
        return (norms, activations);
    }

    /// <summary>A Linear layer of the copy with fewer non-zero weights than this fraction runs as a <see cref="SparseLinear"/>.</summary>
    public const double SparseLinearDensity = 0.75;

    /// <summary>Bytes a pruned layer's stored weight takes at least: a 4-byte value and a 2-byte index (CSR16).</summary>
    private const int SparseEntryBytes = 6;

    /// <summary>
    /// True when a pass over <paramref name="model"/> reads more weight bytes than a last-level cache of
    /// <paramref name="cacheBytes"/> holds (4 bytes a weight of a dense parameter, <see cref="SparseEntryBytes"/> a non-zero
    /// of a pruned one): then every layer meets its weights in memory, not in the caches, on each pass, and the sparse
    /// formats are timed so (<see cref="PlanOptions.WeightsFromMemory"/>). False when the cache size is unknown (0).
    /// </summary>
    internal static bool WeightsExceedCache(Module model, long cacheBytes)
    {
        long bytes = 0;
        foreach (var p in model.Parameters())
        {
            long nonZero = p.Value.Data.Count(v => v != 0);
            bytes += nonZero < SparseLinearDensity * p.Length ? SparseEntryBytes * nonZero : 4L * p.Length;
        }
        return cacheBytes > 0 && bytes > cacheBytes;
    }

    // Pruned Linear layers inside Sequentials become SparseLinear, a following ReLU fused, and dense ones PackedLinear;
    // returns the ReLUs fused.
    private static int SparsifyLinears(Module model, int batch, bool fromMemory)
    {
        int relus = 0;
        foreach (var seq in model.NamedModules().Select(m => m.Module).OfType<Sequential>().ToArray())
            for (int i = 0; i < seq.Count; i++)
            {
                if (seq[i] is Linear dense && !Pruned(dense)) seq.ReplaceRange(i, 1, new PackedLinear(dense));
                if (!Pruned(seq[i])) continue;
                bool relu = i + 1 < seq.Count && seq[i + 1] is ReLU;
                seq.ReplaceRange(i, relu ? 2 : 1, new SparseLinear((Linear)seq[i], relu, batch, weightsFromMemory: fromMemory));
                relus += relu ? 1 : 0;
            }
        return relus;
    }

    private static bool Pruned(Module m) => m is Linear l && l.Weight.Value.Data.Count(v => v != 0) < SparseLinearDensity * l.Weight.Length;

    // A graph node, its module a SparseLinear when it is a pruned Linear, a PackedLinear when a dense one.
    private static GraphNode Sparsified(GraphNode node, int batch, bool fromMemory) => node.Module switch
    {
        Linear pruned when Pruned(pruned) => node with { Module = new SparseLinear(pruned, false, batch, weightsFromMemory: fromMemory) },
        Linear dense => node with { Module = new PackedLinear(dense) },
        _ => node,
    };

    // ReLU is the clamp [0, ∞), Hardtanh (ReLU6 among them) [min, max]; anything else is not a clamp (bounds ±∞).
    private static bool IsClamp(Module module, out float min, out float max)
    {
        (min, max) = module switch
        {
            ReLU => (0f, float.PositiveInfinity),
            Hardtanh clamp => (clamp.Min, clamp.Max),
            _ => (float.NegativeInfinity, float.PositiveInfinity),
        };
        return module is ReLU or Hardtanh;
    }

    // The copy's weights are final: its convolutions may cache transformed weights and choose their algorithm.
    private static void Freeze(Module model)
    {
        foreach (var (_, module) in model.NamedModules())
            if (module is Conv2d conv) conv.Frozen = true;
    }

    /// <summary>
    /// A copy of <paramref name="conv"/> whose output is multiplied by <paramref name="scale"/>[o] (null: by 1), then
    /// <paramref name="shift"/>[o] added (null: nothing): W'[o] = W[o]·scale[o], b'[o] = b[o]·scale[o] + shift[o].
    /// </summary>
    /// <exception cref="ArgumentException">A vector's length is not the output channels.</exception>
    public static Conv2d Affine(Conv2d conv, float[]? scale, float[]? shift)
    {
        ArgumentNullException.ThrowIfNull(conv);
        int oc = conv.OutChannels;
        if (scale is not null && scale.Length != oc || shift is not null && shift.Length != oc)
            throw new ArgumentException($"{conv} writes {oc} channels; the scale has {scale?.Length}, the shift {shift?.Length}.");
        var copy = new Conv2d(conv.InChannels, oc, conv.KernelSize, new Random(0), conv.Stride, conv.Pads, conv.Dilation,
            conv.Groups, bias: true);
        float[] w = conv.Weight.Value.Data, cw = copy.Weight.Value.Data, cb = copy.Bias!.Value.Data;
        float[]? b = conv.Bias?.Value.Data;
        int per = w.Length / oc;
        for (int o = 0; o < oc; o++)
        {
            float s = scale is null ? 1f : scale[o];
            TensorPrimitives.Multiply(w.AsSpan(o * per, per), s, cw.AsSpan(o * per, per));
            cb[o] = (b is null ? 0f : b[o]) * s + (shift is null ? 0f : shift[o]);
        }
        return copy;
    }

    // The per-channel values a Mul or Add node applies to its input `tensor` (its other operand a per-channel constant,
    // PerChannel), or null for any other node.
    private static float[]? PerChannelOperand(Graph graph, GraphNode node, string tensor, int channels) =>
        node.Module is ElementwiseOp { Kind: ElementwiseKind.Mul or ElementwiseKind.Add } && node.Inputs.Count == 2
        && node.Inputs.Count(t => t == tensor) == 1
            ? PerChannel(graph, node.Inputs[0] == tensor ? node.Inputs[1] : node.Inputs[0], channels)
            : null;

    private static bool IsMul(GraphNode node) => node.Module is ElementwiseOp { Kind: ElementwiseKind.Mul };

    // The per-channel values of a constant that broadcasts against [N, C, H, W] along the channels alone ([C, 1, 1] or
    // [1, C, 1, 1]), or of a single value (any shape of rank ≤ 4 and one element); null for any other tensor.
    private static float[]? PerChannel(Graph graph, string tensor, int channels)
    {
        if (!graph.IsConstant(tensor) || graph.Value(tensor) is not { Rank: <= 4 } value) return null;
        if (value.Length == 1) return Enumerable.Repeat(value.Span[0], channels).ToArray();
        var shape = value.Shape;
        bool perChannel = value.Length == channels && shape[^1] == 1 && shape[^2] == 1 && (value.Rank == 3 || value.Rank == 4 && shape[0] == 1);
        return perChannel ? value.Span.ToArray() : null;
    }

    /// <summary>A copy of <paramref name="conv"/> with <paramref name="bn"/>'s inference affine folded into its weights and bias.</summary>
    public static Conv2d Fold(Conv2d conv, BatchNorm2d bn)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(bn);
        if (bn.Channels != conv.OutChannels)
            throw new ArgumentException($"{bn} has {bn.Channels} channels; {conv} writes {conv.OutChannels}.", nameof(bn));
        var folded = new Conv2d(conv.InChannels, conv.OutChannels, conv.KernelSize, new Random(0), conv.Stride, conv.Pads, conv.Dilation,
            conv.Groups, bias: true);
        float[] w = conv.Weight.Value.Data, fw = folded.Weight.Value.Data, fb = folded.Bias!.Value.Data;
        float[]? b = conv.Bias?.Value.Data;
        int per = w.Length / conv.OutChannels;
        for (int o = 0; o < conv.OutChannels; o++)
        {
            var (scale, shift) = NormAffine(bn, o);
            TensorPrimitives.Multiply(w.AsSpan(o * per, per), scale, fw.AsSpan(o * per, per));
            fb[o] = (b is null ? 0f : b[o]) * scale + shift;
        }
        return folded;
    }

    // Channel c of a BatchNorm at inference as y = x·scale + shift, with the same float arithmetic as its inference
    // path: scale = γ/√(σ² + ε), then shift = β − μ·scale.
    private static (float Scale, float Shift) NormAffine(BatchNorm2d bn, int c)
    {
        float scale = bn.Weight.Value[c] / MathF.Sqrt(bn.RunningVar[c] + bn.Eps);
        return (scale, bn.Bias.Value[c] - bn.RunningMean[c] * scale);
    }
}
