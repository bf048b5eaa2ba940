// NodeMaskPlacement: where node pruning puts its NodeMasks, and the masked twin of a model.
// For every weight layer L except the last whose boundary to the next weight layer is supported
// (Structure.LayerBoundary), one NodeMask over L's units goes after the anchor, the last of the leading
// per-unit ops after L that it must follow:
//   • after the LAST BatchNorm and the first ReLU of the run (the mask sits after the activation, and no
//     BatchNorm follows it, so a blocked unit reaches the next layer as exact zeros);
//   • with no ReLU (Caffe LeNet-5's convs): after the pooling that follows L — per channel either way;
//   • otherwise right after L.
// The run of leading ops stops at the first Flatten, Dropout or other module (the mask must see [N, U] or
// [N, C, H, W] with the units on axis 1). Every op between the mask and the next weight layer (ReLU, pools,
// Dropout, Identity, Flatten) maps a zero unit to zeros, so "mask blocks unit i" and "unit i removed" give
// the same output in inference mode.
// The masked model is a new tree of Sequentials (same names, nesting and module instances) with each mask
// added after its anchor as "<anchor>_mask"; the caller's model is left as it is, and becomes the pruned
// model once the blocked units are removed from its (shared) layers.
using Topiary.Nn;
using Topiary.Pruning.Structure;

namespace Topiary.Pruning.Node;

/// <summary>One inserted mask: the weight layer whose units it gates and the module it follows.</summary>
/// <param name="Layer">Dotted name of the gated Linear/Conv2d.</param>
/// <param name="Kind">"Linear" or "Conv2d".</param>
/// <param name="After">Dotted name of the module the mask follows.</param>
/// <param name="Mask">The mask.</param>
internal sealed record PlacedMask(string Layer, string Kind, string After, NodeMask Mask);

/// <summary>Builds the masked twin of a model for node pruning.</summary>
internal static class NodeMaskPlacement
{
    /// <summary>
    /// Creates masks for the layers of <paramref name="model"/> (all supported layers but the last when
    /// <paramref name="layers"/> is null) and returns the masked twin with the masks in chain order.
    /// </summary>
    /// <exception cref="ArgumentException">A named layer is unknown, is the last weight layer, or its boundary is unsupported;
    /// or the model already holds a NodeMask.</exception>
    public static (Sequential Masked, List<PlacedMask> Masks, List<string> Skipped) Insert(Sequential model, IReadOnlyCollection<string>? layers,
        Func<int, NodeMask> createMask)
    {
        var chain = WeightChain.Analyse(model);
        if (chain.Chain.FirstOrDefault(c => c.Module is NodeMask) is { Module: not null } existing)
            throw new ArgumentException($"The model already contains a NodeMask ('{existing.Name}').", nameof(model));
        if (layers is not null)
        {
            foreach (string name in layers)
            {
                int k = chain.IndexOf(name);
                if (k < 0)
                    throw new ArgumentException($"'{name}' is not a Linear/Conv2d of the model (weight layers: {string.Join(", ", chain.Layers.Select(l => l.Name))}).", nameof(layers));
                if (k == chain.Layers.Count - 1)
                    throw new ArgumentException($"'{name}' is the last weight layer; its outputs are the model's outputs and cannot be node-pruned.", nameof(layers));
                if (chain.Boundaries[k].UnsupportedReason is { } why)
                    throw new ArgumentException($"'{name}' cannot be node-pruned: {why}.", nameof(layers));
            }
        }

        var masks = new List<PlacedMask>();
        var skipped = new List<string>();
        var after = new Dictionary<string, NodeMask>(StringComparer.Ordinal);
        for (int k = 0; k + 1 < chain.Layers.Count; k++)
        {
            var layer = chain.Layers[k];
            if (layers is not null && !layers.Contains(layer.Name)) continue;
            if (chain.Boundaries[k].UnsupportedReason is { } why)
            {
                skipped.Add($"{layer.Name}: {why}");
                continue;
            }
            string anchor = Anchor(layer.Name, chain.Between(k));
            var mask = createMask(layer.Units);
            after[anchor] = mask;
            masks.Add(new PlacedMask(layer.Name, layer.Kind, anchor, mask));
        }
        return (Copy(model, "", after), masks, skipped);
    }

    // The module the mask follows (see the file header).
    private static string Anchor(string layer, List<(string Name, Module Module)> between)
    {
        string anchor = layer;
        bool activated = false;
        foreach (var (name, m) in between)
        {
            switch (m)
            {
                case ReLU:
                    if (!activated) anchor = name;
                    activated = true;
                    break;
                case BatchNorm:
                    anchor = name;
                    break;
                case MaxPool2d or AvgPool2d or GlobalAvgPool2d or GlobalMaxPool2d:
                    if (!activated) anchor = name;
                    break;
                case Identity:
                    break;
                default:
                    return anchor;
            }
        }
        return anchor;
    }

    private static Sequential Copy(Sequential seq, string prefix, Dictionary<string, NodeMask> after)
    {
        var copy = new Sequential();
        var names = seq.NamedChildren().Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, child) in seq.NamedChildren())
        {
            string full = prefix.Length == 0 ? name : prefix + "." + name;
            copy.Add(name, child is Sequential inner ? Copy(inner, full, after) : child);
            if (after.TryGetValue(full, out var mask))
            {
                string maskName = name + "_mask";
                for (int i = 2; names.Contains(maskName); i++) maskName = name + "_mask" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                names.Add(maskName);
                copy.Add(maskName, mask);
            }
        }
        return copy;
    }
}
