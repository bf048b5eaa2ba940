using Topiary.Compression.Codecs;

namespace Topiary.Tests.Compression.Codecs;

public class CanonicalHuffmanTests
{
    // ---- helpers -------------------------------------------------------------------------------------------

    private static int[] Geometric(Random rng, int count, int alphabet, double p)
    {
        var symbols = new int[count];
        for (int i = 0; i < count; i++)
        {
            int s = (int)Math.Floor(Math.Log(1 - rng.NextDouble()) / Math.Log(1 - p));
            symbols[i] = Math.Min(s, alphabet - 1);
        }
        return symbols;
    }

    private static int[] Uniform(Random rng, int count, int alphabet)
    {
        var symbols = new int[count];
        for (int i = 0; i < count; i++)
            symbols[i] = rng.Next(alphabet);
        return symbols;
    }

    /// <summary>Cost Σ f·len of an unrestricted Huffman code (sum of all merged weights).</summary>
    private static long ReferenceHuffmanCost(ReadOnlySpan<long> frequencies)
    {
        var queue = new PriorityQueue<long, long>();
        foreach (long f in frequencies)
        {
            if (f > 0)
                queue.Enqueue(f, f);
        }
        if (queue.Count == 1)
            return queue.Peek();
        long cost = 0;
        while (queue.Count > 1)
        {
            long merged = queue.Dequeue() + queue.Dequeue();
            cost += merged;
            queue.Enqueue(merged, merged);
        }
        return cost;
    }

    private static void AssertValidCode(CanonicalHuffman code)
    {
        long kraft = 0;
        int used = 0;
        foreach (byte l in code.CodeLengths)
        {
            if (l > 0)
            {
                used++;
                kraft += 1L << (40 - l);
            }
        }
        Assert.Equal(used, code.UsedSymbolCount);
        if (used >= 2)
            Assert.Equal(1L << 40, kraft);
        else if (used == 1)
            Assert.Equal(1L << 39, kraft);
    }

    /// <summary>Table + payload round trip; checks every size prediction against the real stream.</summary>
    private static void RoundTrip(int[] symbols, int alphabet, int maxCodeLength = CanonicalHuffman.DefaultMaxCodeLength)
    {
        long[] freq = SymbolStats.Histogram(symbols, alphabet);
        var code = CanonicalHuffman.FromFrequencies(freq, maxCodeLength);
        AssertValidCode(code);
        Assert.True(code.MaxLength <= maxCodeLength);

        var writer = new BitWriter();
        code.WriteTable(writer);
        Assert.Equal(code.TableBits, writer.BitLength);
        code.Encode(symbols, writer);
        long payload = writer.BitLength - code.TableBits;
        Assert.Equal(code.EncodedBits(freq), payload);
        Assert.Equal(CanonicalHuffman.OptimalEncodedBits(freq, maxCodeLength), payload);

        var reader = new BitReader(writer.ToArray());
        var decodedCode = CanonicalHuffman.ReadTable(reader, alphabet, maxCodeLength);
        Assert.Equal(code.CodeLengths.ToArray(), decodedCode.CodeLengths.ToArray());
        Assert.Equal(code.TableBits, reader.Position);
        var decoded = new int[symbols.Length];
        decodedCode.Decode(reader, symbols.Length, decoded);
        Assert.Equal(symbols, decoded);
        Assert.Equal(writer.BitLength, reader.Position);
    }

    // ---- round trips ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(256)]
    [InlineData(4096)]
    public void Random_streams_round_trip_bit_exactly(int alphabet)
    {
        var rng = new Random(alphabet);
        RoundTrip(Uniform(rng, 5000, alphabet), alphabet);
        RoundTrip(Geometric(rng, 5000, alphabet, 0.3), alphabet);
        RoundTrip(Geometric(rng, 5000, alphabet, 0.9), alphabet);
        RoundTrip(Geometric(rng, 3, alphabet, 0.5), alphabet);
    }

