// GroupStorageModel: Mao et al. 2017's storage model, counted analytically — per layer
//   bits = header + Σ_{kept groups} (indexBits + n_g·valueBits) + Σ_{fillers} (indexBits + n_f·valueBits)
// where n_g is the group's size (constant g for conv groups; an FC row's last segment may be shorter), fillers
// bridge relative-index gaps longer than 2^indexBits − 1 (RelativeIndexCodec's rule, in groups) and the header
// is GroupCodingOptions.HeaderBits. This is exactly the length GroupSparseEncoder writes (tested).
// Storage ratio = bits / dense bits, with dense = weights × 32 (the float32 layer). Also reported:
// bits / (weights × valueBits), the dense layer at the same value width, which isolates the index cost.
using Topiary.Compression.Codecs;
using Topiary.Pruning;

namespace Topiary.Compression.Grouped;

/// <summary>Storage of one layer in the group-sparse format.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Granularity">Granularity name.</param>
/// <param name="Weights">Weights of the layer.</param>
/// <param name="Groups">Groups of the layer.</param>
/// <param name="KeptGroups">Groups stored with values.</param>
/// <param name="KeptWeights">Weights in kept groups (values stored).</param>
/// <param name="Fillers">Filler entries.</param>
/// <param name="FillerWeights">Zero values stored in fillers.</param>
/// <param name="ValueBits">Bits per value.</param>
/// <param name="IndexBits">Bits per relative index.</param>
/// <param name="HeaderBits">Per-layer header bits.</param>
public sealed record GroupLayerStorage(string Name, string Granularity, long Weights, long Groups, long KeptGroups, long KeptWeights,
    long Fillers, long FillerWeights, int ValueBits, int IndexBits, long HeaderBits)
{
    /// <summary>Index and value bits of all entries: <c>(kept + fillers)·indexBits + (keptWeights + fillerWeights)·valueBits</c>.</summary>
    public long PayloadBits => (KeptGroups + Fillers) * IndexBits + (KeptWeights + FillerWeights) * ValueBits;

    /// <summary>Header plus payload.</summary>
    public long TotalBits => HeaderBits + PayloadBits;

    /// <summary>The dense float32 layer: <c>weights × 32</c>.</summary>
    public long DenseBits => Weights * 32;

    /// <summary>Fraction of weights stored (kept weights / weights).</summary>
    public double Density => Weights == 0 ? 1 : (double)KeptWeights / Weights;

    /// <summary><c>TotalBits / DenseBits</c>.</summary>
    public double StorageRatio => DenseBits == 0 ? 0 : (double)TotalBits / DenseBits;

    /// <summary><c>TotalBits / (weights × valueBits)</c>: against a dense layer of the same value width.</summary>
    public double RatioAtValueBits => Weights == 0 ? 0 : (double)TotalBits / (Weights * ValueBits);
}

/// <summary>Storage of a set of layers.</summary>
/// <param name="Layers">Per layer.</param>
public sealed record GroupStorageReport(IReadOnlyList<GroupLayerStorage> Layers)
{
    /// <summary>Sum of the layers' bits.</summary>
    public long TotalBits => Layers.Sum(l => l.TotalBits);

    /// <summary>Sum of the layers' dense float32 bits.</summary>
    public long DenseBits => Layers.Sum(l => l.DenseBits);

    /// <summary><c>TotalBits / DenseBits</c>.</summary>
    public double StorageRatio => DenseBits == 0 ? 0 : (double)TotalBits / DenseBits;

    /// <summary>Kept weights / weights over all layers.</summary>
    public double Density
    {
        get
        {
            long w = Layers.Sum(l => l.Weights);
            return w == 0 ? 1 : (double)Layers.Sum(l => l.KeptWeights) / w;
        }
    }
}

/// <summary>Counts the group-sparse format's bits without encoding.</summary>
public static class GroupStorageModel
{
    /// <summary>Storage of a prunable layer's current (masked) weights.</summary>
    /// <exception cref="ArgumentException">The granularity rejects the layer's shape.</exception>
    public static GroupLayerStorage ForLayer(PrunableLayer layer, IGranularity granularity, GroupCodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var mask = layer.Weight.Mask;
        return ForLayer(layer.Name, layer.Weight.Value.Span, mask is null ? default : mask.Span, layer.Weight.Value.Shape.ToArray(), granularity, options);
    }

    /// <summary>Storage of <paramref name="weights"/> (shape <paramref name="shape"/>) under <paramref name="mask"/> (empty = none).</summary>
    /// <exception cref="ArgumentException">Lengths do not match the shape, or the granularity rejects the shape.</exception>
    public static GroupLayerStorage ForLayer(string name, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, int[] shape,
        IGranularity granularity, GroupCodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(granularity);
        ArgumentNullException.ThrowIfNull(options);
        var part = GroupPartition.Of(shape, granularity);
        var kept = part.KeptGroups(weights, mask);
        var positions = new List<int>();
        long keptWeights = 0;
        for (int g = 0; g < part.Count; g++)
        {
            if (!kept[g]) continue;
            positions.Add(g);
            keptWeights += part.Size(g);
        }
        // Filler positions: RelativeIndexCodec's rule applied to group positions.
        long fillers = RelativeIndexCodec.FillerCount(positions.ToArray(), options.IndexBits), fillerWeights = 0;
        int step = 1 << options.IndexBits, previous = -1;
        foreach (int p in positions)
        {
            while (p - previous - 1 >= step)
            {
                previous += step;
                fillerWeights += part.Size(previous);
            }
            previous = p;
        }
        return new GroupLayerStorage(name, granularity.Name, weights.Length, part.Count, positions.Count, keptWeights, fillers, fillerWeights,
            options.ValueBits, options.IndexBits, options.HeaderBits);
    }

    /// <summary>Storage of every layer, each at its own granularity.</summary>
    public static GroupStorageReport ForModel(IEnumerable<(PrunableLayer Layer, IGranularity Granularity)> layers, GroupCodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return new GroupStorageReport(layers.Select(x => ForLayer(x.Layer, x.Granularity, options)).ToArray());
    }
}
