// GroupSparseDecoder: reads the group-sparse format back (layout in GroupEncodedLayer.cs). An entry whose
// value codes are all zero is a filler (it must carry the maximal gap); any other entry is a kept group, and
// every weight of a kept group gets mask 1. Malformed streams throw InvalidDataException naming the layer and
// the entry.
using Topiary.Compression.Codecs;
using Topiary.Pruning;

namespace Topiary.Compression.Grouped;

/// <summary>Decodes the group-sparse format.</summary>
public static class GroupSparseDecoder
{
    /// <summary>Decodes <paramref name="layer"/>, whose groups are defined by <paramref name="granularity"/>.</summary>
    /// <exception cref="ArgumentException">The granularity's name differs from the one the layer was encoded with.</exception>
    /// <exception cref="InvalidDataException">The stream is truncated or an entry lands outside the layer.</exception>
    public static GroupDecodedLayer Decode(GroupEncodedLayer layer, IGranularity granularity)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(granularity);
        if (granularity.Name != layer.Granularity)
            throw new ArgumentException($"Layer '{layer.Name}' was encoded at granularity '{layer.Granularity}', not '{granularity.Name}'.", nameof(granularity));
        var part = GroupPartition.Of(layer.Shape, granularity);
        var values = new float[part.GroupOf.Length];
        var mask = new float[values.Length];
        var r = new BitReader(layer.Data, layer.BitLength);
        try
        {
            long entries = r.Read(32);
            var code = layer.ValueBits < 32
                ? new LinearValueCode(BitConverter.UInt32BitsToSingle(r.Read(32)), BitConverter.UInt32BitsToSingle(r.Read(32)), layer.ValueBits)
                : default;
            int maxGap = (1 << layer.IndexBits) - 1;
            long position = -1;
            var codes = new uint[part.Count == 0 ? 0 : Enumerable.Range(0, part.Count).Max(part.Size)];
            for (long e = 0; e < entries; e++)
            {
                uint gap = r.Read(layer.IndexBits);
                position += gap + 1L;
                if (position >= part.Count)
                    throw new InvalidDataException($"Layer '{layer.Name}': entry {e} lands on group {position}, beyond the {part.Count} groups.");
                int g = (int)position;
                int size = part.Size(g);
                bool any = false;
                for (int k = 0; k < size; k++)
                {
                    codes[k] = r.Read(layer.ValueBits);
                    any |= codes[k] != 0;
                }
                if (!any)
                {
                    if (gap != maxGap) throw new InvalidDataException($"Layer '{layer.Name}': entry {e} has no values but gap {gap} (a filler has gap {maxGap}).");
                    continue;
                }
                var members = part.MembersOf(g);
                for (int k = 0; k < size; k++)
                {
                    values[members[k]] = layer.ValueBits == 32 ? BitConverter.UInt32BitsToSingle(codes[k]) : code.Decode(codes[k]);
                    mask[members[k]] = 1;
                }
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("Layer '", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Layer '{layer.Name}': the group-sparse stream is truncated.", e);
        }
        return new GroupDecodedLayer(values, mask);
    }
}
