// OnnxModelBuilder: the walker's tree (OnnxGraphWalker) → Topiary modules.
//   - A chain becomes a Sequential; an Add block becomes Residual(body, shortcut) — body = the branch at the Add's
//     first input unless that branch is empty and the other is not; an empty shortcut is the identity (null); an
//     empty body is Identity — and a Concat block becomes Concat(branches in input order), an empty branch Identity.
//   - A branch that is one layer or block whose node carries the branch's own dotted path (as our exporter writes
//     it: "res.body") is used directly; any other branch is a Sequential. So export → import keeps every name.
//   - Child names, inside a container whose dotted path is P: the weight initializer "P.<name>.weight", else the
//     node name "P.<name>" (no '/', '.'), else the node name with '/', '.', ':' → '_' up to its last '/', else
//     "<op><index>"; made unique with "_k". Parameter and buffer sources are recorded under the full dotted names.
//   - A Softmax is allowed only as the last step of the top-level chain producing the graph output: it is dropped
//     and flagged (EndsWithSoftmax); anywhere else it is NotSupported.
//   - With a static input shape, a zero example is run through every layer and block as it is built: shapes are
//     checked (a mismatch → InvalidDataException naming the node) and BatchNorm1d/2d and Reshape [-1, k] resolved.
//     A convolution whose output or im2col matrix would exceed MaxProbeElements values is NotSupported (checked
//     before it runs: memory stays bounded whatever sizes the file claims).
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

internal sealed class OnnxModelBuilder(OnnxLayerConverter converter, string outputName)
{
    private Tensor? _probe;

