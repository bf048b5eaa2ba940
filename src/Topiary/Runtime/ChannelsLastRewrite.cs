// ChannelsLastRewrite: runs a fused model's depthwise-separable stacks channels last ([N, H, W, C]), as ONNX Runtime's
// NCHWc transformer does with its blocked layout. Channels first, a depthwise convolution vectorises along a row
// (MobileNet's 7×7 and 14×14 planes leave most lanes idle, stride 2 has to de-interleave) and a 1×1 convolution is a
// GEMM whose columns are the plane (49 positions fill two 32-wide panels to 77 %); channels last, the depthwise kernel
// takes 16 channels per vector and the 1×1 GEMM's rows are the positions and its columns the channels.
//
// Inside every Sequential of the fused copy (parents first), a run of consecutive children that can all run channels
// last becomes channels last when it holds at least one depthwise and one other convolution (otherwise the layout
// buys nothing). What can run channels last:
//   a FusedConv2d that is depthwise (multiplier 1, no residual) or pointwise (1×1, stride 1, no padding, groups 1);
//   a Sequential of such children;
//   a FusedResidual with the identity shortcut whose prefix and last layer can (the residual is then channels last too).
// The run's first child may instead read the channels-first input: any groups-1 FusedConv2d without a residual (a stem
// 3×3 convolution, or a Sequential starting with one), which then computes its output channels last directly;
// otherwise a LayoutChange to channels last goes before the run. A LayoutChange back to channels first follows it,
// or, when a GlobalAvgPool2d follows the run, that becomes a ChannelsLastGlobalAvgPool (same output, no transpose).
//
// In a Graph (an imported ONNX model), the candidates are the FusedConv2d nodes that can run channels last; a node
// that reads a candidate's output (as its input, or as its residual) through a channels-last-capable slot joins the
// candidate's group, and a group runs channels last when it holds a depthwise and another convolution. A converted node
// writes "<tensor>.channels_last"; a LayoutChange node writes the original tensor back channels first right after it
// when anything else reads it (a node left channels first, an entry node, a graph output), so those readers are
// unchanged — except a GlobalAvgPool2d, which becomes a ChannelsLastGlobalAvgPool reading the channels-last tensor —, and a channels-first tensor a converted node needs channels last (a depthwise layer's input, a residual)
// is transposed once, before its first such reader.
//
// A stack's channels-last activations (a Sequential run's, or a Graph's) share one ActivationArena, slots assigned by
// liveness over the execution order (ActivationPlan). An expand → depthwise → project chain (an inverted-residual
// block, with or without its residual; in a Graph, with no other reader of its inner tensors) runs band by band
// (BandedSeparableBlock), and so does a depthwise → project pair in a Sequential (a block without an expansion).
using Topiary.Nn;

namespace Topiary.Runtime;

/// <summary>Rewrites a fused model's depthwise-separable stacks to run channels last.</summary>
internal static class ChannelsLastRewrite
{
    // Convolutions a subtree holds: depthwise, and the others (GEMMs).
    private readonly record struct Census(int Depthwise, int Others)
    {
        public static Census operator +(Census a, Census b) => new(a.Depthwise + b.Depthwise, a.Others + b.Others);

        public int Total => Depthwise + Others;
    }

    /// <summary>Rewrites every qualifying run in <paramref name="model"/> in place; returns the convolutions now channels last.</summary>
    public static int Apply(Module model)
    {
        int converted = 0;
        foreach (var seq in model.NamedModules().Select(m => m.Module).OfType<Sequential>().ToArray())
            converted += Rewrite(seq);
        return converted;
    }

    /// <summary>A copy of <paramref name="graph"/> with its qualifying groups channels last, and the convolutions converted.</summary>
    public static (Graph Graph, int Converted) Apply(Graph graph)
    {
        var nodes = graph.Nodes;
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var t in nodes[i].Outputs) producer[t] = i;
        bool Candidate(int i) => nodes[i].Module is FusedConv2d f && (ChannelsLastConv2d.Supports(f, false) || ChannelsLastConv2d.Supports(f, true));
        bool Internal(int i) => nodes[i].Module is FusedConv2d f && ChannelsLastConv2d.Supports(f, false);

        // Groups: a candidate joins the group of each candidate whose output it reads through a channels-last slot.
        int[] group = Enumerable.Range(0, nodes.Count).ToArray();
        int Find(int i) => group[i] == i ? i : group[i] = Find(group[i]);
        for (int i = 0; i < nodes.Count; i++)
            if (Internal(i))
                foreach (var t in nodes[i].Inputs)
                    if (producer.TryGetValue(t, out int p) && Candidate(p)) group[Find(p)] = Find(i);
        var census = new Dictionary<int, Census>();
        for (int i = 0; i < nodes.Count; i++)
            if (Candidate(i))
                census[Find(i)] = census.GetValueOrDefault(Find(i)) + (((FusedConv2d)nodes[i].Module).Conv.IsDepthwise ? new Census(1, 0) : new Census(0, 1));
        bool[] converted = Enumerable.Range(0, nodes.Count)
            .Select(i => Candidate(i) && census[Find(i)] is { Depthwise: > 0, Others: > 0 }).ToArray();
        if (!converted.Contains(true)) return (graph, 0);

