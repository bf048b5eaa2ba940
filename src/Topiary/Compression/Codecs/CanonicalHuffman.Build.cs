// CanonicalHuffman.Build: optimal length-limited code lengths from symbol frequencies (package-merge).
// Contract: for ≥ 2 used symbols the lengths minimise Σ f·len subject to len ≤ maxCodeLength and Kraft
// equality (Larmore & Hirschberg's package-merge; without a binding limit this equals Huffman's cost).
// 0 used symbols → all lengths 0; 1 used symbol → that symbol gets length 1. Deterministic: ties are
// broken by symbol index (leaves sorted by (frequency, symbol); on equal weight a leaf precedes a package).
// Cost O(L·m) time, O(m) words plus L·2m bits of memory (L = min(maxCodeLength, m − 1), m = used symbols).
namespace Topiary.Compression.Codecs;

public sealed partial class CanonicalHuffman
{
    /// <summary>Largest allowed sum of frequencies (2^56), so that weights and bit totals cannot overflow.</summary>
    public const long MaxTotalFrequency = 1L << 56;

    /// <summary>
    /// Optimal code lengths (0 = unused) for <paramref name="frequencies"/> with no code longer than
    /// <paramref name="maxCodeLength"/>, by package-merge. No used symbol gives all zeros; one used symbol gets length 1.
    /// </summary>
    /// <param name="frequencies">Occurrence count of every symbol; its length is the alphabet size.</param>
    /// <param name="maxCodeLength">Longest allowed code, 1..<see cref="MaxSupportedCodeLength"/>.</param>
    /// <returns>One length per symbol.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCodeLength"/> is out of range, the alphabet exceeds
    /// <see cref="MaxSupportedAlphabetSize"/>, or the frequencies sum above <see cref="MaxTotalFrequency"/>.</exception>
    /// <exception cref="ArgumentException">A frequency is negative, or more than <c>2^maxCodeLength</c> symbols are used.</exception>
    public static byte[] BuildCodeLengths(ReadOnlySpan<long> frequencies, int maxCodeLength = DefaultMaxCodeLength)
    {
        CheckMaxCodeLength(maxCodeLength);
        if (frequencies.Length > MaxSupportedAlphabetSize)
            throw new ArgumentOutOfRangeException(nameof(frequencies), frequencies.Length, $"Alphabet size exceeds {MaxSupportedAlphabetSize}.");

        int used = 0;
        int lastUsed = -1;
        long total = 0;
        for (int s = 0; s < frequencies.Length; s++)
        {
            long f = frequencies[s];
            if (f < 0)
                throw new ArgumentException($"frequencies[{s}] = {f} is negative.", nameof(frequencies));
            if (f == 0)
                continue;
            if (f > MaxTotalFrequency - total)
                throw new ArgumentOutOfRangeException(nameof(frequencies), $"The frequencies sum above {MaxTotalFrequency}.");
            total += f;
            used++;
            lastUsed = s;
        }

        var lengths = new byte[frequencies.Length];
        if (used == 0)
            return lengths;
        if (used == 1)
        {
            lengths[lastUsed] = 1;
            return lengths;
        }
        if (maxCodeLength < 31 && used > 1 << maxCodeLength)
            throw new ArgumentException(
                $"{used} used symbols cannot be coded with at most {maxCodeLength} bits (2^{maxCodeLength} = {1 << maxCodeLength} codes).",
                nameof(maxCodeLength));

        var leaves = new Leaf[used];
        for (int s = 0, k = 0; s < frequencies.Length; s++)
        {
            if (frequencies[s] > 0)
                leaves[k++] = new Leaf(frequencies[s], s);
        }
        leaves.AsSpan().Sort();
        PackageMerge(leaves, Math.Min(maxCodeLength, used - 1), lengths);
        return lengths;
    }

    /// <summary>
    /// Package-merge over leaves sorted by weight. List A_L is the leaves; A_{j-1} merges the leaves with the
    /// pairwise packages of A_j. The first 2m − 2 items of A_1 form the optimal solution; a symbol's code length
    /// is the number of levels at which its leaf is selected. Because each list is a merge of the sorted leaves
    /// and sorted packages, a selected prefix of a level holds the lightest leaves plus some packages, and the
    /// packages selected at level j select twice as many items at level j + 1.
    /// </summary>
    private static void PackageMerge(Leaf[] leaves, int levels, byte[] lengths)
    {
        int m = leaves.Length;
        int capacity = 2 * m; // a level list has m leaves + at most (2m − 1) / 2 packages
        var previous = new long[capacity];
        var current = new long[capacity];
        for (int i = 0; i < m; i++)
            previous[i] = leaves[i].Weight;
        int previousLength = m;

        // isPackage bit of item i of level j (1-based) at bit (j − 1)·capacity + i. Level `levels` has only leaves.
        var isPackage = new ulong[((long)levels * capacity + 63) >> 6];
        for (int level = levels - 1; level >= 1; level--)
        {
            int packages = previousLength / 2;
            long rowStart = (long)(level - 1) * capacity;
            int leaf = 0, package = 0, output = 0;
            while (leaf < m || package < packages)
            {
                long packageWeight = package < packages ? previous[2 * package] + previous[2 * package + 1] : long.MaxValue;
                if (leaf < m && leaves[leaf].Weight <= packageWeight)
                {
                    current[output++] = leaves[leaf++].Weight;
                }
                else
                {
                    long bit = rowStart + output;
                    isPackage[bit >> 6] |= 1UL << (int)(bit & 63);
                    current[output++] = packageWeight;
                    package++;
                }
            }
            (previous, current) = (current, previous);
            previousLength = output;
        }

        int take = 2 * m - 2;
        for (int level = 1; level <= levels; level++)
        {
            long rowStart = (long)(level - 1) * capacity;
            int packagesTaken = 0;
            for (int i = 0; i < take; i++)
            {
                long bit = rowStart + i;
                if ((isPackage[bit >> 6] & (1UL << (int)(bit & 63))) != 0)
                    packagesTaken++;
            }
            int leavesTaken = take - packagesTaken;
            for (int i = 0; i < leavesTaken; i++)
                lengths[leaves[i].Symbol]++;
            take = 2 * packagesTaken;
        }
    }

    private readonly record struct Leaf(long Weight, int Symbol) : IComparable<Leaf>
    {
        public int CompareTo(Leaf other) =>
            Weight != other.Weight ? Weight.CompareTo(other.Weight) : Symbol.CompareTo(other.Symbol);
    }
}
