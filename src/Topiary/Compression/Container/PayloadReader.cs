// PayloadReader / PayloadWriter: little-endian primitives inside one section payload. The reader checks
// every read against the payload's end and every declared element count against the bytes left, so a
// corrupt count can never cause a large allocation; errors name the section and the field.
using System.Buffers.Binary;

namespace Topiary.Compression.Container;

/// <summary>Bounded little-endian reader over one section payload.</summary>
public ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _where;

    /// <summary>Reads <paramref name="data"/>; <paramref name="where"/> prefixes error messages (file and section).</summary>
    public PayloadReader(ReadOnlySpan<byte> data, string where)
    {
        _data = data;
        _where = where;
        Position = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public int Position { get; private set; }

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _data.Length - Position;

    /// <summary>Reads one byte.</summary>
    public byte U8(string field) => Take(1, field)[0];

    /// <summary>Reads a u16.</summary>
    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    /// <summary>Reads a u32.</summary>
    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    /// <summary>Reads a u32 that must be at most <paramref name="max"/>.</summary>
    public int Count(string field, long max)
    {
        uint v = U32(field);
        if (v > max) throw Error($"{field} is {v}, more than the {max} the remaining data allows");
        return (int)v;
    }

    /// <summary>Reads <paramref name="count"/> float32 values (count checked against the bytes left first).</summary>
    public float[] Floats(int count, string field)
    {
        if (count < 0 || (long)count * 4 > Remaining) throw Error($"{field}: {count} floats do not fit in the {Remaining} bytes left");
        var bytes = Take(count * 4, field);
        var result = new float[count];
        for (int i = 0; i < count; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        return result;
    }

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> Bytes(int count, string field) => Take(count, field);

    /// <summary>Throws unless the whole payload was consumed.</summary>
    public readonly void End()
    {
        if (Remaining != 0) throw Error($"{Remaining} unexpected trailing bytes");
    }

    /// <summary>An InvalidDataException naming the file, section and problem.</summary>
    public readonly InvalidDataException Error(string message) => new($"{_where}: {message}.");

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining) throw Error($"truncated while reading {field} (needs {count} bytes, {Remaining} left)");
        var s = _data.Slice(Position, count);
        Position += count;
        return s;
    }
}

/// <summary>Little-endian writer for one section payload.</summary>
public sealed class PayloadWriter
{
    private readonly MemoryStream _ms = new();

    /// <summary>Writes one byte.</summary>
    public PayloadWriter U8(int v) { _ms.WriteByte(checked((byte)v)); return this; }

    /// <summary>Writes a u16.</summary>
    public PayloadWriter U16(int v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, checked((ushort)v)); _ms.Write(b); return this; }

    /// <summary>Writes a u32.</summary>
    public PayloadWriter U32(long v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, checked((uint)v)); _ms.Write(b); return this; }

    /// <summary>Writes a shape: rank u8, then each dimension as u32 (read back by DenseTensorCodec.ReadShape).</summary>
    public PayloadWriter Shape(ReadOnlySpan<int> shape)
    {
        U8(shape.Length);
        foreach (int d in shape) U32(d);
        return this;
    }

    /// <summary>Writes float32 values.</summary>
    public PayloadWriter Floats(ReadOnlySpan<float> values)
    {
        Span<byte> b = stackalloc byte[4];
        foreach (float v in values) { BinaryPrimitives.WriteSingleLittleEndian(b, v); _ms.Write(b); }
        return this;
    }

    /// <summary>Writes raw bytes.</summary>
    public PayloadWriter Bytes(ReadOnlySpan<byte> bytes) { _ms.Write(bytes); return this; }

    /// <summary>The payload.</summary>
    public byte[] ToArray() => _ms.ToArray();
}