        // Readers that need a tensor channels first: nodes left as they are, entry nodes, the graph's outputs.
        bool IsLast(string t) => producer.TryGetValue(t, out int p) && converted[p];
        bool ReadsLast(int i) => converted[i] && Internal(i) && (IsLast(nodes[i].Inputs[0]) || !ChannelsLastConv2d.Supports((FusedConv2d)nodes[i].Module, true));
        bool PoolsLast(int i) => nodes[i].Module is GlobalAvgPool2d && IsLast(nodes[i].Inputs[0]);
        var firstReaders = new HashSet<string>(graph.Outputs, StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            if (!ReadsLast(i) && !PoolsLast(i)) firstReaders.UnionWith(nodes[i].Inputs);
        static string Last(string t) => t + ".channels_last";
        var transposed = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<GraphNode>();
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (PoolsLast(i))
            {
                result.Add(node with { Module = new ChannelsLastGlobalAvgPool(), Inputs = [Last(node.Inputs[0])] });
                continue;
            }
            if (!converted[i])
            {
                result.Add(node);
                continue;
            }
            // An entry node reads its input as it is; otherwise every input is read channels last (transposed once).
            bool readsLast = ReadsLast(i);
            var inputs = node.Inputs.ToArray();
            if (readsLast)
            {
                for (int slot = 0; slot < inputs.Length; slot++)
                {
                    string t = inputs[slot];
                    if (!IsLast(t) && transposed.Add(t))
                        result.Add(new GraphNode($"{t}_to_channels_last", new LayoutChange(toChannelsLast: true), t, Last(t)));
                    inputs[slot] = Last(t);
                }
            }
            string output = node.Outputs[0];
            result.Add(new GraphNode(node.Name, new ChannelsLastConv2d((FusedConv2d)node.Module, !readsLast), inputs, [Last(output)]));
            if (firstReaders.Contains(output))
                result.Add(new GraphNode($"{output}_to_channels_first", new LayoutChange(toChannelsLast: false), Last(output), output));
        }
        result = Banded(result);
        // The converted nodes' activations (and the transposes into channels last) in one arena.
        var plan = new ActivationPlan();
        var valueOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in result)
        {
            var writer = node.Module is IArenaOutput and not LayoutChange { ToChannelsLast: false } ? (IArenaOutput)node.Module : null;
            int value = plan.Add(writer, node.Inputs.Select(t => valueOf.GetValueOrDefault(t, ActivationPlan.Outside)).ToArray());
            if (writer is not null) valueOf[node.Outputs[0]] = value;
        }
        plan.Apply();
        var rewritten = new Graph(graph.Inputs.ToArray(), result, graph.Outputs.ToArray(),
            graph.Constants.Select(c => KeyValuePair.Create(c.Name, c.Value)));
        return (rewritten, converted.Count(c => c));
    }

    // Graph nodes expand → depthwise → project whose intermediate tensors have no other reader, the projection adding
    // either nothing or the expansion's own input, become one BandedSeparableBlock node (named after the expansion).
    private static List<GraphNode> Banded(List<GraphNode> nodes)
    {
        var readers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var t in nodes[i].Inputs)
                (readers.TryGetValue(t, out var list) ? list : readers[t] = []).Add(i);
        int? SoleReader(string t) => readers.TryGetValue(t, out var list) && list.Count == 1 ? list[0] : null;
        var replaced = new Dictionary<int, GraphNode>();
        var removed = new HashSet<int>();
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Module is not ChannelsLastConv2d expand || SoleReader(nodes[i].Outputs[0]) is not int di
                || nodes[di].Module is not ChannelsLastConv2d depthwise || SoleReader(nodes[di].Outputs[0]) is not int pi
                || nodes[pi].Module is not ChannelsLastConv2d project || !Bandable(expand, depthwise, project)
                || nodes[pi].Inputs[0] != nodes[di].Outputs[0]
                || (project.HasResidual && nodes[pi].Inputs[1] != nodes[i].Inputs[0]))
                continue;
            replaced[pi] = new GraphNode(nodes[i].Name, new BandedSeparableBlock(expand, depthwise, project, project.HasResidual),
                [nodes[i].Inputs[0]], [nodes[pi].Outputs[0]]);
            removed.Add(i);
            removed.Add(di);
        }
        return nodes.Select((node, i) => replaced.GetValueOrDefault(i, node)).Where((_, i) => !removed.Contains(i)).ToList();
    }

    private static int Rewrite(Sequential seq)
    {
        int converted = 0;
        for (int i = 0; i < seq.Count;)
        {
            bool entry = Survey(seq[i], entry: true) is not null;
            if ((entry ? Survey(seq[i], entry: true) : Survey(seq[i], entry: false)) is not { } census)
            {
                i++;
                continue;
            }
            int j = i + 1;
            for (; j < seq.Count && Survey(seq[j], entry: false) is { } more; j++) census += more;
            if (census.Depthwise == 0 || census.Others == 0)
            {
                i = j;
                continue;
            }
            for (int k = i; k < j; k++) seq.ReplaceRange(k, 1, Convert(seq[k], entry && k == i));
            string first = NameAt(seq, i), last = NameAt(seq, j - 1);
            // Back to channels first — or, when the run is pooled next, pooled channels last (the same [N, C, 1, 1]).
            if (j < seq.Count && seq[j] is GlobalAvgPool2d) seq.ReplaceRange(j, 1, new ChannelsLastGlobalAvgPool());
            else seq.Insert(j, $"{last}_to_channels_first", new LayoutChange(toChannelsLast: false));
            if (!entry)
            {
                seq.Insert(i, $"{first}_to_channels_last", new LayoutChange(toChannelsLast: true));
                j++;
            }
            // The run's activations in one arena: from its first layer (or transpose) to the transpose back.
            var plan = new ActivationPlan();
            int value = ActivationPlan.Outside;
            for (int k = i; k <= j; k++) value = Record(plan, seq[k], value);
            plan.Apply();
            converted += census.Total;
            i = j + 1;
        }
        return converted;
    }

    // The channels-last convolutions of a chain of them (nested Sequentials), or null when m is anything else.
    private static List<ChannelsLastConv2d>? Chain(Module m)
    {
        if (m is ChannelsLastConv2d conv) return [conv];
        if (m is not Sequential s) return null;
        var chain = new List<ChannelsLastConv2d>();
        for (int k = 0; k < s.Count; k++)
        {
            if (Chain(s[k]) is not { } part) return null;
            chain.AddRange(part);
        }
        return chain;
    }

    // [expand (1×1) →] depthwise → project (1×1) reading channels last: a block to run band by band.
    private static bool Bandable(ChannelsLastConv2d? expand, ChannelsLastConv2d depthwise, ChannelsLastConv2d project) =>
        (expand is null || (!expand.IsDepthwise && !expand.ReadsChannelsFirst && !expand.HasResidual)) && depthwise.IsDepthwise
        && !project.IsDepthwise && !project.ReadsChannelsFirst;

    // Records m's layers in execution order, m reading `input`; returns the value m writes.
    private static int Record(ActivationPlan plan, Module m, int input)
    {
        switch (m)
        {
            case Sequential s:
                for (int k = 0; k < s.Count; k++) input = Record(plan, s[k], input);
                return input;
            case FusedResidual r:
                int body = r.Prefix is null ? input : Record(plan, r.Prefix, input);
                return plan.Add((IArenaOutput)r.Last, body, input);
            case LayoutChange { ToChannelsLast: false } or ChannelsLastGlobalAvgPool:
                return plan.Add(null, input);
            default:
                return plan.Add((IArenaOutput)m, input);
        }
    }

    private static string NameAt(Sequential seq, int index) => seq.NamedChildren().ElementAt(index).Name;

    // The convolutions of m when all of it can run channels last (its first layer reading channels first when
    // `entry`), or null when it cannot.
    private static Census? Survey(Module m, bool entry) => m switch
    {
        FusedConv2d f when ChannelsLastConv2d.Supports(f, entry) => f.Conv.IsDepthwise ? new Census(1, 0) : new Census(0, 1),
        Sequential { Count: > 0 } s => SurveySequence(s, entry),
        FusedResidual { Shortcut: null, Last: FusedConv2d last } r when !entry =>
            (r.Prefix is null ? new Census() : Survey(r.Prefix, false)) + Survey(last, false),
        _ => null,
    };

    private static Census? SurveySequence(Sequential s, bool entry)
    {
        Census? census = new Census();
        for (int k = 0; k < s.Count && census is not null; k++) census += Survey(s[k], entry && k == 0);
        return census;
    }

    // The channels-last form of a surveyed subtree (Sequentials are rewritten in place).
    private static Module Convert(Module m, bool entry)
    {
        switch (m)
        {
            case FusedConv2d f:
                return new ChannelsLastConv2d(f, entry);
            case Sequential s:
                for (int k = 0; k < s.Count; k++) s.ReplaceRange(k, 1, Convert(s[k], entry && k == 0));
                return Chain(s) switch
                {
                    [var expand, var depthwise, var project] when Bandable(expand, depthwise, project) =>
                        new BandedSeparableBlock(expand, depthwise, project, residual: false),
                    [var depthwise, var project] when Bandable(null, depthwise, project) =>
                        new BandedSeparableBlock(null, depthwise, project, residual: false),
                    _ => s,
                };
            case FusedResidual r:
                var prefix = r.Prefix is null ? null : Convert(r.Prefix, false);
                var last = (GraphOp)Convert(r.Last, false);
                if (prefix is not null && last is ChannelsLastConv2d p)
                {
                    if (Chain(prefix) is [var e, var d] && Bandable(e, d, p)) return new BandedSeparableBlock(e, d, p, residual: true);
                    if (Chain(prefix) is [var dw] && Bandable(null, dw, p)) return new BandedSeparableBlock(null, dw, p, residual: true);
                }
                return new FusedResidual(prefix, last, null);
            default:
                throw new InvalidOperationException($"ChannelsLastRewrite: {m} was not surveyed as convertible.");
        }
    }
}
