// BitReader: MSB-first bit reading over untrusted bytes (the read side of BitWriter).
// Contract: stream bit k is bit 7 - (k % 8) of byte k / 8. The readable length is BitLength (by default
// all bytes × 8; a caller that stored an exact bit count may pass it). Read/ReadBit/Skip past BitLength
// throw InvalidDataException naming the bit and byte offset; Peek never throws for data reasons and
// reads bits past the end as zero. The reader never writes to, and never reads outside, the given bytes.
// Not thread-safe (it has a position); the data is not copied except by the ReadOnlySpan constructor.
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Topiary.Compression.Codecs;

/// <summary>
/// Reads bits most-significant-first from a byte buffer (the read side of <see cref="BitWriter"/>). Reading past
/// the end throws <see cref="InvalidDataException"/>.
/// </summary>
public sealed class BitReader
{
    private readonly byte[] _data;
    private readonly int _offset;      // first byte of the stream in _data
    private readonly int _byteLength;  // ceil(_bitLength / 8) bytes of _data belong to the stream
    private readonly long _bitLength;
    private long _position;

    /// <summary>Reads all bits of <paramref name="data"/> (not copied).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    public BitReader(byte[] data)
        : this(new ReadOnlyMemory<byte>(data ?? throw new ArgumentNullException(nameof(data))))
    {
    }

    /// <summary>Reads all bits of <paramref name="data"/> (copied once: a span cannot be stored).</summary>
    public BitReader(ReadOnlySpan<byte> data)
        : this(new ReadOnlyMemory<byte>(data.ToArray()))
    {
    }

    /// <summary>Reads all bits of <paramref name="data"/> (not copied when array-backed).</summary>
    public BitReader(ReadOnlyMemory<byte> data)
        : this(data, (long)data.Length * 8)
    {
    }

    /// <summary>Reads the first <paramref name="bitLength"/> bits of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bitLength"/> is negative or exceeds
    /// <c>data.Length × 8</c>.</exception>
    public BitReader(ReadOnlyMemory<byte> data, long bitLength)
    {
        if (bitLength < 0 || bitLength > (long)data.Length * 8)
            throw new ArgumentOutOfRangeException(nameof(bitLength), bitLength, $"Must be 0..{(long)data.Length * 8} for {data.Length} bytes.");
        if (MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment) && segment.Array is not null)
        {
            _data = segment.Array;
            _offset = segment.Offset;
        }
        else
        {
            _data = data.ToArray();
            _offset = 0;
        }
        _bitLength = bitLength;
        _byteLength = (int)((bitLength + 7) >> 3);
    }

    /// <summary>Number of readable bits.</summary>
    public long BitLength => _bitLength;

    /// <summary>Current bit offset from the start of the stream, 0..<see cref="BitLength"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside 0..<see cref="BitLength"/>.</exception>
    public long Position
    {
        get => _position;
        set
        {
            if (value < 0 || value > _bitLength)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Position must be 0..{_bitLength}.");
            _position = value;
        }
    }

    /// <summary>Bits left to read: <c>BitLength - Position</c>.</summary>
    public long RemainingBits => _bitLength - _position;

    /// <summary>Reads <paramref name="bits"/> bits (0..32) as an unsigned value, first bit most significant.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is outside 0..32.</exception>
    /// <exception cref="InvalidDataException">Fewer than <paramref name="bits"/> bits remain; the position is unchanged.</exception>
    public uint Read(int bits)
    {
        uint value = Peek(bits);
        if (bits > RemainingBits)
            throw Truncated(bits);
        _position += bits;
        return value;
    }

    /// <summary>Reads one bit (<c>true</c> = 1).</summary>
    /// <exception cref="InvalidDataException">No bit remains.</exception>
    public bool ReadBit() => Read(1) != 0;

    /// <summary>
    /// Returns the next <paramref name="bits"/> bits (0..32) without consuming them; bits beyond
    /// <see cref="BitLength"/> read as zero (never throws for short data).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is outside 0..32.</exception>
    public uint Peek(int bits)
    {
        if ((uint)bits > 32)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "Bit width must be 0..32.");
        if (bits == 0)
            return 0;
        long available = _bitLength - _position;
        if (available <= 0)
            return 0;
        // 64 bits from the byte holding _position; after dropping up to 7 leading bits, ≥ 57 remain.
        ulong word = Load64(_position >> 3) << (int)(_position & 7);
        uint value = (uint)(word >> (64 - bits));
        if (available < bits)
            value &= ~((1u << (bits - (int)available)) - 1); // bits - available ≤ 31
        return value;
    }

    /// <summary>Advances the position by <paramref name="bits"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is negative.</exception>
    /// <exception cref="InvalidDataException">Fewer than <paramref name="bits"/> bits remain; the position is unchanged.</exception>
    public void Skip(long bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        if (bits > RemainingBits)
            throw Truncated(bits);
        _position += bits;
    }

    /// <summary>Skips to the next byte boundary (pad bits are not checked).</summary>
    /// <exception cref="InvalidDataException">The boundary lies past <see cref="BitLength"/>.</exception>
    public void AlignToByte() => Skip((8 - (_position & 7)) & 7);

    /// <summary>
    /// Reads an Elias-gamma code (see <see cref="BitWriter.WriteEliasGamma"/>): N zero bits, a one bit, N more bits.
    /// </summary>
    /// <param name="maxValue">Largest acceptable value.</param>
    /// <returns>The value, 1..<paramref name="maxValue"/>.</returns>
    /// <exception cref="InvalidDataException">The code is truncated, has more than 31 leading zeros, or its value
    /// exceeds <paramref name="maxValue"/>.</exception>
    public uint ReadEliasGamma(uint maxValue)
    {
        long start = _position;
        int zeros = 0;
        while (true)
        {
            if (_position >= _bitLength)
                throw new InvalidDataException($"Elias-gamma code at bit offset {start} (byte {start >> 3}) is truncated: the stream ends at bit {_bitLength}.");
            if (ReadBit())
                break;
            if (++zeros > 31)
                throw new InvalidDataException($"Elias-gamma code at bit offset {start} (byte {start >> 3}) has more than 31 leading zeros.");
        }
        uint value = zeros == 0 ? 1u : (1u << zeros) | Read(zeros);
        if (value > maxValue)
            throw new InvalidDataException($"Elias-gamma value {value} at bit offset {start} (byte {start >> 3}) exceeds the limit {maxValue}.");
        return value;
    }

    private ulong Load64(long byteIndex)
    {
        if (byteIndex + 8 <= _byteLength)
            return BinaryPrimitives.ReadUInt64BigEndian(_data.AsSpan(_offset + (int)byteIndex, 8));
        ulong word = 0;
        for (int i = 0; i < 8; i++)
        {
            long b = byteIndex + i;
            word = (word << 8) | (b < _byteLength ? _data[_offset + (int)b] : 0u);
        }
        return word;
    }

    private InvalidDataException Truncated(long bits) =>
        new($"Bit stream truncated: reading {bits} bits at bit offset {_position} (byte {_position >> 3}) but only {RemainingBits} of {_bitLength} bits remain.");
}
