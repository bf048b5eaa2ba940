// OnnxChain: a Graph that is one chain (one input, one output, every node a single-input layer reading the previous
// node's output, no constants) as the equivalent Sequential. Dotted node names nest the way PyTorch modules do
// ("features.0", "features.1", "classifier.1" → features: Sequential(0, 1), classifier: Sequential(1)), so parameter
// names are unchanged; a parameter-free layer named like a group is renamed; when groups are not contiguous, the dots
// become underscores.
using Topiary.Nn;

namespace Topiary.Onnx;

internal static class OnnxChain
{
    public static Sequential? ToSequential(Graph g)
    {
        if (g.Inputs.Count != 1 || g.Outputs.Count != 1 || g.Constants.Count > 0 || g.Nodes.Count == 0) return null;
        string previous = g.Inputs[0];
        foreach (var n in g.Nodes)
        {
            if (n.Module is GraphOp || n.Inputs.Count != 1 || n.Inputs[0] != previous) return null;
            previous = n.Outputs[0];
        }
        if (previous != g.Outputs[0]) return null;
        var items = g.Nodes.Select(n => (Path: n.Name.Split('.'), n.Module)).ToList();
        try
        {
            return Nest(items);
        }
        catch (ArgumentException)
        {
            var flat = new Sequential();
            foreach (var n in g.Nodes) flat.Add(n.Name.Replace('.', '_'), n.Module);
            return flat;
        }
    }

    private static Sequential Nest(List<(string[] Path, Module Module)> items)
    {
        var seq = new Sequential();
        // A layer named like a group at this level ("layer1.0" next to "layer1.0.conv1": a functional op in a PyTorch
        // block) is renamed "<name>_1", "<name>_2", ... so the group keeps the exporter's parameter names.
        var groups = items.Where(i => i.Path.Length > 1).Select(i => i.Path[0]).ToHashSet(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count;)
        {
            var (path, module) = items[i];
            if (path.Length == 1)
            {
                string name = path[0];
                for (int k = 1; groups.Contains(name) || used.Contains(name); k++) name = $"{path[0]}_{k}";
                used.Add(name);
                seq.Add(name, module);
                i++;
                continue;
            }
            int j = i;
            var group = new List<(string[], Module)>();
            while (j < items.Count && items[j].Path.Length > 1 && items[j].Path[0] == path[0])
            {
                group.Add((items[j].Path[1..], items[j].Module));
                j++;
            }
            used.Add(path[0]);
            seq.Add(path[0], Nest(group));
            i = j;
        }
        return seq;
    }
}
