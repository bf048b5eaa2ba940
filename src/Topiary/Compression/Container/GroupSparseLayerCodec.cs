// GroupSparseLayerCodec: payload of a GroupSparseLayer section — one layer in Mao et al. 2017's group-sparse
// format (Compression/Grouped, layout in GroupEncodedLayer.cs) framed for the .tpz container:
//   rank u8 | dims u32 × rank            weight shape
//   granularity u8 | parameter u32       0 element, 1 row (filter), 2 vector (parameter = FC segment),
//                                        3 kernel, 4 SIMD group (parameter = width); parameter 0 where unused
//   value_bits u8 | index_bits u8        1..32, 1..30
//   bit_length u32 | stream              the encoder's bit stream, ceil(bit_length / 8) bytes, MSB first
// The stream is GroupSparseEncoder's output byte for byte, so a section's payload is the storage model's bits
// plus this framing (HeaderBytes(rank) + ceil(bits / 8)). The decoder is given the shape the architecture
// expects and checks it, the granularity and the bit widths before allocating anything.
using Topiary.Compression.Grouped;
using Topiary.Pruning;

namespace Topiary.Compression.Container;

/// <summary>Encodes and decodes GroupSparseLayer payloads.</summary>
public static class GroupSparseLayerCodec
{
    private const byte ElementCode = 0, RowCode = 1, VectorCode = 2, KernelCode = 3, SimdCode = 4;

    /// <summary>Framing bytes of a payload for a weight of rank <paramref name="rank"/> (everything but the stream).</summary>
    public static int HeaderBytes(int rank) => 1 + 4 * rank + 1 + 4 + 1 + 1 + 4;

    /// <summary>The payload for an encoded layer.</summary>
    /// <exception cref="ArgumentException">The layer's granularity cannot be stored (not element/row/vector/kernel/SIMD group).</exception>
    public static byte[] Encode(GroupEncodedLayer layer, IGranularity granularity)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(granularity);
        if (granularity.Name != layer.Granularity)
            throw new ArgumentException($"Layer '{layer.Name}' was encoded at granularity '{layer.Granularity}', not '{granularity.Name}'.", nameof(granularity));
        var (code, parameter) = CodeOf(granularity);
        var w = new PayloadWriter().Shape(layer.Shape);
        w.U8(code).U32(parameter).U8(layer.ValueBits).U8(layer.IndexBits).U32(layer.BitLength);
        return w.Bytes(layer.Data.AsSpan(0, checked((int)((layer.BitLength + 7) / 8)))).ToArray();
    }

    /// <summary>Decodes a payload into weights and group mask; <paramref name="where"/> names file and section in errors.</summary>
    /// <param name="payload">The section payload.</param>
    /// <param name="expectedShape">The architecture's shape of this parameter.</param>
    /// <param name="where">Error-message prefix.</param>
    /// <returns>The decoded layer and the granularity its groups follow.</returns>
    /// <exception cref="InvalidDataException">Shape mismatch, unknown granularity, bad bit widths, truncated or inconsistent stream.</exception>
    public static (GroupDecodedLayer Layer, IGranularity Granularity) Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<int> expectedShape, string where)
    {
        var r = new PayloadReader(payload, where);
        var shape = DenseTensorCodec.ReadShape(ref r, expectedShape);
        byte code = r.U8("granularity");
        uint parameter = r.U32("granularity parameter");
        var granularity = GranularityOf(code, parameter, ref r);
        int valueBits = r.U8("value_bits"), indexBits = r.U8("index_bits");
        if (valueBits is < 1 or > 32) throw r.Error($"value_bits is {valueBits}; expected 1..32");
        if (indexBits is < 1 or > Codecs.RelativeIndexCodec.MaxIndexBits) throw r.Error($"index_bits is {indexBits}; expected 1..{Codecs.RelativeIndexCodec.MaxIndexBits}");
        uint bitLength = r.U32("bit_length");
        long bytes = (bitLength + 7L) / 8;
        if (bytes != r.Remaining) throw r.Error($"bit_length {bitLength} needs {bytes} stream bytes; the section holds {r.Remaining}");
        byte[] data = r.Bytes((int)bytes, "stream").ToArray();
        r.End();
        try
        {
            var encoded = new GroupEncodedLayer(where, shape, granularity.Name, valueBits, indexBits, 0, 0, bitLength, data);
            return (GroupSparseDecoder.Decode(encoded, granularity), granularity);
        }
        catch (ArgumentException e)
        {
            throw r.Error($"the group-sparse stream cannot be decoded at granularity '{granularity.Name}' for shape {Tensors.Tensor.ShapeString(shape)}: {e.Message}");
        }
    }

    private static (byte Code, uint Parameter) CodeOf(IGranularity g) => g switch
    {
        ElementGranularity => (ElementCode, 0),
        RowGranularity => (RowCode, 0),
        TrailingGranularity { TrailingAxes: 1 } t => (VectorCode, (uint)t.FcSegment),
        TrailingGranularity { TrailingAxes: 2 } => (KernelCode, 0),
        SimdGroupGranularity s => (SimdCode, (uint)s.Width),
        _ => throw new ArgumentException($"Granularity '{g.Name}' has no group-sparse container code (element, row, vector, kernel, simd only).", nameof(g)),
    };

    private static IGranularity GranularityOf(byte code, uint parameter, ref PayloadReader r)
    {
        const uint maxParameter = 1 << 20;
        if (code > SimdCode) throw r.Error($"unknown granularity code {code} (0 element, 1 row, 2 vector, 3 kernel, 4 simd)");
        bool needsParameter = code is VectorCode or SimdCode;
        if (needsParameter && parameter is 0 or > maxParameter) throw r.Error($"granularity {code} parameter is {parameter}; expected 1..{maxParameter}");
        if (!needsParameter && parameter != 0) throw r.Error($"granularity {code} takes no parameter; got {parameter}");
        return code switch
        {
            ElementCode => ElementGranularity.Instance,
            RowCode => RowGranularity.Instance,
            VectorCode => TrailingGranularity.Vector((int)parameter),
            KernelCode => TrailingGranularity.Kernel,
            _ => new SimdGroupGranularity((int)parameter),
        };
    }
}
