// BitWriter: MSB-first bit packing into a growable byte buffer.
// Contract: bits are appended most-significant-bit first. Stream bit k lives in byte k / 8 at bit
// position 7 - (k % 8), i.e. the first bit written is the MSB of byte 0. ToArray pads the final partial
// byte with zero bits on the right (least-significant side). Write(value, bits) appends the low `bits`
// bits of `value`, its most significant of those first; `value` must fit in `bits` bits.
// Deterministic; the only allocations are the doubling buffer and the ToArray copy. The stream is
// limited to Array.MaxLength bytes (InvalidOperationException beyond that).
namespace Topiary.Compression.Codecs;

/// <summary>
/// Appends bits most-significant-first to a growable byte buffer (the write side of <see cref="BitReader"/>).
/// </summary>
/// <remarks>
/// Bit <c>k</c> of the stream is stored in byte <c>k / 8</c> at bit <c>7 - k % 8</c>; the final partial byte
/// is padded with zero bits. A value written with <c>Write(v, n)</c> is read back by <c>Read(n)</c>.
/// </remarks>
public sealed class BitWriter
{
    private byte[] _buffer;
    private int _byteCount;      // complete bytes in _buffer
    private ulong _pending;      // the low _pendingBits bits are written but not yet a complete byte
    private int _pendingBits;    // 0..7 between calls

    /// <summary>Creates an empty writer.</summary>
    /// <param name="initialCapacityBytes">Initial buffer size in bytes; the buffer doubles as needed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCapacityBytes"/> is negative.</exception>
    public BitWriter(int initialCapacityBytes = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacityBytes);
        _buffer = initialCapacityBytes == 0 ? [] : new byte[initialCapacityBytes];
    }

    /// <summary>Number of bits written so far.</summary>
    public long BitLength => (long)_byteCount * 8 + _pendingBits;

    /// <summary>Number of bytes <see cref="ToArray"/> returns: <c>ceil(BitLength / 8)</c>.</summary>
    public int ByteLength => _byteCount + (_pendingBits > 0 ? 1 : 0);

    /// <summary>Appends the low <paramref name="bits"/> bits of <paramref name="value"/>, most significant first.</summary>
    /// <param name="value">The value; must be below <c>2^bits</c>.</param>
    /// <param name="bits">Width in bits, 0..32. Zero writes nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is outside 0..32, or
    /// <paramref name="value"/> does not fit in <paramref name="bits"/> bits.</exception>
    /// <exception cref="InvalidOperationException">The stream would exceed <see cref="Array.MaxLength"/> bytes.</exception>
    public void Write(uint value, int bits)
    {
        if ((uint)bits > 32)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "Bit width must be 0..32.");
        if (bits < 32 && (value >> bits) != 0)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Value does not fit in {bits} bits.");
        if (bits == 0)
            return;
        EnsureCapacity(5);
        _pending = (_pending << bits) | value; // < 8 pending + 32 new bits: fits in 64
        _pendingBits += bits;
        while (_pendingBits >= 8)
        {
            _pendingBits -= 8;
            _buffer[_byteCount++] = (byte)(_pending >> _pendingBits);
        }
        _pending &= (1UL << _pendingBits) - 1;
    }

    /// <summary>Appends one bit (<c>true</c> = 1).</summary>
    /// <exception cref="InvalidOperationException">The stream would exceed <see cref="Array.MaxLength"/> bytes.</exception>
    public void WriteBit(bool bit) => Write(bit ? 1u : 0u, 1);

    /// <summary>
    /// Appends <paramref name="value"/> (≥ 1) in Elias-gamma code: <c>N = floor(log2 value)</c> zero bits, then
    /// <paramref name="value"/> in <c>N + 1</c> bits (whose leading bit is 1). Total <c>2N + 1</c> bits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is zero.</exception>
    public void WriteEliasGamma(uint value)
    {
        if (value == 0)
            throw new ArgumentOutOfRangeException(nameof(value), value, "Elias-gamma codes values ≥ 1.");
        int n = 31 - System.Numerics.BitOperations.LeadingZeroCount(value);
        Write(0, n);
        Write(value, n + 1);
    }

    /// <summary>Size in bits of <paramref name="value"/> (≥ 1) in Elias-gamma code: <c>2·floor(log2 value) + 1</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is zero.</exception>
    public static int EliasGammaBits(uint value)
    {
        if (value == 0)
            throw new ArgumentOutOfRangeException(nameof(value), value, "Elias-gamma codes values ≥ 1.");
        return 2 * (31 - System.Numerics.BitOperations.LeadingZeroCount(value)) + 1;
    }

    /// <summary>Appends zero bits up to the next byte boundary (nothing when already aligned).</summary>
    public void AlignToByte()
    {
        if (_pendingBits > 0)
            Write(0, 8 - _pendingBits);
    }

    /// <summary>Forgets everything written; keeps the buffer.</summary>
    public void Clear()
    {
        _byteCount = 0;
        _pending = 0;
        _pendingBits = 0;
    }

    /// <summary>The written bits as <c>ceil(BitLength / 8)</c> bytes; the last partial byte is zero-padded on the right.</summary>
    public byte[] ToArray()
    {
        var result = new byte[ByteLength];
        _buffer.AsSpan(0, _byteCount).CopyTo(result);
        if (_pendingBits > 0)
            result[_byteCount] = (byte)(_pending << (8 - _pendingBits));
        return result;
    }

    private void EnsureCapacity(int extraBytes)
    {
        if (_byteCount + extraBytes <= _buffer.Length)
            return;
        long needed = (long)_byteCount + extraBytes;
        if (needed > Array.MaxLength)
            throw new InvalidOperationException($"Bit stream would exceed the maximum of {Array.MaxLength} bytes.");
        long grown = Math.Max(needed, Math.Max(64L, (long)_buffer.Length * 2));
        Array.Resize(ref _buffer, (int)Math.Min(grown, Array.MaxLength));
    }
}