    [Fact]
    public void Code_lengths_are_optimal_when_the_limit_does_not_bind()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            int alphabet = 2 + rng.Next(300);
            var freq = new long[alphabet];
            for (int s = 0; s < alphabet; s++)
                freq[s] = rng.Next(4) == 0 ? 0 : 1 + (long)Math.Pow(rng.NextDouble(), 3) * 1000;
            if (SymbolStats.UsedCount(freq) < 2)
                continue;
            long expected = ReferenceHuffmanCost(freq);
            Assert.Equal(expected, CanonicalHuffman.OptimalEncodedBits(freq, CanonicalHuffman.MaxSupportedCodeLength));
            Assert.Equal(expected, CanonicalHuffman.OptimalEncodedBits(freq)); // these never need > 24 bits
        }
    }

    [Fact]
    public void Codes_are_canonical_sorted_by_length_then_symbol()
    {
        var rng = new Random(3);
        long[] freq = SymbolStats.Histogram(Geometric(rng, 20000, 64, 0.15), 64);
        freq[5] = 0;
        var code = CanonicalHuffman.FromFrequencies(freq);
        var used = Enumerable.Range(0, 64).Where(s => code.GetCodeLength(s) > 0)
            .OrderBy(s => code.GetCodeLength(s)).ThenBy(s => s).ToArray();
        Assert.Equal(0u, code.GetCode(used[0]));
        for (int i = 1; i < used.Length; i++)
        {
            int prevLen = code.GetCodeLength(used[i - 1]), len = code.GetCodeLength(used[i]);
            Assert.Equal((code.GetCode(used[i - 1]) + 1) << (len - prevLen), code.GetCode(used[i]));
        }
        // Left-aligned codes increase strictly in that order, so no code is a prefix of another.
        var aligned = used.Select(s => (ulong)code.GetCode(s) << (32 - code.GetCodeLength(s))).ToArray();
        for (int i = 1; i < aligned.Length; i++)
            Assert.True(aligned[i] > aligned[i - 1]);
        Assert.Equal(0, code.GetCodeLength(5));
        Assert.Throws<ArgumentException>(() => code.GetCode(5));
    }

    [Fact]
    public void Lengths_from_a_table_give_the_documented_codes()
    {
        // Lengths A=2, B=1, C=3, D=3 → B=0, A=10, C=110, D=111.
        var code = CanonicalHuffman.FromCodeLengths([2, 1, 3, 3]);
        Assert.Equal([0b10u, 0b0u, 0b110u, 0b111u], Enumerable.Range(0, 4).Select(code.GetCode).ToArray());
        var writer = new BitWriter();
        code.Encode([0, 1, 2, 3], writer);
        Assert.Equal(new byte[] { 0b1001_1011, 0b1000_0000 }, writer.ToArray());
    }

    // ---- adversarial shapes ---------------------------------------------------------------------------------

    [Fact]
    public void No_used_symbol_codes_only_empty_sequences()
    {
        var code = CanonicalHuffman.FromFrequencies(new long[10]);
        Assert.Equal(0, code.UsedSymbolCount);
        Assert.Equal(0, code.MaxLength);
        var writer = new BitWriter();
        code.WriteTable(writer);
        code.Encode([], writer);
        Assert.Equal(0, code.EncodedBits(new long[10]));
        var reader = new BitReader(writer.ToArray());
        var back = CanonicalHuffman.ReadTable(reader, 10);
        back.Decode(reader, 0, []);
        Assert.Throws<InvalidDataException>(() => back.Decode(reader, 1, new int[1]));
        Assert.Throws<ArgumentException>(() => code.Encode([3], writer));

        // An empty alphabet is representable too.
        var empty = CanonicalHuffman.FromFrequencies([]);
        writer = new BitWriter();
        empty.WriteTable(writer);
        Assert.Equal(1, writer.BitLength);
        Assert.Equal(0, CanonicalHuffman.ReadTable(new BitReader(writer.ToArray()), 0).AlphabetSize);
    }

    [Fact]
    public void A_single_used_symbol_gets_the_one_bit_code_zero()
    {
        var freq = new long[300];
        freq[257] = 1000;
        var code = CanonicalHuffman.FromFrequencies(freq);
        Assert.Equal(1, code.GetCodeLength(257));
        Assert.Equal(0u, code.GetCode(257));
        RoundTrip(Enumerable.Repeat(257, 1000).ToArray(), 300);
        RoundTrip([0], 1);

        var ex = Assert.Throws<InvalidDataException>(() => code.Decode(new BitReader(new byte[] { 0b0010_0000 }), 4, new int[4]));
        Assert.Contains("bit offset 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fibonacci_frequencies_force_length_limiting()
    {
        var freq = new long[40];
        long a = 1, b = 1;
        for (int s = 0; s < freq.Length; s++)
        {
            freq[s] = a;
            (a, b) = (b, a + b);
        }
        // Unlimited Huffman would give the two rarest symbols 39-bit codes.
        byte[] unlimited = CanonicalHuffman.BuildCodeLengths(freq, CanonicalHuffman.MaxSupportedCodeLength);
        Assert.Equal(CanonicalHuffman.MaxSupportedCodeLength, unlimited.Max());

        foreach (int limit in new[] { 6, 8, 12, 24 })
        {
            var code = CanonicalHuffman.FromFrequencies(freq, limit);
            Assert.Equal(limit, code.MaxLength);
            AssertValidCode(code);
            Assert.True(code.EncodedBits(freq) >= ReferenceHuffmanCost(freq));
            var rng = new Random(limit);
            var symbols = new int[3000];
            for (int i = 0; i < symbols.Length; i++)
                symbols[i] = rng.Next(40);
            RoundTrip(symbols, 40, limit);
        }

        // Small Fibonacci alphabet without a binding limit: lengths 1, 2, ..., n−1, n−1 (Huffman's worst case).
        long[] small = [1, 1, 2, 3, 5, 8, 13, 21];
        Assert.Equal(new byte[] { 7, 7, 6, 5, 4, 3, 2, 1 }, CanonicalHuffman.BuildCodeLengths(small));
        Assert.Equal(ReferenceHuffmanCost(small), CanonicalHuffman.OptimalEncodedBits(small));
    }

    [Fact]
    public void A_tight_limit_on_equal_frequencies_gives_a_flat_code()
    {
        var freq = Enumerable.Repeat(5L, 256).ToArray();
        freq[0] = 1_000_000;
        Assert.All(CanonicalHuffman.BuildCodeLengths(freq, 8), l => Assert.Equal(8, l));
        Assert.Throws<ArgumentException>(() => CanonicalHuffman.BuildCodeLengths(Enumerable.Repeat(1L, 257).ToArray(), 8));
    }

    [Fact]
    public void A_million_symbols_round_trip()
    {
        var rng = new Random(11);
        int[] symbols = Geometric(rng, 1_000_000, 4096, 0.02);
        RoundTrip(symbols, 4096);
    }

    // ---- validation ----------------------------------------------------------------------------------------

    private static byte[] RawTable(params (int Length, uint Run)[] runs)
    {
        var writer = new BitWriter();
        writer.WriteEliasGamma((uint)runs.Sum(r => r.Run) + 1);
        foreach (var (length, run) in runs)
        {
            writer.Write((uint)length, 5);
            writer.WriteEliasGamma(run);
        }
        return writer.ToArray();
    }

    [Fact]
    public void Table_round_trips_with_runs()
    {
        var lengths = new byte[5000];
        lengths[10] = 1;
        lengths[4000] = 2;
        lengths[4001] = 3;
        lengths[4999] = 3;
        var code = CanonicalHuffman.FromCodeLengths(lengths);
        var writer = new BitWriter();
        code.WriteTable(writer);
        Assert.True(writer.BitLength < 120, $"{writer.BitLength} bits");
        var back = CanonicalHuffman.ReadTable(new BitReader(writer.ToArray()), 5000);
        Assert.Equal(lengths, back.CodeLengths.ToArray());
        // Split runs are accepted too.
        var split = CanonicalHuffman.ReadTable(new BitReader(RawTable((1, 1), (1, 1), (0, 1))), 3);
        Assert.Equal(new byte[] { 1, 1, 0 }, split.CodeLengths.ToArray());
    }

    [Fact]
    public void Invalid_tables_are_rejected()
    {
        void Rejected(byte[] table, int maxAlphabet, string expected, int maxCodeLength = 24)
        {
            var ex = Assert.Throws<InvalidDataException>(() => CanonicalHuffman.ReadTable(new BitReader(table), maxAlphabet, maxCodeLength));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
        Rejected(RawTable((1, 3)), 3, "over-subscribed");
        Rejected(RawTable((1, 1), (2, 1), (0, 1)), 3, "incomplete");
        Rejected(RawTable((0, 2), (3, 1)), 3, "lone symbol");
        Rejected(RawTable((1, 1), (25, 1)), 2, "exceeds the maximum 24");
        Rejected(RawTable((1, 1), (12, 1)), 2, "exceeds the maximum 10", maxCodeLength: 10);
        Rejected(RawTable((1, 2)), 1, "exceeds the limit 1");
        Rejected(RawTable((1, 2)).AsSpan(0, 1).ToArray(), 2, "truncated");

        // A run longer than the alphabet: alphabet size 2, run of 3.
        var writer = new BitWriter();
        writer.WriteEliasGamma(3);
        writer.Write(1, 5);
        writer.WriteEliasGamma(3);
        Rejected(writer.ToArray(), 2, "overruns");

        // A huge declared alphabet is refused before anything is allocated.
        writer = new BitWriter();
        writer.WriteEliasGamma(uint.MaxValue);
        Rejected(writer.ToArray(), 1 << 20, "exceeds the limit");

        Assert.Throws<ArgumentException>(() => CanonicalHuffman.FromCodeLengths([1, 1, 1]));
        Assert.Throws<ArgumentException>(() => CanonicalHuffman.FromCodeLengths([1, 2]));
        Assert.Throws<ArgumentException>(() => CanonicalHuffman.FromCodeLengths([0, 2]));
        Assert.Throws<ArgumentException>(() => CanonicalHuffman.FromCodeLengths([1, 25, 25]));
    }

    [Fact]
    public void Misuse_is_argument_exception()
    {
        var code = CanonicalHuffman.FromFrequencies([3, 1, 0]);
        var writer = new BitWriter();
        var ex = Assert.Throws<ArgumentException>(() => code.Encode([0, 1, 2], writer));
        Assert.Contains("symbols[2] = 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, writer.BitLength); // nothing written
        Assert.Throws<ArgumentException>(() => code.Encode([0, 3], writer));
        Assert.Throws<ArgumentException>(() => code.EncodedBits([1, 1, 1]));
        Assert.Throws<ArgumentException>(() => code.EncodedBits([1, 1]));
        Assert.Throws<ArgumentException>(() => CanonicalHuffman.FromFrequencies([1, -1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalHuffman.FromFrequencies([1, 1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalHuffman.FromFrequencies([1, 1], 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalHuffman.FromFrequencies([long.MaxValue / 2, long.MaxValue / 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => code.Decode(new BitReader(new byte[1]), 2, new int[1]));
    }

    // ---- corrupt streams -----------------------------------------------------------------------------------

    [Fact]
    public void Truncated_streams_throw_invalid_data()
    {
        var rng = new Random(5);
        int[] symbols = Geometric(rng, 2000, 256, 0.1);
        var code = CanonicalHuffman.FromFrequencies(SymbolStats.Histogram(symbols, 256));
        var writer = new BitWriter();
        code.Encode(symbols, writer);
        byte[] bytes = writer.ToArray();
        for (long bits = 0; bits < writer.BitLength; bits += 1 + rng.Next(97))
        {
            var reader = new BitReader(bytes, bits);
            var ex = Assert.Throws<InvalidDataException>(() => code.Decode(reader, symbols.Length, new int[symbols.Length]));
            Assert.Contains("bit offset", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Random_bit_flips_either_decode_or_throw_invalid_data()
    {
        var rng = new Random(2024);
        int[] symbols = Geometric(rng, 400, 64, 0.2);
        var original = CanonicalHuffman.FromFrequencies(SymbolStats.Histogram(symbols, 64), 12);
        var writer = new BitWriter();
        original.WriteTable(writer);
        original.Encode(symbols, writer);
        byte[] valid = writer.ToArray();

        int decodedCount = 0;
        for (int trial = 0; trial < 1000; trial++)
        {
            byte[] corrupt = (byte[])valid.Clone();
            int flips = 1 + rng.Next(3);
            for (int f = 0; f < flips; f++)
            {
                int bit = rng.Next(corrupt.Length * 8);
                corrupt[bit >> 3] ^= (byte)(0x80 >> (bit & 7));
            }
            Exception? error = Record.Exception(() =>
            {
                var reader = new BitReader(corrupt);
                var code = CanonicalHuffman.ReadTable(reader, 64, 12);
                var output = new int[symbols.Length];
                code.Decode(reader, symbols.Length, output);
                Assert.All(output, s => Assert.InRange(s, 0, 63));
            });
            if (error is null)
                decodedCount++;
            else
                Assert.IsType<InvalidDataException>(error);
        }
        Assert.InRange(decodedCount, 1, 999); // both outcomes occur
    }
}
