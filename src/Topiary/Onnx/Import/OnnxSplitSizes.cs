// OnnxSplitSizes: the part sizes of an ONNX Split along an axis of length n — the 'split' attribute (opset < 13), the
// 'split' input (opset ≥ 13), or, when neither is given, 'num_outputs' (opset ≥ 18) or the node's output count:
// equal parts, the last one smaller when n does not divide evenly (opset 18 rule: ceil(n / k) per part).
namespace Topiary.Onnx;

internal static class OnnxSplitSizes
{
    public static int[] Resolve(OnnxNodeView node, int n, long opset, long[]? sizesInput)
    {
        long[]? sizes = opset >= 13 ? sizesInput : node.Ints("split");
        if (sizes is not null && sizes.Length > 0)
        {
            if (sizes.Any(s => s < 0) || sizes.Sum() != n)
                throw node.Invalid($"split sizes [{string.Join(", ", sizes)}] do not add up to the axis length {n}");
            if (sizes.Length != node.Node.Output.Count)
                throw node.Invalid($"split has {sizes.Length} sizes but the node has {node.Node.Output.Count} outputs");
            return sizes.Select(s => (int)s).ToArray();
        }
        int k = (int)node.Int("num_outputs", node.Node.Output.Count);
        if (k < 1 || k != node.Node.Output.Count) throw node.Invalid($"num_outputs {k} does not match the {node.Node.Output.Count} outputs");
        int part = (n + k - 1) / k;
        var result = new int[k];
        for (int i = 0; i < k; i++) result[i] = Math.Max(0, Math.Min(part, n - i * part));
        return result;
    }
}
