using Topiary.Compression.Codecs;

namespace Topiary.Tests.Compression.Codecs;

public class RelativeIndexCodecTests
{
    private const int Filler = 0;

    private static int[] CodesFor(int count, Random rng)
    {
        var codes = new int[count];
        for (int i = 0; i < count; i++)
            codes[i] = 1 + rng.Next(31);
        return codes;
    }

    /// <summary>Encode → check the entry invariants → decode; returns the stream.</summary>
    private static RelativeIndexStream RoundTrip(int[] positions, int[] codes, int indexBits, int totalLength)
    {
        var stream = RelativeIndexCodec.Encode(positions, codes, indexBits, Filler);
        int maxGap = (1 << indexBits) - 1;
        Assert.Equal(positions.Length, stream.NonZeroCount);
        Assert.Equal(RelativeIndexCodec.FillerCount(positions, indexBits), stream.FillerCount);
        Assert.Equal(stream.FillerCount, stream.Codes.Count(c => c == Filler));
        Assert.All(stream.Gaps, g => Assert.InRange(g, 0, maxGap));
        for (int i = 0; i < stream.Count; i++)
        {
            if (stream.Codes[i] == Filler)
                Assert.Equal(maxGap, stream.Gaps[i]);
        }

        var decoded = RelativeIndexCodec.Decode(stream.Gaps, stream.Codes, indexBits, Filler, totalLength);
        Assert.Equal(positions, decoded.Positions);
        Assert.Equal(codes, decoded.Codes);
        return stream;
    }

    [Fact]
    public void Paper_style_example()
    {
        // b = 3: non-zeros at 1 and 20 → (1, c), filler at 9, filler at 17, (2, c) at 20.
        var stream = RoundTrip([1, 20], [5, 6], 3, 32);
        Assert.Equal(new[] { 1, 7, 7, 2 }, stream.Gaps);
        Assert.Equal(new[] { 5, Filler, Filler, 6 }, stream.Codes);
        Assert.Equal(2, stream.FillerCount);
    }

    [Fact]
    public void Gaps_at_every_boundary_insert_the_right_number_of_fillers()
    {
        for (int bits = 1; bits <= 16; bits++)
        {
            int span = 1 << bits; // one entry advances at most 2^b positions
            foreach (int multiple in new[] { 1, 2, 3 })
            {
                foreach (int delta in new[] { -1, 0, 1 })
                {
                    // Zero run z before the single non-zero: fillers = floor(z / 2^b).
                    int zeros = multiple * span + delta - 1;
                    if (zeros < 0)
                        continue;
                    int position = zeros;
                    var stream = RoundTrip([position], [7], bits, position + 1);
                    Assert.Equal(zeros >> bits, stream.FillerCount);
                    Assert.Equal(zeros & (span - 1), stream.Gaps[^1]);

                    // Same run between two non-zeros.
                    stream = RoundTrip([0, zeros + 1], [7, 9], bits, zeros + 2);
                    Assert.Equal(zeros >> bits, stream.FillerCount);
                }
            }
            // The largest gap that needs no filler, and the smallest that needs one.
            Assert.Equal(0, RelativeIndexCodec.FillerCount([span - 1], bits));
            Assert.Equal(1, RelativeIndexCodec.FillerCount([span], bits));
            Assert.Equal(0, RelativeIndexCodec.FillerCount([0, span], bits));
            Assert.Equal(1, RelativeIndexCodec.FillerCount([0, span + 1], bits));
        }
    }

    [Fact]
    public void Empty_and_single_entry_layers()
    {
        var rng = new Random(1);
        // Empty layer and all-zero layer: no entries.
        Assert.Equal(0, RoundTrip([], [], 5, 0).Count);
        Assert.Equal(0, RoundTrip([], [], 5, 1000).Count);
        // A single non-zero at the first and at the last position.
        for (int bits = 1; bits <= 16; bits++)
        {
            foreach (int total in new[] { 1, 2, 100, 70000 })
            {
                RoundTrip([0], CodesFor(1, rng), bits, total);
                var stream = RoundTrip([total - 1], CodesFor(1, rng), bits, total);
                Assert.Equal((total - 1) >> bits, stream.FillerCount);
            }
        }
        // A dense layer: every gap is zero.
        int[] dense = Enumerable.Range(0, 500).ToArray();
        Assert.All(RoundTrip(dense, CodesFor(500, rng), 1, 500).Gaps, g => Assert.Equal(0, g));
    }

