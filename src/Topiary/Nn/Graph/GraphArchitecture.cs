// GraphArchitecture: the JSON description of a Graph (part of ModelArchitecture).
//   {"type":"Graph","inputs":["input"],"outputs":["logits"],
//    "constants":[{"name":"mean","shape":[1,3,1,1]}],
//    "nodes":[{"name":"conv1","inputs":["input"],"outputs":["x1"],"module":{...}}, ...]}
// Constant values are not in the description: they are buffers, stored with the weights (the rebuilt graph holds
// zero tensors of the described shapes that the checkpoint then fills).
using System.Text.Json.Nodes;
using Topiary.Tensors;

namespace Topiary.Nn;

internal static class GraphArchitecture
{
    public static JsonObject Describe(Graph g) => new()
    {
        ["type"] = "Graph",
        ["inputs"] = Strings(g.Inputs),
        ["outputs"] = Strings(g.Outputs),
        ["constants"] = new JsonArray(g.Constants.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["shape"] = new JsonArray(c.Value.Shape.ToArray().Select(d => (JsonNode)d).ToArray()),
        }).ToArray()),
        ["nodes"] = new JsonArray(g.Nodes.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n.Name,
            ["inputs"] = Strings(n.Inputs),
            ["outputs"] = Strings(n.Outputs),
            ["module"] = ModelArchitecture.Describe(n.Module),
        }).ToArray()),
    };

    /// <summary>Rebuilds a graph; <paramref name="build"/> rebuilds a node's module, <paramref name="take"/> charges constant sizes to the budget.</summary>
    public static Graph Build(JsonObject o, string path, Func<JsonNode?, string, Module> build, Action<long> take)
    {
        var constants = new List<KeyValuePair<string, Tensor>>();
        int i = 0;
        foreach (var c in ModelArchitecture.Arr(o, "constants", path))
        {
            string at = $"{path}.constants[{i++}]";
            if (c is not JsonObject co) throw new InvalidDataException($"architecture {at}: expected an object.");
            var dims = ModelArchitecture.Arr(co, "shape", at).Select((d, k) => ModelArchitecture.Int(d, $"{at}.shape[{k}]")).ToArray();
            long count = 1;
            foreach (int d in dims)
            {
                if (d < 0) throw new InvalidDataException($"architecture {at}: shape {Tensor.ShapeString(dims)} has a negative dimension.");
                count = d == 0 ? 0 : Math.Min(count * d, long.MaxValue / Math.Max(1, d));
            }
            take(count);
            constants.Add(new(ModelArchitecture.Str(co, "name", at), new Tensor(dims)));
        }
        var nodes = new List<GraphNode>();
        i = 0;
        foreach (var n in ModelArchitecture.Arr(o, "nodes", path))
        {
            string at = $"{path}.nodes[{i++}]";
            if (n is not JsonObject no) throw new InvalidDataException($"architecture {at}: expected an object.");
            nodes.Add(new GraphNode(ModelArchitecture.Str(no, "name", at), build(no["module"], at + ".module"),
                Names(no, "inputs", at), Names(no, "outputs", at)));
        }
        return new Graph(Names(o, "inputs", path), nodes, Names(o, "outputs", path), constants);
    }

    private static JsonArray Strings(IEnumerable<string> names) => new(names.Select(n => (JsonNode)n).ToArray());

    private static string[] Names(JsonObject o, string key, string path) =>
        ModelArchitecture.Arr(o, key, path).Select((n, k) => n is JsonValue v && v.TryGetValue(out string? s) ? s
            : throw new InvalidDataException($"architecture {path}.{key}[{k}]: expected a string.")).ToArray();
}
