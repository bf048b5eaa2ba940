using Topiary.Compression.Codecs;

namespace Topiary.Tests.Compression.Codecs;

public class BitIoTests
{
    [Fact]
    public void Every_width_round_trips_at_every_alignment()
    {
        var rng = new Random(1);
        for (int align = 0; align < 8; align++)
        {
            for (int width = 0; width <= 32; width++)
            {
                var writer = new BitWriter(0);
                writer.Write(0, align);
                var values = new uint[5];
                for (int i = 0; i < values.Length; i++)
                {
                    ulong v = (ulong)rng.NextInt64() & ((1UL << width) - 1);
                    if (i == 0) v = (1UL << width) - 1; // all ones
                    if (i == 1) v = 0;
                    values[i] = (uint)v;
                    writer.Write(values[i], width);
                }
                writer.WriteBit(true);
                Assert.Equal(align + 5L * width + 1, writer.BitLength);
                byte[] bytes = writer.ToArray();
                Assert.Equal((int)((writer.BitLength + 7) / 8), bytes.Length);

                var reader = new BitReader(bytes);
                Assert.Equal(0u, reader.Read(align));
                foreach (uint expected in values)
                    Assert.Equal(expected, reader.Read(width));
                Assert.True(reader.ReadBit());
                Assert.Equal(writer.BitLength, reader.Position);
                Assert.True(reader.RemainingBits < 8);
                Assert.Equal(0u, reader.Read((int)reader.RemainingBits)); // zero padding
                Assert.Throws<InvalidDataException>(() => reader.Read(1));
            }
        }
    }

    [Fact]
    public void Layout_is_msb_first()
    {
        var writer = new BitWriter();
        writer.WriteBit(true);
        writer.Write(0b01, 2);
        writer.Write(0xABC, 12);
        // 1 01 1010 1011 1100 (15 bits) + 1 pad bit → 1011 0101 0111 1000
        Assert.Equal(new byte[] { 0xB5, 0x78 }, writer.ToArray());
    }

    [Fact]
    public void Align_peek_skip_and_position()
    {
        var writer = new BitWriter();
        writer.Write(5, 3);
        writer.AlignToByte();
        Assert.Equal(8, writer.BitLength);
        writer.AlignToByte();
        Assert.Equal(8, writer.BitLength);
        writer.Write(0xFF, 8);
        var reader = new BitReader(writer.ToArray());
        Assert.Equal(5u, reader.Peek(3));
        Assert.Equal(0u, reader.Position);
        reader.Skip(3);
        reader.AlignToByte();
        Assert.Equal(8, reader.Position);
        Assert.Equal(0xFFu, reader.Peek(8));
        Assert.Equal(0xFF00u, reader.Peek(16)); // past the end reads as zero
        reader.Position = 12;
        Assert.Equal(0xFu, reader.Read(4));
        Assert.Throws<InvalidDataException>(() => reader.Skip(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Position = 17);
    }

    [Fact]
    public void Exact_bit_length_hides_the_padding()
    {
        var reader = new BitReader(new byte[] { 0xFF, 0xFF }, 11);
        Assert.Equal(11, reader.BitLength);
        Assert.Equal(0xFFu, reader.Read(8));
        Assert.Equal(0b1110u, reader.Peek(4)); // bit 11 is past the end: reads as zero
        var ex = Assert.Throws<InvalidDataException>(() => reader.Read(4));
        Assert.Contains("bit offset 8", ex.Message, StringComparison.Ordinal);
        Assert.Equal(8, reader.Position);
        Assert.Equal(0b111u, reader.Read(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BitReader(new byte[1], 9));
    }

    [Fact]
    public void Span_and_memory_constructors_read_the_same_bits()
    {
        byte[] data = [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x11];
        var a = new BitReader(data.AsSpan(1, 7));
        var b = new BitReader(new ReadOnlyMemory<byte>(data, 1, 7));
        Assert.Equal(0x3456789Au, a.Read(32));
        Assert.Equal(0x3456789Au, b.Read(32));
        Assert.Equal(0xBCDEF0u, b.Read(24));
        Assert.Throws<InvalidDataException>(() => b.Read(1)); // never reads data[8]
    }

    [Fact]
    public void Misuse_is_argument_exception()
    {
        var writer = new BitWriter();
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(0, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(1, 0));
        var reader = new BitReader(new byte[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Read(33));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Read(-1));
    }

    [Fact]
    public void Elias_gamma_round_trips_and_rejects_corruption()
    {
        uint[] values = [1, 2, 3, 4, 7, 8, 255, 256, 65535, 1u << 31, uint.MaxValue];
        var writer = new BitWriter();
        foreach (uint v in values)
            writer.WriteEliasGamma(v);
        long expectedBits = values.Sum(v => (long)BitWriter.EliasGammaBits(v));
        Assert.Equal(expectedBits, writer.BitLength);
        var reader = new BitReader(writer.ToArray());
        foreach (uint v in values)
            Assert.Equal(v, reader.ReadEliasGamma(uint.MaxValue));

        Assert.Throws<InvalidDataException>(() => new BitReader(new byte[8]).ReadEliasGamma(uint.MaxValue)); // 32+ zeros
        Assert.Throws<InvalidDataException>(() => new BitReader(new byte[] { 0x00 }).ReadEliasGamma(uint.MaxValue)); // truncated
        Assert.Throws<InvalidDataException>(() => new BitReader(new byte[] { 0b0000_1000 }).ReadEliasGamma(uint.MaxValue)); // value bits cut
        Assert.Throws<InvalidDataException>(() => new BitReader(new byte[] { 0b0111_0000 }).ReadEliasGamma(2)); // 3 > 2
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteEliasGamma(0));
    }
}
