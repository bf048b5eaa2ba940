// GroupCodingOptions: the bit widths of the group-sparse format — valueBits per stored weight (32 = raw
// float32; 1..31 = a linear quantiser's code, LinearValueCode) and indexBits per relative group index.
namespace Topiary.Compression.Grouped;

/// <summary>Bit widths of the group-sparse format.</summary>
public sealed record GroupCodingOptions
{
    /// <summary>Creates options.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="valueBits"/> outside 1..32 or <paramref name="indexBits"/> outside 1..30.</exception>
    public GroupCodingOptions(int valueBits = 32, int indexBits = 4)
    {
        if (valueBits is < 1 or > 32) throw new ArgumentOutOfRangeException(nameof(valueBits), valueBits, "Value bits must be 1..32.");
        if (indexBits is < 1 or > Codecs.RelativeIndexCodec.MaxIndexBits)
            throw new ArgumentOutOfRangeException(nameof(indexBits), indexBits, $"Index bits must be 1..{Codecs.RelativeIndexCodec.MaxIndexBits}.");
        ValueBits = valueBits;
        IndexBits = indexBits;
    }

    /// <summary>Bits per stored value (32 = float32 bit pattern).</summary>
    public int ValueBits { get; }

    /// <summary>Bits per relative index (gap in groups).</summary>
    public int IndexBits { get; }

    /// <summary>Layer header: entry count (32 bits), plus the quantiser's min and max as float32 when <see cref="ValueBits"/> &lt; 32.</summary>
    public int HeaderBits => 32 + (ValueBits < 32 ? 64 : 0);
}