    [Fact]
    public void Random_sparsity_patterns_round_trip()
    {
        var rng = new Random(42);
        for (int trial = 0; trial < 300; trial++)
        {
            int total = 1 + rng.Next(5000);
            double density = rng.NextDouble() switch { < 0.3 => 0.001, < 0.6 => 0.05, _ => rng.NextDouble() };
            int[] positions = Enumerable.Range(0, total).Where(_ => rng.NextDouble() < density).ToArray();
            int bits = 1 + rng.Next(16);
            RoundTrip(positions, CodesFor(positions.Length, rng), bits, total);
        }
    }

    [Fact]
    public void Csr_and_csc_walks_round_trip_a_matrix()
    {
        var rng = new Random(9);
        const int rows = 37, cols = 53; // e.g. a Conv2d [37, 1·... ] flattened to [out, in·kh·kw]
        var weights = new float[rows * cols];
        for (int i = 0; i < weights.Length; i++)
            weights[i] = rng.NextDouble() < 0.1 ? (float)(rng.NextDouble() + 0.5) : 0f;

        foreach (SparseOrder order in new[] { SparseOrder.RowMajor, SparseOrder.ColumnMajor })
        {
            int[] walk = SparseLayout.NonZeroWalkIndices(weights, rows, cols, order);
            Assert.True(walk.Zip(walk.Skip(1)).All(p => p.First < p.Second));
            var codes = walk.Select(w => 1 + (int)(weights[SparseLayout.WalkToStorage(w, rows, cols, order)] * 10)).ToArray();
            var stream = RelativeIndexCodec.Encode(walk, codes, 5, Filler);
            var decoded = RelativeIndexCodec.Decode(stream.Gaps, stream.Codes, 5, Filler, rows * cols);

            var rebuilt = new float[rows * cols];
            for (int k = 0; k < decoded.Count; k++)
                rebuilt[SparseLayout.WalkToStorage(decoded.Positions[k], rows, cols, order)] = 1;
            for (int i = 0; i < weights.Length; i++)
                Assert.Equal(weights[i] != 0, rebuilt[i] != 0);
        }

        // The two walks differ as documented.
        Assert.Equal(1 * cols + 2, SparseLayout.ToWalkIndex(1, 2, rows, cols, SparseOrder.RowMajor));
        Assert.Equal(2 * rows + 1, SparseLayout.ToWalkIndex(1, 2, rows, cols, SparseOrder.ColumnMajor));
        for (int i = 0; i < rows * cols; i += 7)
        {
            foreach (SparseOrder order in new[] { SparseOrder.RowMajor, SparseOrder.ColumnMajor })
            {
                var (r, c) = SparseLayout.FromWalkIndex(i, rows, cols, order);
                Assert.Equal(i, SparseLayout.ToWalkIndex(r, c, rows, cols, order));
                Assert.Equal(i, SparseLayout.StorageToWalk(SparseLayout.WalkToStorage(i, rows, cols, order), rows, cols, order));
            }
        }
        Assert.Equal((16, 6 * 5 * 5), SparseLayout.MatrixShape([16, 6, 5, 5]));
        Assert.Equal((10, 1), SparseLayout.MatrixShape([10]));
        Assert.Throws<ArgumentException>(() => SparseLayout.MatrixShape([65536, 65536]));
    }

