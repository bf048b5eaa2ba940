// ShuffleReadThrough: a channel shuffle that only a depthwise convolution reads is read through, not copied. ShuffleNet
// (and every exporter's form of it) writes the shuffle as Reshape [N, G, C/G, H, W] → Transpose (0, 2, 1, 3, 4) →
// Reshape [N, C, H, W] between a grouped 1 × 1 convolution and a 3 × 3 depthwise one; the depthwise layer treats
// channels independently, so it can read channel source[o] of the unshuffled tensor for its output channel o
// (FusedConv2d.ReadingChannels, DepthwiseConv3x3's channel map) and the three nodes go (ShuffleNet: sixteen copies of
// an activation per inference).
// Any chain of Reshape and Permute nodes (at least one Permute), each the sole reader of its input and none a graph
// output, ending at such a depthwise node's input, qualifies when it moves whole planes: that is checked by running the
// chain on an index tensor of the chain input's shape at batch 2 (value = its own flat index) and reading back, for
// every output plane, which input plane it copied — the map must be the same for both samples and every plane an
// exact copy. So any exporter's spelling of a shuffle is found, and nothing else is taken for one.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>Reads channel shuffles through in the depthwise convolutions after them.</summary>
internal static class ShuffleReadThrough
{
    /// <summary>A copy of <paramref name="graph"/> with every qualifying shuffle read through; <paramref name="shapeOf"/>
    /// gives a tensor's value at batch 1 (from a forward of the graph before it was rewritten), or null.</summary>
    public static (Graph Graph, int Count) Apply(Graph graph, Func<string, Tensor?> shapeOf)
    {
        var nodes = graph.Nodes.ToList();
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
            foreach (var t in node.Inputs) readers[t] = readers.GetValueOrDefault(t) + 1;
        var outputs = new HashSet<string>(graph.Outputs, StringComparer.Ordinal);
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var t in nodes[i].Outputs) producer[t] = i;
        var removed = new HashSet<int>();
        int count = 0;
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Module is not FusedConv2d { ReadsThroughShuffles: true, Target: null, InputChannels: null } depthwise) continue;
            // Back from the depthwise input through sole-reader Reshape/Permute nodes.
            var chain = new List<int>();
            string t = nodes[i].Inputs[0];
            while (readers.GetValueOrDefault(t) == 1 && !outputs.Contains(t) && producer.TryGetValue(t, out int p)
                && nodes[p].Module is Reshape or Permute && nodes[p].Inputs.Count == 1 && nodes[p].Outputs.Count == 1)
            {
                chain.Insert(0, p);
                t = nodes[p].Inputs[0];
            }
            if (!chain.Any(k => nodes[k].Module is Permute) || shapeOf(t) is not { Rank: 4 } value
                || value.Dim(1) != depthwise.Conv.InChannels || Source(chain.Select(k => nodes[k].Module).ToArray(), value.Shape.ToArray()) is not { } source)
                continue;
            nodes[i] = nodes[i] with { Module = depthwise.ReadingChannels(source), Inputs = [t, .. nodes[i].Inputs.Skip(1)] };
            removed.UnionWith(chain);
            count++;
        }
        if (count == 0) return (graph, 0);
        var kept = nodes.Where((_, k) => !removed.Contains(k)).ToArray();
        return (new Graph(graph.Inputs.ToArray(), kept, graph.Outputs.ToArray(), graph.Constants.Select(c => KeyValuePair.Create(c.Name, c.Value))), count);
    }

    // The input channel each output channel of the chain copies whole, or null when the chain does anything else (or the
    // index tensor would not hold exact integers).
    private static int[]? Source(Module[] chain, int[] shape)
    {
        int c = shape[1], plane = shape[2] * shape[3];
        long total = 2L * c * plane;
        if (total > 1 << 24) return null;
        var x = new Tensor(2, c, shape[2], shape[3]);
        for (int i = 0; i < total; i++) x.Data[i] = i;
        Tensor y = x;
        try
        {
            foreach (var module in chain) y = module.Forward(y, training: false);
        }
        catch (ArgumentException)
        {
            return null;
        }
        if (!y.SameShape(x)) return null;
        var source = new int[c];
        var span = y.Span;
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < c; o++)
            {
                var values = span.Slice((n * c + o) * plane, plane);
                float first = values[0];
                int from = (int)first / plane - n * c;
                if (first % plane != 0 || (uint)from >= (uint)c || n == 1 && from != source[o]) return null;
                for (int k = 0; k < plane; k++)
                    if (values[k] != first + k) return null;
                source[o] = from;
            }
        return source;
    }
}
