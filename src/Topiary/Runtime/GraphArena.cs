// GraphArena: one ActivationArena for the activations of a fused Graph, channels first and channels last alike, as
// ONNX Runtime's memory planner gives a session's intermediate tensors one arena. Without it every node writes a tensor
// of its own: a pass over SqueezeNet 1.1 or ShuffleNet writes ~15 MB of activations into lines no cache holds, where
// a few slots reused by liveness stay in L2 or L3 (in a node-by-node harness on this project's 2-core host, reading
// each node's output array just before the node ran cut SqueezeNet 1.1 from 7.7 to 6.9 ms and ShuffleNet from 6.5–7.3
// to 4.9–5.7 ms).
//
// Walking the nodes in order, a node whose layer is an IArenaOutput (it owns its output and never returns an input)
// writes a new value into a slot (ActivationPlan: taken when written, freed after the last reader, the most recently
// freed first). Any other node may return one of its inputs or a view of it (Reshape, Flatten, Dropout at inference,
// a nested graph), so its outputs count as all of its inputs: reading them keeps those inputs' slots alive. A tensor
// the caller gets back (a graph output, or anything such a node passes on to one) stays its writer's own, so no later
// node of the same call overwrites a result (the next call does, as with every layer-owned output). A node writing into a concatenation's slice
// (FusedConv2d.Target) is not placed: the concatenation has storage of its own (InferenceGraph.ConcatInPlace); nor is
// a layer that two nodes run (one seat cannot hold two values).
using Topiary.Nn;

namespace Topiary.Runtime;

/// <summary>Places a Graph's activations in one arena by liveness.</summary>
internal static class GraphArena
{
    /// <summary>Places every node of <paramref name="graph"/> that can write into an arena slot; the arena, or null
    /// when no node could be placed.</summary>
    public static ActivationArena? Apply(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = graph.Nodes;
        // Tensors the caller may get back: the outputs, and backwards through nodes that may pass an input on.
        var returned = new HashSet<string>(graph.Outputs, StringComparer.Ordinal);
        for (int i = nodes.Count - 1; i >= 0; i--)
            if (nodes[i].Module is not IArenaOutput && nodes[i].Outputs.Any(returned.Contains))
                returned.UnionWith(nodes[i].Inputs);

        var plan = new ActivationPlan();
        var once = ActivationPlan.UsedOnce(nodes.Select(n => n.Module));
        var valuesOf = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            int[] inputs = node.Inputs.SelectMany(t => valuesOf.GetValueOrDefault(t, [])).Distinct().ToArray();
            var writer = node.Module is IArenaOutput { Placeable: true } w && once.Contains(node.Module) && node.Outputs.Count == 1
                && !returned.Contains(node.Outputs[0]) ? w : null;
            int value = plan.Add(writer, inputs);
            foreach (var t in node.Outputs)
                valuesOf[t] = writer is not null ? [value] : node.Module is IArenaOutput ? [] : inputs;
        }
        return plan.Apply();
    }
}
