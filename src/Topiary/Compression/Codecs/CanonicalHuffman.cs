// CanonicalHuffman: a length-limited canonical prefix code over the alphabet 0..AlphabetSize-1.
// Contract:
//  - A code is defined entirely by its code-length table (0 = symbol unused). Valid tables: no used
//    symbol (empty code); exactly one used symbol with length 1 (its code is the single bit 0; the
//    pattern 1 is invalid); or ≥ 2 used symbols whose lengths satisfy Kraft with equality (complete code).
//    All lengths ≤ MaxSupportedCodeLength (31).
//  - Canonical assignment: used symbols sorted by (length, symbol); the first gets the all-zero code of its
//    length; each next code is (previous + 1) << (its length − previous length). So codes are ordered
//    by length, then by symbol value — bit-exact and independent of how the lengths were found.
//  - Codes are written MSB-first with BitWriter.Write(code, length).
//  - Decode is table-driven (a 2^min(10, maxLength) lookup for short codes, then a first-code-per-length
//    search for long ones); it consumes exactly the bits of the decoded symbols and throws
//    InvalidDataException for a bit pattern that is no code or a code cut off by the end of the stream.
//  - Instances are immutable and thread-safe; Encode/Decode allocate nothing.
// Build (frequencies → lengths) is in CanonicalHuffman.Build.cs; the table format in CanonicalHuffman.Table.cs.
namespace Topiary.Compression.Codecs;

