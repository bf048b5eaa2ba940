// RelativeIndexCodec: Deep Compression's sparse index format (relative indices with filler entries).
// Contract:
//  - Input: the ascending walk indices of a layer's non-zeros (SparseLayout: CSR or CSC order over the
//    [rows, cols] matrix) and a parallel array of weight codes; one code value (fillerCode, e.g. 0 = the
//    codebook's zero) is reserved and must not occur among the real entries.
//  - Each entry stores gap = position − previousPosition − 1, the number of zeros skipped, with
//    previousPosition = −1 before the first entry. A gap must fit in indexBits bits: 0..2^b − 1, so one entry
//    advances at most 2^b positions.
//  - When the zero run z before a non-zero exceeds 2^b − 1, floor(z / 2^b) filler entries are inserted first,
//    each with the maximal gap 2^b − 1 and code fillerCode; each lands on a zero weight 2^b positions on.
//    The real entry then stores z mod 2^b. Example (b = 3): non-zeros at 1 and 20 → entries (gap 1, code),
//    (gap 7, filler) at 9, (gap 7, filler) at 17, (gap 2, code) at 20.
//  - Trailing zeros after the last non-zero need no entry; the decoder takes the layer's total length.
//  - Decode accepts exactly the canonical streams Encode produces: every gap in 0..2^b − 1, every filler has
//    the maximal gap and is followed by a real entry, and every position (filler or real) < totalLength.
//    Positions are strictly increasing by construction. Violations are InvalidDataException naming the entry.
//  - Storage (paper): (non-zeros + fillers) × (weight bits + index bits); FillerCount computes the fillers.
namespace Topiary.Compression.Codecs;

/// <summary>
/// Deep Compression's relative-index sparse format: each non-zero stores the number of zeros since the previous
/// one in a fixed number of bits, with filler entries (a reserved weight code) bridging longer zero runs.
/// </summary>
/// <remarks>
/// <para>Gap convention: <c>gap = position − previous − 1</c> with <c>previous = −1</c> before the first entry, so
/// gaps range over 0..2^b − 1 and an entry advances 1..2^b positions. A zero run <c>z</c> longer than 2^b − 1 is
/// preceded by <c>floor(z / 2^b)</c> fillers of gap 2^b − 1, and the real entry stores <c>z mod 2^b</c>.</para>
/// <para>Positions are walk indices (<see cref="SparseLayout"/>): row-major for CSR, column-major for CSC.</para>
/// </remarks>
public static class RelativeIndexCodec
{
    /// <summary>Largest supported gap width in bits.</summary>
    public const int MaxIndexBits = 30;

    /// <summary>Largest gap representable in <paramref name="indexBits"/> bits: <c>2^b − 1</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexBits"/> is outside 1..<see cref="MaxIndexBits"/>.</exception>
    public static int MaxGap(int indexBits)
    {
        CheckIndexBits(indexBits);
        return (1 << indexBits) - 1;
    }

    /// <summary>Number of filler entries <see cref="Encode"/> inserts for these positions: <c>Σ floor(z_i / 2^b)</c>
    /// over the zero runs <c>z_i</c> before each non-zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexBits"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The positions are negative or not strictly increasing.</exception>
    public static long FillerCount(ReadOnlySpan<int> positions, int indexBits)
    {
        CheckIndexBits(indexBits);
        long fillers = 0;
        long previous = -1;
        for (int i = 0; i < positions.Length; i++)
        {
            CheckPosition(positions, i, previous);
            fillers += (positions[i] - previous - 1) >> indexBits;
            previous = positions[i];
        }
        return fillers;
    }

