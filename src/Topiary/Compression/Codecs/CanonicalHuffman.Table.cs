// CanonicalHuffman.Table: serialisation and validation of the code-length table.
// Format (MSB-first bits, no alignment, see BitWriter):
//   gamma(alphabetSize + 1)                       Elias-gamma, so an empty alphabet is representable
//   repeated until alphabetSize lengths are given:
//     5 bits   length L (0 = unused symbol, 1..31)
//     gamma(r) run length r ≥ 1: the next r symbols all have length L
// WriteTable emits maximal runs (so the encoding of a table is unique); ReadTable also accepts split runs.
// ReadTable checks, before allocating, that alphabetSize ≤ the caller's limit, then that every length ≤ the
// caller's maxCodeLength, no run overruns the alphabet, and the lengths form a valid code (none used; one
// used with length 1; or Kraft equality). Every failure is an InvalidDataException naming the bit offset.
namespace Topiary.Compression.Codecs;

public sealed partial class CanonicalHuffman
{
    private const int TableLengthBits = 5;

    /// <summary>Exact number of bits <see cref="WriteTable"/> writes.</summary>
    public long TableBits
    {
        get
        {
            long bits = BitWriter.EliasGammaBits((uint)_lengths.Length + 1);
            for (int start = 0; start < _lengths.Length;)
            {
                int end = RunEnd(start);
                bits += TableLengthBits + BitWriter.EliasGammaBits((uint)(end - start));
                start = end;
            }
            return bits;
        }
    }

    /// <summary>
    /// Appends the code-length table: <c>gamma(AlphabetSize + 1)</c>, then maximal runs, each a 5-bit length followed
    /// by <c>gamma(run length)</c>. See the file header for the exact format.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    public void WriteTable(BitWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteEliasGamma((uint)_lengths.Length + 1);
        for (int start = 0; start < _lengths.Length;)
        {
            int end = RunEnd(start);
            writer.Write(_lengths[start], TableLengthBits);
            writer.WriteEliasGamma((uint)(end - start));
            start = end;
        }
    }

    /// <summary>Reads a table written by <see cref="WriteTable"/> and builds its code.</summary>
    /// <param name="reader">Positioned at the table; left just after it.</param>
    /// <param name="maxAlphabetSize">Largest alphabet the caller accepts, 0..<see cref="MaxSupportedAlphabetSize"/>;
    /// bounds the allocation.</param>
    /// <param name="maxCodeLength">Longest code the caller accepts, 1..<see cref="MaxSupportedCodeLength"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    /// <exception cref="InvalidDataException">The table is truncated, its alphabet exceeds
    /// <paramref name="maxAlphabetSize"/>, a length exceeds <paramref name="maxCodeLength"/>, a run overruns the
    /// alphabet, or the lengths are over-subscribed, incomplete, or a lone symbol's length is not 1.</exception>
    public static CanonicalHuffman ReadTable(BitReader reader, int maxAlphabetSize, int maxCodeLength = DefaultMaxCodeLength)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if ((uint)maxAlphabetSize > MaxSupportedAlphabetSize)
            throw new ArgumentOutOfRangeException(nameof(maxAlphabetSize), maxAlphabetSize, $"Must be 0..{MaxSupportedAlphabetSize}.");
        CheckMaxCodeLength(maxCodeLength);

        long start = reader.Position;
        uint sizePlusOne = reader.ReadEliasGamma(uint.MaxValue);
        uint alphabetSize = sizePlusOne - 1;
        if (alphabetSize > (uint)maxAlphabetSize)
            throw new InvalidDataException(
                $"Huffman table at bit offset {start} (byte {start >> 3}): alphabet size {alphabetSize} exceeds the limit {maxAlphabetSize}.");

        var lengths = new byte[alphabetSize];
        int filled = 0;
        while (filled < lengths.Length)
        {
            long runStart = reader.Position;
            int length = (int)reader.Read(TableLengthBits);
            if (length > maxCodeLength)
                throw new InvalidDataException(
                    $"Huffman table at bit offset {runStart} (byte {runStart >> 3}): code length {length} for symbol {filled} exceeds the maximum {maxCodeLength}.");
            uint run = reader.ReadEliasGamma(uint.MaxValue);
            if (run > (uint)(lengths.Length - filled))
                throw new InvalidDataException(
                    $"Huffman table at bit offset {runStart} (byte {runStart >> 3}): a run of {run} lengths from symbol {filled} overruns the alphabet of {lengths.Length}.");
            lengths.AsSpan(filled, (int)run).Fill((byte)length);
            filled += (int)run;
        }

        string? error = ValidateLengths(lengths, maxCodeLength);
        if (error is not null)
            throw new InvalidDataException($"Huffman table at bit offset {start} (byte {start >> 3}): {error}");
        return new CanonicalHuffman(lengths);
    }

    /// <summary>Null when <paramref name="lengths"/> is a valid table, else what is wrong.</summary>
    private static string? ValidateLengths(ReadOnlySpan<byte> lengths, int maxCodeLength)
    {
        int used = 0;
        int lastUsed = -1;
        long kraft = 0; // Σ 2^(31 − len) ≤ 2^24 · 2^30: no overflow
        for (int s = 0; s < lengths.Length; s++)
        {
            int l = lengths[s];
            if (l == 0)
                continue;
            if (l > maxCodeLength)
                return $"code length {l} of symbol {s} exceeds the maximum {maxCodeLength}.";
            used++;
            lastUsed = s;
            kraft += 1L << (MaxSupportedCodeLength - l);
        }
        const long one = 1L << MaxSupportedCodeLength;
        if (used == 0)
            return null;
        if (used == 1)
            return lengths[lastUsed] == 1 ? null : $"the only used symbol {lastUsed} has code length {lengths[lastUsed]}; a lone symbol must have length 1.";
        if (kraft > one)
            return $"the code is over-subscribed (Kraft sum {kraft}/2^31 > 1).";
        if (kraft < one)
            return $"the code is incomplete (Kraft sum {kraft}/2^31 < 1).";
        return null;
    }

    private int RunEnd(int start)
    {
        int end = start + 1;
        while (end < _lengths.Length && _lengths[end] == _lengths[start])
            end++;
        return end;
    }
}
