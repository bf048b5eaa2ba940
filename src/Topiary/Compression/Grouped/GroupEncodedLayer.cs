// GroupEncodedLayer: one layer in the group-sparse format (GroupSparseEncoder) — the bit stream plus what a
// reader needs besides it (shape and granularity give the group partition). Bit layout:
//   entryCount (32) | [min, max as float32 bits (64) when valueBits < 32] |
//   entryCount × ( gap (indexBits) | size(group) × value (valueBits) )
// gap = group − previousGroup − 1 (previous = −1 before the first entry). A gap run longer than 2^b − 1 is
// bridged by filler entries of gap 2^b − 1 whose values are all zero codes (a filler lands on a pruned group
// and costs the same as a kept one: index + size·value bits).
namespace Topiary.Compression.Grouped;

/// <summary>An encoded layer of the group-sparse format.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Shape">Weight shape.</param>
/// <param name="Granularity">Name of the granularity that groups the weights.</param>
/// <param name="ValueBits">Bits per value.</param>
/// <param name="IndexBits">Bits per relative index.</param>
/// <param name="KeptGroups">Groups stored with values.</param>
/// <param name="Fillers">Filler entries.</param>
/// <param name="BitLength">Exact length of the stream in bits (the last byte may be partial).</param>
/// <param name="Data">The stream, MSB first.</param>
public sealed record GroupEncodedLayer(string Name, int[] Shape, string Granularity, int ValueBits, int IndexBits,
    long KeptGroups, long Fillers, long BitLength, byte[] Data);

/// <summary>A decoded layer: values (zero outside kept groups) and the group-level mask (1 on every weight of a kept group).</summary>
/// <param name="Values">Weights, row-major.</param>
/// <param name="Mask">0/1 mask, row-major.</param>
public sealed record GroupDecodedLayer(float[] Values, float[] Mask);
