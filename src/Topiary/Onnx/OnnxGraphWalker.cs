// OnnxGraphWalker: turns a checked ONNX graph (OnnxGraphIndex) into a tree of chains and fork-join blocks,
// without building any layer.
//   - From the data input, a tensor read by one non-join node continues the chain (MatMul followed by an Add of a
//     constant is one item: the Add is its bias).
//   - A tensor read by several nodes is a fork: every branch is followed until it reaches a join node — Add of two
//     non-constant inputs or Concat of non-constant inputs. When all branches reach the same join and it reads
//     exactly the branch ends (each input once), the fork becomes an OnnxBlockItem whose branches are ordered by the
//     join's inputs (an empty branch = the fork tensor itself) and the chain continues at the join's output.
//     Forks nest: a branch may contain blocks of its own, and a join reading only some branches of a fork (exactly
//     once each) is closed first and its output followed on, so Residual(Concat(...)) on one fork tensor works.
//   - Anything else (branches that end at different nodes, at the graph output or at an unused tensor; a join
//     reading tensors of different forks; a node reading the graph output; a node off the input → output path)
//     → NotSupportedException naming the node(s) and op type(s) and why.
using Topiary.Onnx.Proto;

namespace Topiary.Onnx;

/// <summary>A step of a chain: a layer (OnnxLayerItem) or a fork-join block (OnnxBlockItem).</summary>
internal abstract record OnnxItem;

/// <summary>A step of a chain: one layer node (plus the Add that is its bias, for MatMul).</summary>
internal sealed record OnnxLayerItem(NodeProto Node, NodeProto? BiasAdd) : OnnxItem
{
    /// <summary>The tensor the step produces.</summary>
    public string Output => (BiasAdd ?? Node).Output[0];
}

/// <summary>A fork-join block: the branches (chains, in the join's input order) and the joining Add / Concat.</summary>
internal sealed record OnnxBlockItem(NodeProto Join, IReadOnlyList<IReadOnlyList<OnnxItem>> Branches) : OnnxItem;

internal sealed class OnnxGraphWalker(string file, OnnxGraphIndex index, string outputName)
{
    private readonly HashSet<NodeProto> _visited = new(ReferenceEqualityComparer.Instance);

    // Where a followed path stops: the graph output, an unused tensor, or input `Slot` of a join node.
    private readonly record struct End(string Tensor, NodeProto? Join, int Slot, bool IsOutput);

    /// <summary>The chain from <paramref name="input"/> to the graph output .</summary>
    public List<OnnxItem> Walk(string input)
    {
        var items = new List<OnnxItem>();
        var end = Follow(input, items);
        if (end.Join is { } join)
            throw Unsupported(join, $"it reads '{end.Tensor}' together with tensors that do not branch from the same fork; " +
                "only joins of the branches of one fork map onto Residual / Concat");
        if (!end.IsOutput)
            throw new NotSupportedException($"{file}: the graph output '{outputName}' is not the end of the layer chain ('{end.Tensor}').");
        foreach (var node in index.Graph.Node)
            if (node.OpType != "Constant" && !_visited.Contains(node))
                throw Unsupported(node, "the node is not on the path from the graph input to the graph output");
        return items;
    }

