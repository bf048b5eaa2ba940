// ChannelsLastRewrite for a Graph (an imported ONNX model): the groups of FusedConv2d nodes that run channels last, the
// transposes their neighbours need and banded blocks (the rules are in ChannelsLastRewrite.cs's header); the graph's
// activations share one arena afterwards (GraphArena).
using Topiary.Nn;

namespace Topiary.Runtime;

internal static partial class ChannelsLastRewrite
{
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
}
