// .tpz container fuzzing: mutations of containers written by CompressedModel.Encode (LeNet-300-100 pruned to 92% with
// 6-bit fc codes and 5-bit relative indices; LeNet-5 pruned to 90% with the paper's widths and the best index width per
// layer; an unpruned LeNet-300-100 with 3-bit indices, so fillers abound) and by CompressedModel.EncodeGrouped (Mao et al.'s
// group-sparse sections: LeNet-5 at vector granularity with 8-bit values, LeNet-300-100 in SIMD groups of 8 as float32), read through TpzContainer.Parse and
// CompressedModel.Decode — what ModelFile.Load does for a .tpz. Documented: InvalidDataException only. Half of the
// mutated inputs come from TpzSectionMutator (correct CRCs, so the section decoders are reached), the rest from
// byte-level mutations of the file (mostly caught by the CRCs). A decoded model must have a 0/1 mask on every
// quantized weight and zero weights wherever the mask is 0.
using Topiary.Compression.Codecs;
using Topiary.Compression.Container;
using Topiary.Compression.Quantization;
using Topiary.Models;
using Topiary.Pruning;
using Xunit.Abstractions;

namespace Topiary.Tests.Reliability;

[Collection("Fuzz")]
[Trait("Category", "Fuzz")]
public sealed class TpzFuzzTests(ITestOutputHelper output)
{
    private static byte[] Container(string name, double sparsity, BitsRule bits, int indexBits)
    {
        var model = ModelZoo.Create(name, 5);
        foreach (var l in PrunableLayer.Find(model)) MagnitudePruner.Elementwise.Apply(l, new SparsityTarget(sparsity));
        var codebooks = Quantizer.Quantize(model, bits);
        return CompressedModel.Encode(name, model, codebooks,
            cb => indexBits == 0 ? QuantizedLayerCodec.BestIndexBits(cb.Name, cb) : indexBits,
            new Dictionary<string, string> { ["dataset"] = "mnist" }).Bytes;
    }

    private static byte[] GroupContainer(string name, IGranularity granularity, int valueBits)
    {
        var model = ModelZoo.Create(name, 6);
        var map = new Dictionary<Topiary.Nn.Parameter, IGranularity>();
        foreach (var l in PrunableLayer.Find(model))
        {
            new MagnitudePruner(granularity, PruningCriterion.L1).Apply(l, new WeightDensityTarget(0.2));
            map[l.Weight] = granularity;
        }
        return CompressedModel.EncodeGrouped(name, model, map, new Topiary.Compression.Grouped.GroupCodingOptions(valueBits, 4)).Bytes;
    }

    internal static readonly Lazy<FuzzSeed[]> Seeds = new(() =>
    [
        new("lenet-300-100", Container("lenet-300-100", 0.92, new BitsRule(8, 6), 5)),
        new("lenet-5", Container("lenet-5", 0.9, BitsRule.Paper("lenet-5"), 0)),
        new("lenet-300-100-dense", Container("lenet-300-100", 0.0, new BitsRule(8, 2), 3)),
        new("lenet-5-vector", GroupContainer("lenet-5", TrailingGranularity.Vector(4), 8)),
        new("lenet-300-100-simd8", GroupContainer("lenet-300-100", new SimdGroupGranularity(8), 32)),
    ]);

    internal static FuzzTarget Target() => new("tpz", Seeds.Value, input =>
    {
        var loaded = CompressedModel.Decode(TpzContainer.Parse(input, "fuzz.tpz"), "fuzz.tpz");
        foreach (var p in loaded.Network.Parameters().Where(p => p.Mask is not null))
        {
            var (mask, value) = (p.Mask!.Data, p.Value.Data);
            int bad = Enumerable.Range(0, mask.Length).FirstOrDefault(i => mask[i] is not (0f or 1f) || (mask[i] == 0f && value[i] != 0f), -1);
            Assert.True(bad < 0, $"entry {bad}: mask {(bad < 0 ? 0 : mask[bad])}, weight {(bad < 0 ? 0 : value[bad])}");
        }
    }, typeof(InvalidDataException))
    {
        Structured = TpzSectionMutator.Mutate,
    };

    // Found by the fuzzer: index bits 25..30 passed the [1, 30] check, and the gap table's alphabet 2^25 then made
    // CanonicalHuffman.ReadTable throw ArgumentOutOfRangeException (its limit is 2^24 symbols).
    [Fact]
    public void Regression_index_bits_above_the_huffman_alphabet_limit_are_InvalidDataException()
    {
        var sections = TpzContainer.Parse(Seeds.Value[0].Bytes, "seed.tpz").ToList();
        int i = sections.FindIndex(s => s.Kind == TpzSectionKind.QuantizedLayer);
        var payload = (byte[])sections[i].Payload.Clone();
        payload[1 + 4 * payload[0] + 2] = 25; // rank u8 | dims u32 x rank | order u8 | weight bits u8 | index bits u8
        sections[i] = sections[i] with { Payload = payload };
        var e = Assert.Throws<InvalidDataException>(() => CompressedModel.Decode(TpzContainer.Parse(TpzContainer.ToBytes(sections), "m.tpz"), "m.tpz"));
        Assert.Contains($"m.tpz: section '{sections[i].Name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("index bits 25", e.Message, StringComparison.Ordinal);
    }

    // The largest allocation a QuantizedLayer section can cause is set by the format, not by the file size: index bits
    // 24 allow a gap table of 2^24 symbols, which a ~100-bit table (one run of unused symbols) declares. Such a section
    // is valid (no entries: an all-zero layer). This pins that worst case below the fuzzers' 256 MB cap.
    [Fact]
    public void Largest_huffman_table_a_section_can_declare_stays_below_the_memory_cap()
    {
        var bits = new BitWriter();
        CanonicalHuffman.FromFrequencies(new long[1 << 6]).WriteTable(bits);   // code table: 6-bit codes, none used
        CanonicalHuffman.FromFrequencies(new long[1 << 24]).WriteTable(bits);  // gap table: 2^24 symbols, none used
        byte[] stream = bits.ToArray();
        byte[] payload = new PayloadWriter().U8(2).U32(300).U32(784).U8(0).U8(6).U8(24).U16(0).U32(0).U32(stream.Length).Bytes(stream).ToArray();
        Assert.True(payload.Length < 64, $"payload of {payload.Length} bytes");

        long before = GC.GetAllocatedBytesForCurrentThread();
        var (weight, mask) = QuantizedLayerCodec.Decode(payload, [300, 784], "crafted");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"a {payload.Length}-byte section declaring a 2^24-symbol gap table allocated {allocated / 1048576.0:F1} MB");
        Assert.All(weight.Data, w => Assert.Equal(0f, w));
        Assert.All(mask.Data, m => Assert.Equal(0f, m));
        Assert.InRange(allocated, 1L << 24, 256L << 20); // at least the 2^24 code lengths, at most the cap
    }

    [Fact]
    public void Mutated_containers_decode_or_throw_InvalidDataException()
    {
        var report = FuzzHarness.Run(Target());
        output.WriteLine(report.ToString());
        FuzzHarness.AssertClean(report, nameof(TpzFuzzTests));
        FuzzHarness.AssertMutatorBalance(report);
    }
}