    private End Follow(string tensor, List<OnnxItem> items)
    {
        while (true)
        {
            var edges = index.Consumers(tensor);
            if (tensor == outputName)
            {
                if (edges.Count > 0)
                    throw Unsupported(edges[0].Node, $"it reads the graph output '{tensor}'; nodes after the graph output (e.g. after the final Softmax) are not supported");
                return new End(tensor, null, -1, IsOutput: true);
            }
            if (edges.Count == 0) return new End(tensor, null, -1, IsOutput: false);
            if (edges.Count == 1 && !IsJoin(edges[0].Node))
            {
                var item = Layer(edges[0].Node, edges[0].Slot, tensor);
                items.Add(item);
                tensor = item.Output;
                continue;
            }

            var branches = new List<(List<OnnxItem> Items, End End, NodeProto First)>();
            foreach (var (node, slot) in edges)
            {
                var branch = new List<OnnxItem>();
                End end;
                if (IsJoin(node)) end = new End(tensor, node, slot, IsOutput: false);
                else
                {
                    var item = Layer(node, slot, tensor);
                    branch.Add(item);
                    end = Follow(item.Output, branch);
                }
                branches.Add((branch, end, node));
            }
            // Close inner joins first: a join read by some of the branches, exactly once each, becomes a block that
            // starts a longer branch (e.g. a Residual whose body is a Concat shares the fork tensor with the shortcut).
            while (branches.Count > 1 && Closable(branches, out var group, out var inner) && group.Count < branches.Count)
            {
                _visited.Add(inner);
                var merged = new List<OnnxItem> { Block(inner, group) };
                var end = Follow(inner.Output[0], merged);
                branches.RemoveAll(group.Contains);
                branches.Add((merged, end, inner));
            }
            if (Closable(branches, out var all, out var join) && all.Count == branches.Count)
            {
                _visited.Add(join);
                items.Add(Block(join, all));
                tensor = join.Output[0];
                continue;
            }
            if (branches.Count == 1)
            {
                // One path into a join fed by other paths: the caller's fork decides.
                items.AddRange(branches[0].Items);
                return branches[0].End;
            }
            var producer = index.Producer(tensor);
            string from = producer is null ? "the graph input" : $"node '{producer.Name}' (op {producer.OpType})";
            var described = branches.Select(b => $"the branch starting at node '{b.First.Name}' (op {b.First.OpType}) {Describe(b.End)}");
            throw new NotSupportedException(
                $"{file}: tensor '{tensor}' from {from} is read by {edges.Count} nodes whose branches do not meet at one Add/Concat node reading exactly them: " +
                string.Join("; ", described) + ". Only fork-join blocks that map onto Residual (Add) or Concat are supported " +
                "(a tensor used outside its block, or a join of branches from different forks, is not).");
        }
    }

    // A join some branches end at, reading exactly those branches (each input once); prefers the full set.
    private static bool Closable(List<(List<OnnxItem> Items, End End, NodeProto First)> branches,
        out List<(List<OnnxItem> Items, End End, NodeProto First)> group, out NodeProto join)
    {
        foreach (var b in branches)
        {
            if (b.End.Join is not { } j) continue;
            var members = branches.Where(o => ReferenceEquals(o.End.Join, j)).ToList();
            if (j.Input.Count == members.Count && members.Select(o => o.End.Slot).Distinct().Count() == members.Count)
            {
                group = members;
                join = j;
                return true;
            }
        }
        group = [];
        join = null!;
        return false;
    }

    private static OnnxBlockItem Block(NodeProto join, List<(List<OnnxItem> Items, End End, NodeProto First)> branches) =>
        new(join, [.. branches.OrderBy(b => b.End.Slot).Select(b => (IReadOnlyList<OnnxItem>)b.Items)]);

    private static string Describe(End end) =>
        end.IsOutput ? $"reaches the graph output '{end.Tensor}'"
        : end.Join is { } j ? $"ends at input {end.Slot} of node '{j.Name}' (op {j.OpType}, {j.Input.Count} inputs)"
        : $"ends at tensor '{end.Tensor}', which nothing uses";

    // A node on a chain: its data input is input 0; every other input is a constant.
    private OnnxLayerItem Layer(NodeProto node, int slot, string tensor)
    {
        if (node.Domain is not ("" or "ai.onnx"))
            throw Unsupported(node, $"operator domain '{node.Domain}' is not supported");
        if (slot != 0)
            throw Unsupported(node, $"its input {slot} ('{tensor}') is computed by the graph; only initializers and constants are supported there");
        for (int i = 1; i < node.Input.Count; i++)
            if (node.Input[i].Length > 0 && !index.IsConstant(node.Input[i]))
                throw Unsupported(node, $"its input {i} ('{node.Input[i]}') is computed by the graph; only initializers and constants are supported there");
        if (!_visited.Add(node)) throw Unsupported(node, "the node is reached twice");
        NodeProto? bias = null;
        if (node.OpType == "MatMul" && node.Output[0] != outputName && index.Consumers(node.Output[0]) is [var (add, _)] &&
            add.OpType == "Add" && add.Domain is "" or "ai.onnx" && add.Input.Count == 2 && add.Input.Count(index.IsConstant) == 1)
        {
            bias = add;
            _visited.Add(add);
        }
        return new OnnxLayerItem(node, bias);
    }

    private bool IsJoin(NodeProto node) =>
        node.Domain is "" or "ai.onnx" &&
        ((node.OpType == "Add" && node.Input.Count == 2 && node.Input.All(i => i.Length > 0 && !index.IsConstant(i))) ||
         (node.OpType == "Concat" && node.Input.Count > 0 && node.Input.All(i => i.Length > 0 && !index.IsConstant(i))));

    private NotSupportedException Unsupported(NodeProto node, string reason) =>
        new($"{file}: node '{node.Name}' (op {node.OpType}): {reason}.");
}
