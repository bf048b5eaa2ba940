using System.Buffers.Binary;
using System.IO.Hashing;
using Topiary.Compression.Container;
using Topiary.Tensors;

namespace Topiary.Tests.Compression.Container;

public class TpzContainerTests
{
    private static IReadOnlyList<TpzSection> Sample() =>
    [
        new(TpzSectionKind.Metadata, "metadata", "{\"model\":\"lenet-5\"}"u8.ToArray()),
        new(TpzSectionKind.DenseTensor, "fc1.bias", DenseTensorCodec.Encode(new Tensor([1.5f, -0f, float.NaN, 3e-39f], 2, 2))),
        new(TpzSectionKind.QuantizedLayer, "fc1.weight", [1, 2, 3, 4, 5]),
    ];

    [Fact]
    public void Sections_round_trip_bit_exactly()
    {
        var bytes = TpzContainer.ToBytes(Sample());
        var back = TpzContainer.Parse(bytes, "x.tpz");
        Assert.Equal(Sample().Select(s => (s.Kind, s.Name)), back.Select(s => (s.Kind, s.Name)));
        Assert.Equal(Sample().Select(s => s.Payload), back.Select(s => s.Payload));
        var t = DenseTensorCodec.Decode(back[1].Payload, "x");
        Assert.Equal(new[] { 2, 2 }, t.Shape.ToArray());
        Assert.Equal(new Tensor([1.5f, -0f, float.NaN, 3e-39f], 2, 2).Data.Select(BitConverter.SingleToInt32Bits), t.Data.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Every_truncation_is_rejected_with_InvalidDataException()
    {
        var bytes = TpzContainer.ToBytes(Sample());
        for (int n = 0; n < bytes.Length; n++)
        {
            var ex = Assert.Throws<InvalidDataException>(() => TpzContainer.Parse(bytes.AsSpan(0, n), "cut.tpz"));
            Assert.Contains("cut.tpz", ex.Message);
        }
        Assert.Throws<InvalidDataException>(() => TpzContainer.Parse([.. bytes, 0], "long.tpz"));
    }

    [Fact]
    public void Every_single_bit_flip_is_detected()
    {
        var bytes = TpzContainer.ToBytes(Sample());
        for (int bit = 0; bit < bytes.Length * 8; bit++)
        {
            var copy = (byte[])bytes.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<InvalidDataException>(() => TpzContainer.Parse(copy, "flip.tpz"));
        }
    }

    [Fact]
    public void Version_mismatch_and_wrong_magic_are_named()
    {
        var bytes = TpzContainer.ToBytes(Sample());
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), Crc32.HashToUInt32(bytes.AsSpan(0, 12)));
        Assert.Contains("version 2", Assert.Throws<InvalidDataException>(() => TpzContainer.Parse(bytes, "v.tpz")).Message);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => TpzContainer.Parse("PK\u0003\u0004aaaaaaaaaaaaaaaa"u8, "zip.tpz")).Message);
    }

    [Fact]
    public void Declared_sizes_beyond_the_file_are_rejected_before_allocating()
    {
        var bytes = TpzContainer.ToBytes([]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), Crc32.HashToUInt32(bytes.AsSpan(0, 12)));
        Assert.Contains("sections", Assert.Throws<InvalidDataException>(() => TpzContainer.Parse(bytes, "n.tpz")).Message);

        // A dense tensor whose dims claim 2^30 floats but carries 4 bytes.
        var w = new PayloadWriter().U8(1).U32(1 << 29).Floats([1f]).ToArray();
        Assert.Throws<InvalidDataException>(() => DenseTensorCodec.Decode(w, "d"));
        var deep = new PayloadWriter().U8(200).ToArray();
        Assert.Contains("rank", Assert.Throws<InvalidDataException>(() => DenseTensorCodec.Decode(deep, "d")).Message);
    }
}