    [Fact]
    public void Decode_rejects_corrupt_entries()
    {
        void Rejected(int[] gaps, int[] codes, int bits, int total, string expected)
        {
            var ex = Assert.Throws<InvalidDataException>(() => RelativeIndexCodec.Decode(gaps, codes, bits, Filler, total));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
        Rejected([8], [3], 3, 100, "entry 0: gap 8 is outside 0..7");
        Rejected([-1], [3], 3, 100, "gap -1");
        Rejected([1, 2], [3, 4], 3, 4, "entry 1: position 4 is past the end");
        Rejected([0], [3], 3, 0, "past the end");
        Rejected([5, 1], [Filler, 3], 3, 100, "filler with gap 5");
        Rejected([1, 7], [3, Filler], 3, 100, "last entry is a filler");
        Rejected([7, 7, 7], [Filler, Filler, 3], 3, 20, "entry 2: position 23 is past the end");
        // Gaps large enough to overflow an int position are still caught.
        Rejected(Enumerable.Repeat((1 << 30) - 1, 3).ToArray(), [Filler, Filler, 3], 30, int.MaxValue, "past the end");
        Assert.Throws<ArgumentException>(() => RelativeIndexCodec.Decode([1], [], 3, Filler, 10));
    }

    [Fact]
    public void Encode_rejects_misuse()
    {
        Assert.Throws<ArgumentException>(() => RelativeIndexCodec.Encode([3, 3], [1, 2], 4, Filler));
        Assert.Throws<ArgumentException>(() => RelativeIndexCodec.Encode([4, 3], [1, 2], 4, Filler));
        Assert.Throws<ArgumentException>(() => RelativeIndexCodec.Encode([-1], [1], 4, Filler));
        Assert.Throws<ArgumentException>(() => RelativeIndexCodec.Encode([1, 2], [1, Filler], 4, Filler));
        Assert.Throws<ArgumentException>(() => RelativeIndexCodec.Encode([1, 2], [1], 4, Filler));
        Assert.Throws<ArgumentOutOfRangeException>(() => RelativeIndexCodec.Encode([1], [1], 0, Filler));
        Assert.Throws<ArgumentOutOfRangeException>(() => RelativeIndexCodec.Encode([1], [1], 31, Filler));
    }

    [Fact]
    public void Gaps_and_codes_survive_huffman_coding()
    {
        // The Deep Compression pipeline: relative indices → Huffman over gaps and over codes.
        var rng = new Random(4);
        const int total = 20000, bits = 5;
        int[] positions = Enumerable.Range(0, total).Where(_ => rng.NextDouble() < 0.08).ToArray();
        var stream = RelativeIndexCodec.Encode(positions, CodesFor(positions.Length, rng), bits, Filler);
        var gapCode = CanonicalHuffman.FromFrequencies(SymbolStats.Histogram(stream.Gaps, 1 << bits));
        var valueCode = CanonicalHuffman.FromFrequencies(SymbolStats.Histogram(stream.Codes, 32));
        var writer = new BitWriter();
        gapCode.WriteTable(writer);
        valueCode.WriteTable(writer);
        gapCode.Encode(stream.Gaps, writer);
        valueCode.Encode(stream.Codes, writer);

        var reader = new BitReader(writer.ToArray());
        var gapBack = CanonicalHuffman.ReadTable(reader, 1 << bits);
        var valueBack = CanonicalHuffman.ReadTable(reader, 32);
        var gaps = new int[stream.Count];
        var codes = new int[stream.Count];
        gapBack.Decode(reader, gaps.Length, gaps);
        valueBack.Decode(reader, codes.Length, codes);
        var decoded = RelativeIndexCodec.Decode(gaps, codes, bits, Filler, total);
        Assert.Equal(positions, decoded.Positions);
        Assert.True(writer.BitLength < (long)stream.Count * (bits + 5)); // Huffman beats fixed width here
    }

    [Fact]
    public void Symbol_stats()
    {
        long[] h = SymbolStats.Histogram([0, 1, 1, 3, 3, 3, 3], 4);
        Assert.Equal(new long[] { 1, 2, 0, 4 }, h);
        Assert.Equal(3, SymbolStats.UsedCount(h));
        Assert.Equal(7, SymbolStats.Total(h));
        Assert.Equal(1 * Math.Log2(7) + 2 * Math.Log2(3.5) + 4 * Math.Log2(1.75), SymbolStats.EntropyBits(h), 9);
        Assert.True(CanonicalHuffman.OptimalEncodedBits(h) >= SymbolStats.EntropyBits(h));
        Assert.Throws<ArgumentException>(() => SymbolStats.Histogram([4], 4));
        Assert.Throws<ArgumentException>(() => SymbolStats.Histogram([-1], 4));
    }
}