    /// <summary>
    /// Relative-index entries for the non-zeros at <paramref name="positions"/> with weight codes
    /// <paramref name="codes"/>, fillers (gap <c>2^b − 1</c>, code <paramref name="fillerCode"/>) inserted.
    /// </summary>
    /// <param name="positions">Walk indices of the non-zeros, strictly increasing, ≥ 0.</param>
    /// <param name="codes">Weight code of each non-zero; none may equal <paramref name="fillerCode"/>.</param>
    /// <param name="indexBits">Gap width b, 1..<see cref="MaxIndexBits"/> (paper: 8 for conv, 5 for FC).</param>
    /// <param name="fillerCode">Reserved code marking fillers (Deep Compression: 0, the codebook's zero).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexBits"/> is out of range.</exception>
    /// <exception cref="ArgumentException">Lengths differ, positions are negative or not strictly increasing, a code equals
    /// <paramref name="fillerCode"/>, or the entries would not fit in an array.</exception>
    public static RelativeIndexStream Encode(ReadOnlySpan<int> positions, ReadOnlySpan<int> codes, int indexBits, int fillerCode)
    {
        if (codes.Length != positions.Length)
            throw new ArgumentException($"Expected one code per position ({positions.Length}), got {codes.Length}.", nameof(codes));
        long fillers = FillerCount(positions, indexBits);
        for (int i = 0; i < codes.Length; i++)
        {
            if (codes[i] == fillerCode)
                throw new ArgumentException($"codes[{i}] = {codes[i]} is the reserved filler code; a real entry cannot use it.", nameof(codes));
        }
        long count = positions.Length + fillers;
        if (count > Array.MaxLength)
            throw new ArgumentException($"{count} entries ({fillers} fillers) do not fit in an array; use more index bits.", nameof(positions));

        var gaps = new int[count];
        var entryCodes = new int[count];
        int maxGap = (1 << indexBits) - 1;
        int k = 0;
        long previous = -1;
        for (int i = 0; i < positions.Length; i++)
        {
            long zeros = positions[i] - previous - 1;
            for (long f = zeros >> indexBits; f > 0; f--)
            {
                gaps[k] = maxGap;
                entryCodes[k++] = fillerCode;
            }
            gaps[k] = (int)(zeros & maxGap);
            entryCodes[k++] = codes[i];
            previous = positions[i];
        }
        return new RelativeIndexStream(indexBits, fillerCode, gaps, entryCodes, (int)fillers);
    }

    /// <summary>
    /// Recovers the non-zero positions and codes from relative-index entries (read from untrusted data), dropping fillers.
    /// </summary>
    /// <param name="gaps">Per entry: zeros skipped, 0..2^b − 1.</param>
    /// <param name="codes">Per entry: weight code, or <paramref name="fillerCode"/> for a filler.</param>
    /// <param name="indexBits">Gap width b used by the encoder.</param>
    /// <param name="fillerCode">The reserved filler code used by the encoder.</param>
    /// <param name="totalLength">Number of elements in the layer (rows · cols); every position must be below it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexBits"/> or <paramref name="totalLength"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="gaps"/> and <paramref name="codes"/> differ in length.</exception>
    /// <exception cref="InvalidDataException">An entry's gap is outside 0..2^b − 1, a filler's gap is not 2^b − 1, the last
    /// entry is a filler, or a position reaches <paramref name="totalLength"/>. The message names the entry.</exception>
    public static SparseEntries Decode(ReadOnlySpan<int> gaps, ReadOnlySpan<int> codes, int indexBits, int fillerCode, int totalLength)
    {
        CheckIndexBits(indexBits);
        ArgumentOutOfRangeException.ThrowIfNegative(totalLength);
        if (codes.Length != gaps.Length)
            throw new ArgumentException($"Expected one code per gap ({gaps.Length}), got {codes.Length}.", nameof(codes));

        int maxGap = (1 << indexBits) - 1;
        int realCount = 0;
        long position = -1;
        for (int i = 0; i < gaps.Length; i++)
        {
            int gap = gaps[i];
            if ((uint)gap > (uint)maxGap)
                throw new InvalidDataException($"Relative index entry {i}: gap {gap} is outside 0..{maxGap} ({indexBits} index bits).");
            position += gap + 1L;
            if (position >= totalLength)
                throw new InvalidDataException(
                    $"Relative index entry {i}: position {position} is past the end of the layer ({totalLength} elements).");
            if (codes[i] == fillerCode)
            {
                if (gap != maxGap)
                    throw new InvalidDataException($"Relative index entry {i}: filler with gap {gap}; fillers must have the maximal gap {maxGap}.");
                if (i == gaps.Length - 1)
                    throw new InvalidDataException($"Relative index entry {i}: the last entry is a filler; fillers must precede a real entry.");
            }
            else
            {
                realCount++;
            }
        }

        var positions = new int[realCount];
        var realCodes = new int[realCount];
        position = -1;
        for (int i = 0, k = 0; i < gaps.Length; i++)
        {
            position += gaps[i] + 1L;
            if (codes[i] == fillerCode)
                continue;
            positions[k] = (int)position;
            realCodes[k++] = codes[i];
        }
        return new SparseEntries(positions, realCodes);
    }

    private static void CheckPosition(ReadOnlySpan<int> positions, int i, long previous)
    {
        if (positions[i] <= previous)
            throw new ArgumentException(
                i == 0
                    ? $"positions[0] = {positions[0]} is negative."
                    : $"positions[{i}] = {positions[i]} does not exceed positions[{i - 1}] = {previous}; positions must be strictly increasing.",
                nameof(positions));
    }

    private static void CheckIndexBits(int indexBits)
    {
        if (indexBits < 1 || indexBits > MaxIndexBits)
            throw new ArgumentOutOfRangeException(nameof(indexBits), indexBits, $"Must be 1..{MaxIndexBits}.");
    }
}
