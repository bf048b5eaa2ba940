// TpzSectionMutator: mutations of a valid .tpz container below its CRC-32 framing — the container is parsed into
// sections, changed, and written again with correct CRCs, so the change reaches the section decoders (a byte-level
// change of the file is almost always caught by a CRC first). 1 to 3 of: a field of a QuantizedLayer payload (rank,
// a dimension, order, weight bits, index bits, centroid count, entry count, stream length) or of a DenseTensor payload
// (rank, a dimension) set to an edge value of its width; byte-level mutations of a payload (bit flips, cuts, runs
// inserted or deleted, splices — the Huffman tables and coded streams are in there); a section's kind changed, its
// name changed (to another section's or an unknown one), the section removed, duplicated or moved; the metadata's
// model name replaced by another zoo model (whose shapes then differ) or its JSON mutated.
using System.Buffers.Binary;
using System.Text;
using Topiary.Compression.Container;

namespace Topiary.Tests.Reliability;

internal static class TpzSectionMutator
{
    private static readonly string[] ModelNames = ["lenet-300-100", "lenet-5", "convnet", "alexnet", ""];

    public static byte[] Mutate(byte[] seed, Random rng)
    {
        var sections = TpzContainer.Parse(seed, "seed.tpz").ToList();
        int count = 1 + rng.Next(3);
        for (int m = 0; m < count; m++) MutateOnce(sections, rng);
        return TpzContainer.ToBytes(sections);
    }

    private static void MutateOnce(List<TpzSection> sections, Random rng)
    {
        if (sections.Count == 0) return;
        int i = rng.Next(sections.Count);
        var s = sections[i];
        switch (rng.Next(8))
        {
            case 0:
            case 1:
            case 2:
                sections[i] = s with { Payload = s.Kind == TpzSectionKind.Metadata ? Metadata(s.Payload, rng) : Field(s, rng) };
                break;
            case 3:
            case 4:
            {
                var target = new FuzzTarget("payload", [new("payload", s.Payload)], _ => { }, typeof(Exception));
                sections[i] = s with { Payload = ByteMutator.Mutate(s.Payload, target, rng) };
                break;
            }
            case 5:
                sections[i] = s with { Kind = (TpzSectionKind)(1 + rng.Next(3)) };
                break;
            case 6:
                sections[i] = s with { Name = rng.Next(2) == 0 ? sections[rng.Next(sections.Count)].Name : "fc9.weight" };
                break;
            default:
                switch (rng.Next(3))
                {
                    case 0: sections.RemoveAt(i); break;
                    case 1: sections.Insert(rng.Next(sections.Count + 1), s); break;
                    default: sections.RemoveAt(i); sections.Insert(rng.Next(sections.Count + 1), s); break;
                }
                break;
        }
    }

    private static byte[] Metadata(byte[] payload, Random rng)
    {
        string json = Encoding.UTF8.GetString(payload);
        if (rng.Next(2) == 0)
        {
            foreach (string name in ModelNames)
                if (name.Length > 0 && json.Contains($"\"{name}\"", StringComparison.Ordinal))
                    return Encoding.UTF8.GetBytes(json.Replace($"\"{name}\"", $"\"{ModelNames[rng.Next(ModelNames.Length)]}\"", StringComparison.Ordinal));
        }
        var target = new FuzzTarget("metadata", [new("metadata", payload)], _ => { }, typeof(Exception));
        return ByteMutator.Mutate(payload, target, rng);
    }

    /// <summary>One header field of a DenseTensor or QuantizedLayer payload set to an edge value of its width.</summary>
    private static byte[] Field(TpzSection s, Random rng)
    {
        var p = (byte[])s.Payload.Clone();
        if (p.Length == 0) return p;
        int rank = p[0];
        // (offset, width) of each field, as far as the payload reaches.
        var fields = new List<(int Offset, int Width)> { (0, 1) };
        for (int d = 0; d < rank; d++) fields.Add((1 + 4 * d, 4));
        if (s.Kind == TpzSectionKind.QuantizedLayer)
        {
            int at = 1 + 4 * rank;
            fields.Add((at, 1));     // order
            fields.Add((at + 1, 1)); // weight bits
            fields.Add((at + 2, 1)); // index bits
            fields.Add((at + 3, 2)); // centroid count
            if (at + 5 <= p.Length)
            {
                int k = BinaryPrimitives.ReadUInt16LittleEndian(p.AsSpan(at + 3));
                int entries = at + 5 + 4 * k;
                fields.Add((entries, 4));     // entry count
                fields.Add((entries + 4, 4)); // stream length
            }
        }
        var (offset, width) = fields[rng.Next(fields.Count)];
        if (offset + width > p.Length) return p;
        ulong v = ByteMutator.HugeValues[rng.Next(ByteMutator.HugeValues.Length)];
        if (rng.Next(3) == 0) v = (ulong)rng.Next(64);
        Span<byte> le = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(le, width == 8 ? v : Math.Min(v, (1UL << (8 * width)) - 1));
        le[..width].CopyTo(p.AsSpan(offset));
        return p;
    }
}
