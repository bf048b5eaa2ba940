// SymbolStats: histograms and entropy of integer symbol streams (the inputs to CanonicalHuffman).
// Contract: symbols outside 0..alphabetSize-1 are misuse (ArgumentException naming the index and value);
// counts are 64-bit. Entropy is the Shannon bound Σ f·log2(total / f) in bits, a lower bound that the
// Huffman payload (CanonicalHuffman.EncodedBits) exceeds by less than one bit per symbol when no length
// limit binds.
namespace Topiary.Compression.Codecs;

/// <summary>Histograms and entropy of symbol streams.</summary>
public static class SymbolStats
{
    /// <summary>Counts how often each symbol 0..<paramref name="alphabetSize"/>−1 occurs.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alphabetSize"/> is negative.</exception>
    /// <exception cref="ArgumentException">A symbol is outside the alphabet.</exception>
    public static long[] Histogram(ReadOnlySpan<int> symbols, int alphabetSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(alphabetSize);
        var histogram = new long[alphabetSize];
        Accumulate(symbols, histogram);
        return histogram;
    }

    /// <summary>Adds the occurrences of <paramref name="symbols"/> to <paramref name="histogram"/> (alphabet = its length).</summary>
    /// <remarks>All symbols are validated before any count changes.</remarks>
    /// <exception cref="ArgumentException">A symbol is outside 0..<c>histogram.Length</c>−1.</exception>
    public static void Accumulate(ReadOnlySpan<int> symbols, Span<long> histogram)
    {
        for (int i = 0; i < symbols.Length; i++)
        {
            if ((uint)symbols[i] >= (uint)histogram.Length)
                throw new ArgumentException($"symbols[{i}] = {symbols[i]} is outside the alphabet 0..{histogram.Length - 1}.", nameof(symbols));
        }
        foreach (int s in symbols)
            histogram[s]++;
    }

    /// <summary>Number of symbols with a non-zero count.</summary>
    public static int UsedCount(ReadOnlySpan<long> frequencies)
    {
        int used = 0;
        foreach (long f in frequencies)
        {
            if (f != 0)
                used++;
        }
        return used;
    }

    /// <summary>Sum of the counts.</summary>
    /// <exception cref="ArgumentException">A count is negative.</exception>
    /// <exception cref="OverflowException">The sum exceeds <see cref="long.MaxValue"/>.</exception>
    public static long Total(ReadOnlySpan<long> frequencies)
    {
        long total = 0;
        for (int s = 0; s < frequencies.Length; s++)
        {
            if (frequencies[s] < 0)
                throw new ArgumentException($"frequencies[{s}] = {frequencies[s]} is negative.", nameof(frequencies));
            total = checked(total + frequencies[s]);
        }
        return total;
    }

    /// <summary>
    /// Shannon information of the whole stream in bits, <c>Σ f·log2(total / f)</c> (0 for fewer than two used symbols):
    /// the lower bound on any prefix-code payload for these counts.
    /// </summary>
    /// <exception cref="ArgumentException">A count is negative.</exception>
    public static double EntropyBits(ReadOnlySpan<long> frequencies)
    {
        double total = Total(frequencies);
        if (total == 0)
            return 0;
        double bits = 0;
        foreach (long f in frequencies)
        {
            if (f > 0)
                bits += f * Math.Log2(total / f);
        }
        return bits;
    }
}
