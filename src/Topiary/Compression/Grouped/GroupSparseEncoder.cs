// GroupSparseEncoder: writes a layer in the group-sparse format (layout in GroupEncodedLayer.cs). Kept
// groups are those with a non-zero unmasked weight (GroupPartition.KeptGroups); masked members of a kept
// group are written as zero. Values are raw float32 bit patterns when valueBits = 32, else LinearValueCode
// codes over [min, max] of the stored non-zero values. The stream's length equals GroupStorageModel's count.
using Topiary.Compression.Codecs;
using Topiary.Pruning;

namespace Topiary.Compression.Grouped;

/// <summary>Encodes layers in the group-sparse format.</summary>
public static class GroupSparseEncoder
{
    /// <summary>Encodes a prunable layer's current (masked) weights.</summary>
    /// <exception cref="ArgumentException">The granularity rejects the layer's shape.</exception>
    public static GroupEncodedLayer Encode(PrunableLayer layer, IGranularity granularity, GroupCodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var mask = layer.Weight.Mask;
        return Encode(layer.Name, layer.Weight.Value.Span, mask is null ? default : mask.Span, layer.Weight.Value.Shape.ToArray(), granularity, options);
    }

    /// <summary>Encodes <paramref name="weights"/> (row-major, shape <paramref name="shape"/>) under <paramref name="mask"/> (empty = none).</summary>
    /// <exception cref="ArgumentException">Lengths do not match the shape, or the granularity rejects the shape.</exception>
    public static GroupEncodedLayer Encode(string name, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, int[] shape,
        IGranularity granularity, GroupCodingOptions options)
    {
        var counts = GroupStorageModel.ForLayer(name, weights, mask, shape, granularity, options); // kept groups and fillers
        var part = GroupPartition.Of(shape, granularity);
        var kept = part.KeptGroups(weights, mask);
        var code = options.ValueBits < 32 ? ValueRange(part, kept, weights, mask, options.ValueBits) : default;

        var w = new BitWriter();
        w.Write(checked((uint)(counts.KeptGroups + counts.Fillers)), 32);
        if (options.ValueBits < 32)
        {
            w.Write(BitConverter.SingleToUInt32Bits(code.Min), 32);
            w.Write(BitConverter.SingleToUInt32Bits(code.Max), 32);
        }
        int maxGap = (1 << options.IndexBits) - 1, previous = -1;
        for (int g = 0; g < part.Count; g++)
        {
            if (!kept[g]) continue;
            while (g - previous - 1 > maxGap)
            {
                previous += maxGap + 1; // the filler's group: pruned, values all zero codes
                w.Write((uint)maxGap, options.IndexBits);
                for (int k = 0; k < part.Size(previous); k++) w.Write(0, options.ValueBits);
            }
            w.Write((uint)(g - previous - 1), options.IndexBits);
            foreach (int i in part.MembersOf(g))
            {
                float v = mask.IsEmpty || mask[i] != 0 ? weights[i] : 0f;
                w.Write(options.ValueBits == 32 ? BitConverter.SingleToUInt32Bits(v) : code.Encode(v), options.ValueBits);
            }
            previous = g;
        }
        return new GroupEncodedLayer(name, (int[])shape.Clone(), granularity.Name, options.ValueBits, options.IndexBits,
            counts.KeptGroups, counts.Fillers, w.BitLength, w.ToArray());
    }

    private static LinearValueCode ValueRange(GroupPartition part, bool[] kept, ReadOnlySpan<float> weights, ReadOnlySpan<float> mask, int bits)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int i = 0; i < weights.Length; i++)
        {
            if (!kept[part.GroupOf[i]] || weights[i] == 0 || (!mask.IsEmpty && mask[i] == 0)) continue;
            min = Math.Min(min, weights[i]);
            max = Math.Max(max, weights[i]);
        }
        return float.IsPositiveInfinity(min) ? new LinearValueCode(0, 0, bits) : new LinearValueCode(min, max, bits);
    }
}