    public Dictionary<string, string> ParameterSources { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> BufferSources { get; } = new(StringComparer.Ordinal);

    public bool EndsWithSoftmax { get; private set; }

    /// <summary>The top-level Sequential for <paramref name="items"/>; <paramref name="probe"/> is a zero example or null.</summary>
    public Sequential Build(IReadOnlyList<OnnxItem> items, Tensor? probe)
    {
        _probe = probe;
        var net = new Sequential();
        Fill(net, "", items, topLevel: true);
        return net;
    }

    private void Fill(Sequential seq, string path, IReadOnlyList<OnnxItem> items, bool topLevel)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is OnnxBlockItem block)
            {
                string name = ChildName(block.Join, null, path, names, seq.Count);
                seq.Add(name, Block(block, Join(path, name)));
                continue;
            }
            var layer = (OnnxLayerItem)items[i];
            if (layer.Node.OpType == "Softmax")
            {
                if (!topLevel || i != items.Count - 1 || layer.Output != outputName)
                    throw converter.Unsupported(layer.Node, "a Softmax inside the graph is not supported (only a final Softmax producing the graph output, which is dropped and flagged)");
                converter.CheckSoftmax(layer.Node, _probe);
                EndsWithSoftmax = true;
                continue;
            }
            var converted = converter.Convert(layer, _probe);
            if (converted is null) continue;
            string child = ChildName(layer.Node, converted.WeightName, path, names, seq.Count);
            seq.Add(child, Place(layer.Node, converted, Join(path, child)));
        }
    }

    // Records the sources of a converted layer living at `fullName` and runs the probe through it.
    private Module Place(NodeProto node, OnnxConvertedLayer converted, string fullName)
    {
        foreach (var (local, source) in converted.Parameters) ParameterSources[Join(fullName, local)] = source;
        foreach (var (local, source) in converted.Buffers) BufferSources[Join(fullName, local)] = source;
        Probe(node, converted.Module);
        return converted.Module;
    }

    private Module Block(OnnxBlockItem block, string path)
    {
        var input = _probe;
        var join = block.Join;
        Module result;
        if (join.OpType == "Add")
        {
            bool swap = IsEmpty(block.Branches[0]) && !IsEmpty(block.Branches[1]);
            var bodyItems = block.Branches[swap ? 1 : 0];
            var shortcutItems = block.Branches[swap ? 0 : 1];
            var body = Branch(bodyItems, Join(path, "body"), input);
            var shortcut = IsEmpty(shortcutItems) ? null : Branch(shortcutItems, Join(path, "shortcut"), input);
            result = new Residual(body, shortcut);
        }
        else
        {
            converter.CheckConcatAxis(join, input);
            var branches = new Module[block.Branches.Count];
            for (int i = 0; i < branches.Length; i++)
                branches[i] = Branch(block.Branches[i], Join(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), input);
            result = new Concat(branches);
        }
        _probe = input;
        Probe(join, result);
        return result;
    }

    // One branch starting from `input`: Identity when empty, the single layer/block itself when its node carries
    // the branch path, else a Sequential.
    private Module Branch(IReadOnlyList<OnnxItem> items, string path, Tensor? input)
    {
        _probe = input;
        if (IsEmpty(items)) return new Identity();
        var significant = items.Where(i => !IsDropped(i)).ToList();
        if (significant.Count == 1 && items.Count == significant.Count)
        {
            if (significant[0] is OnnxBlockItem block && block.Join.Name == path) return Block(block, path);
            if (significant[0] is OnnxLayerItem { Node.OpType: not "Softmax" } layer)
            {
                var converted = converter.Convert(layer, _probe)!;
                if (layer.Node.Name == path || converted.WeightName == path + ".weight") return Place(layer.Node, converted, path);
                _probe = input;
            }
        }
        var seq = new Sequential();
        Fill(seq, path, items, topLevel: false);
        return seq;
    }

    private static bool IsDropped(OnnxItem item) => item is OnnxLayerItem { Node.OpType: "Dropout" or "Identity" };

    private static bool IsEmpty(IReadOnlyList<OnnxItem> items) => items.All(IsDropped);

    /// <summary>Largest convolution output or im2col matrix the zero example may need (2^26 values, 256 MB).</summary>
    internal const long MaxProbeElements = 1L << 26;

    private void Probe(NodeProto node, Module module)
    {
        if (_probe is null) return;
        try
        {
            // A convolution is the one layer whose output (and im2col workspace) can be far larger than its input and
            // weights together; check its size before running it, so a hostile shape cannot exhaust memory.
            if (module is Conv2d conv && _probe.Rank == 4 && _probe.Dim(1) == conv.InChannels)
            {
                var (oh, ow) = conv.OutputSize(_probe.Dim(2), _probe.Dim(3));
                long values = (long)_probe.Dim(0) * oh * ow * Math.Max(conv.OutChannels, (long)conv.InChannels * conv.KernelSize.H * conv.KernelSize.W);
                if (values > MaxProbeElements)
                    throw converter.Unsupported(node, $"the convolution of a {Tensor.ShapeString(_probe.Shape)} input needs {values} values for its output and im2col matrix; the importer supports at most {MaxProbeElements}");
            }
            _probe = module.Forward(_probe, training: false);
        }
        catch (ArgumentException e)
        {
            throw converter.Invalid(node, $"the layer does not accept its input: {e.Message}");
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string? Relative(string name, string path) =>
        path.Length == 0 ? name : name.StartsWith(path + ".", StringComparison.Ordinal) ? name[(path.Length + 1)..] : null;

    private static bool Simple(string? name) =>
        !string.IsNullOrEmpty(name) && name.IndexOfAny(['.', '/', ':']) < 0;

    private static string ChildName(NodeProto node, string? weightName, string path, HashSet<string> used, int index)
    {
        string? chosen = null;
        if (weightName is not null && weightName.EndsWith(".weight", StringComparison.Ordinal) &&
            Relative(weightName[..^".weight".Length], path) is { } fromWeight && Simple(fromWeight) && !used.Contains(fromWeight))
            chosen = fromWeight;
        else if (Relative(node.Name, path) is { } fromNode && Simple(fromNode) && !used.Contains(fromNode))
            chosen = fromNode;
        if (chosen is null)
        {
            string candidate = node.Name.Trim('/');
            int slash = candidate.LastIndexOf('/');
            if (slash > 0) candidate = candidate[..slash];
            candidate = candidate.Replace('/', '_').Replace('.', '_').Replace(':', '_');
            if (candidate.Length == 0 || used.Contains(candidate))
                candidate = node.OpType.ToLowerInvariant() + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            chosen = candidate;
            for (int k = 1; used.Contains(chosen); k++) chosen = candidate + "_" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        used.Add(chosen);
        return chosen;
    }
}