/// <summary>
/// A canonical, length-limited Huffman code (Deep Compression stage 3): optimal code lengths for given symbol
/// frequencies, canonical code assignment, bit-exact encoding and table-driven decoding, and a compact
/// serialisation of the code-length table.
/// </summary>
/// <remarks>
/// <para>Codes are canonical: used symbols sorted by (length, symbol) receive consecutive code values, the first
/// being all zeros, shifting left whenever the length grows. A code with a single used symbol gives it the
/// one-bit code <c>0</c>; a code with no used symbol can only encode and decode empty sequences.</para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed partial class CanonicalHuffman
{
    /// <summary>Default limit on code lengths (Deep Compression's alphabets need far fewer bits).</summary>
    public const int DefaultMaxCodeLength = 24;

    /// <summary>Largest code length this implementation supports (the table stores lengths in 5 bits).</summary>
    public const int MaxSupportedCodeLength = 31;

    /// <summary>Largest alphabet size this implementation supports (2^24 symbols).</summary>
    public const int MaxSupportedAlphabetSize = 1 << 24;

    private const int LookupBitsLimit = 10;

    private readonly byte[] _lengths;        // per symbol, 0 = unused
    private readonly uint[] _codes;          // per symbol, valid when _lengths[s] > 0
    private readonly int _usedCount;
    private readonly int _maxLength;         // longest code in use, 0 when none

    // Decoding: canonical first code, count and first sorted index per length; symbols sorted by (length, symbol).
    private readonly uint[] _firstCode = new uint[MaxSupportedCodeLength + 1];
    private readonly int[] _countPerLength = new int[MaxSupportedCodeLength + 1];
    private readonly int[] _firstIndex = new int[MaxSupportedCodeLength + 1];
    private readonly int[] _sortedSymbols;
    private readonly int _lookupBits;        // min(_maxLength, LookupBitsLimit)
    private readonly int[] _lookup;          // (symbol << 5) | length for codes of length ≤ _lookupBits, else -1

    /// <summary>Builds the code from an already validated length table (the array is owned by the instance).</summary>
    private CanonicalHuffman(byte[] lengths)
    {
        _lengths = lengths;
        _codes = new uint[lengths.Length];
        foreach (byte l in lengths)
        {
            if (l == 0)
                continue;
            _usedCount++;
            _countPerLength[l]++;
            _maxLength = Math.Max(_maxLength, l);
        }

        // Canonical first codes and the (length, symbol) order.
        ulong code = 0;
        int index = 0;
        for (int len = 1; len <= MaxSupportedCodeLength; len++)
        {
            code = (code + (ulong)_countPerLength[len - 1]) << 1;
            _firstCode[len] = (uint)code;
            _firstIndex[len] = index;
            index += _countPerLength[len];
        }
        _sortedSymbols = new int[_usedCount];
        Span<int> next = stackalloc int[MaxSupportedCodeLength + 1];
        _firstIndex.CopyTo(next);
        for (int s = 0; s < lengths.Length; s++)
        {
            int l = lengths[s];
            if (l == 0)
                continue;
            int k = next[l]++;
            _sortedSymbols[k] = s;
            _codes[s] = _firstCode[l] + (uint)(k - _firstIndex[l]);
        }

        _lookupBits = Math.Min(_maxLength, LookupBitsLimit);
        _lookup = new int[1 << _lookupBits];
        _lookup.AsSpan().Fill(-1);
        for (int s = 0; s < lengths.Length; s++)
        {
            int l = lengths[s];
            if (l == 0 || l > _lookupBits)
                continue;
            int shift = _lookupBits - l;
            _lookup.AsSpan((int)(_codes[s] << shift), 1 << shift).Fill((s << 5) | l);
        }
    }

    /// <summary>Number of symbols in the alphabet (used or not).</summary>
    public int AlphabetSize => _lengths.Length;

    /// <summary>Number of symbols that have a code.</summary>
    public int UsedSymbolCount => _usedCount;

    /// <summary>Length of the longest code in use (0 when no symbol is used).</summary>
    public int MaxLength => _maxLength;

    /// <summary>Code length of every symbol (0 = no code).</summary>
    public ReadOnlySpan<byte> CodeLengths => _lengths;

    /// <summary>Code length of <paramref name="symbol"/> in bits (0 = no code).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="symbol"/> is outside the alphabet.</exception>
    public int GetCodeLength(int symbol)
    {
        CheckSymbol(symbol);
        return _lengths[symbol];
    }

    /// <summary>The canonical code of <paramref name="symbol"/>: its low <see cref="GetCodeLength"/> bits, written MSB-first.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="symbol"/> is outside the alphabet.</exception>
    /// <exception cref="ArgumentException"><paramref name="symbol"/> has no code.</exception>
    public uint GetCode(int symbol)
    {
        CheckSymbol(symbol);
        if (_lengths[symbol] == 0)
            throw new ArgumentException($"Symbol {symbol} has no code (zero frequency).", nameof(symbol));
        return _codes[symbol];
    }

    /// <summary>Builds the optimal code (length-limited) for <paramref name="frequencies"/>.</summary>
    /// <param name="frequencies">Occurrence count of every symbol of the alphabet; its length is the alphabet size.</param>
    /// <param name="maxCodeLength">Longest allowed code, 1..<see cref="MaxSupportedCodeLength"/>.</param>
    /// <exception cref="ArgumentException">See <see cref="BuildCodeLengths"/>.</exception>
    public static CanonicalHuffman FromFrequencies(ReadOnlySpan<long> frequencies, int maxCodeLength = DefaultMaxCodeLength) =>
        new(BuildCodeLengths(frequencies, maxCodeLength));

    /// <summary>Builds the canonical code for a code-length table (0 = unused symbol).</summary>
    /// <param name="lengths">Length of every symbol's code; its length is the alphabet size.</param>
    /// <param name="maxCodeLength">Longest allowed code, 1..<see cref="MaxSupportedCodeLength"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCodeLength"/> is out of range, or the alphabet
    /// exceeds <see cref="MaxSupportedAlphabetSize"/>.</exception>
    /// <exception cref="ArgumentException">The table is invalid: a length above <paramref name="maxCodeLength"/>, an
    /// over-subscribed or incomplete code, or a single used symbol whose length is not 1.</exception>
    public static CanonicalHuffman FromCodeLengths(ReadOnlySpan<byte> lengths, int maxCodeLength = DefaultMaxCodeLength)
    {
        CheckMaxCodeLength(maxCodeLength);
        if (lengths.Length > MaxSupportedAlphabetSize)
            throw new ArgumentOutOfRangeException(nameof(lengths), lengths.Length, $"Alphabet size exceeds {MaxSupportedAlphabetSize}.");
        string? error = ValidateLengths(lengths, maxCodeLength);
        if (error is not null)
            throw new ArgumentException($"Invalid code-length table: {error}", nameof(lengths));
        return new CanonicalHuffman(lengths.ToArray());
    }

    /// <summary>Appends the codes of <paramref name="symbols"/> to <paramref name="writer"/>.</summary>
    /// <remarks>All symbols are validated before anything is written.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="ArgumentException">A symbol is outside the alphabet or has no code.</exception>
    public void Encode(ReadOnlySpan<int> symbols, BitWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        byte[] lengths = _lengths;
        for (int i = 0; i < symbols.Length; i++)
        {
            int s = symbols[i];
            if ((uint)s >= (uint)lengths.Length || lengths[s] == 0)
                throw new ArgumentException(
                    $"symbols[{i}] = {s} has no code (alphabet size {lengths.Length}; only symbols with non-zero frequency have codes).",
                    nameof(symbols));
        }
        uint[] codes = _codes;
        foreach (int s in symbols)
            writer.Write(codes[s], lengths[s]);
    }

    /// <summary>
    /// Decodes <paramref name="count"/> symbols from <paramref name="reader"/> into
    /// <c>destination[..count]</c>, consuming exactly their bits.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or exceeds the destination.</exception>
    /// <exception cref="InvalidDataException">The stream holds a bit pattern that is no code of this table, ends inside
    /// a code, or symbols are requested from a code with no used symbol. The message gives the bit offset. Symbols
    /// decoded before the error are left in <paramref name="destination"/>; the reader stops before the bad code.</exception>
    public void Decode(BitReader reader, int count, Span<int> destination)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, destination.Length);
        if (count == 0)
            return;
        if (_usedCount == 0)
            throw new InvalidDataException(
                $"Huffman stream at bit offset {reader.Position} (byte {reader.Position >> 3}): {count} symbols requested but the code table has no used symbol.");

        int maxLength = _maxLength;
        int lookupShift = maxLength - _lookupBits;
        int[] lookup = _lookup;
        for (int i = 0; i < count; i++)
        {
            uint window = reader.Peek(maxLength);
            int entry = lookup[window >> lookupShift];
            int length, symbol;
            if (entry >= 0)
            {
                length = entry & 31;
                symbol = entry >> 5;
            }
            else
            {
                symbol = -1;
                length = 0;
                for (int len = _lookupBits + 1; len <= maxLength; len++)
                {
                    uint offset = (window >> (maxLength - len)) - _firstCode[len];
                    if (offset < (uint)_countPerLength[len])
                    {
                        length = len;
                        symbol = _sortedSymbols[_firstIndex[len] + (int)offset];
                        break;
                    }
                }
                if (symbol < 0)
                {
                    long pos = reader.Position;
                    if (reader.RemainingBits < maxLength)
                        throw new InvalidDataException(
                            $"Huffman stream truncated at bit offset {pos} (byte {pos >> 3}): symbol {i} of {count} needs a code but only {reader.RemainingBits} bits remain, which begin no valid code.");
                    throw new InvalidDataException(
                        $"Huffman stream: the {maxLength}-bit pattern {Convert.ToString(window, 2).PadLeft(maxLength, '0')} at bit offset {pos} (byte {pos >> 3}), symbol {i} of {count}, begins no code in the table.");
                }
            }
            if (length > reader.RemainingBits)
            {
                long pos = reader.Position;
                throw new InvalidDataException(
                    $"Huffman stream truncated at bit offset {pos} (byte {pos >> 3}): symbol {i} of {count} needs a {length}-bit code but only {reader.RemainingBits} bits remain.");
            }
            reader.Skip(length);
            destination[i] = symbol;
        }
    }

    /// <summary>
    /// Exact size in bits of the payload <see cref="Encode"/> writes for symbols with these frequencies:
    /// <c>Σ frequencies[s] · length(s)</c>. The table (<see cref="TableBits"/>) is not included.
    /// </summary>
    /// <param name="frequencies">Occurrence count per symbol; its length must equal <see cref="AlphabetSize"/>.</param>
    /// <exception cref="ArgumentException">The length differs from the alphabet size, a frequency is negative, or a symbol
    /// without a code has a non-zero frequency.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The total does not fit in a <see cref="long"/>.</exception>
    public long EncodedBits(ReadOnlySpan<long> frequencies)
    {
        if (frequencies.Length != _lengths.Length)
            throw new ArgumentException($"Expected {_lengths.Length} frequencies (the alphabet size), got {frequencies.Length}.", nameof(frequencies));
        UInt128 total = 0;
        for (int s = 0; s < frequencies.Length; s++)
        {
            long f = frequencies[s];
            if (f < 0)
                throw new ArgumentException($"frequencies[{s}] = {f} is negative.", nameof(frequencies));
            if (f > 0 && _lengths[s] == 0)
                throw new ArgumentException($"frequencies[{s}] = {f} but symbol {s} has no code.", nameof(frequencies));
            total += (UInt128)(ulong)f * _lengths[s];
        }
        if (total > long.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(frequencies), "The encoded size does not fit in 64 bits.");
        return (long)total;
    }

    /// <summary>
    /// Exact payload size in bits of the optimal length-limited code for <paramref name="frequencies"/>:
    /// <c>FromFrequencies(frequencies, maxCodeLength).EncodedBits(frequencies)</c> without building the decoder.
    /// </summary>
    /// <exception cref="ArgumentException">See <see cref="BuildCodeLengths"/>.</exception>
    public static long OptimalEncodedBits(ReadOnlySpan<long> frequencies, int maxCodeLength = DefaultMaxCodeLength)
    {
        byte[] lengths = BuildCodeLengths(frequencies, maxCodeLength);
        long total = 0; // BuildCodeLengths bounds the frequency sum by 2^56, and lengths by 31
        for (int s = 0; s < lengths.Length; s++)
            total += frequencies[s] * lengths[s];
        return total;
    }

    private void CheckSymbol(int symbol)
    {
        if ((uint)symbol >= (uint)_lengths.Length)
            throw new ArgumentOutOfRangeException(nameof(symbol), symbol, $"Symbol must be 0..{_lengths.Length - 1}.");
    }

    private static void CheckMaxCodeLength(int maxCodeLength)
    {
        if (maxCodeLength < 1 || maxCodeLength > MaxSupportedCodeLength)
            throw new ArgumentOutOfRangeException(nameof(maxCodeLength), maxCodeLength, $"Must be 1..{MaxSupportedCodeLength}.");
    }
}
