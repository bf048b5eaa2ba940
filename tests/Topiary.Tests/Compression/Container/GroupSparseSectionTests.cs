// The .tpz GroupSparseLayer section: a group-pruned model round-trips through the container (bit-exact with float32
// values, the linear quantiser's reconstruction otherwise), each section's payload is the storage model's bits plus
// its frame, and corrupt payloads are rejected with InvalidDataException naming the field.
using System.Buffers.Binary;
using Topiary.Compression.Container;
using Topiary.Compression.Grouped;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Tests.Compression.Container;

public class GroupSparseSectionTests
{
    public static TheoryData<string, int> Granularities => new()
    {
        { "element", 32 }, { "vector", 32 }, { "kernel", 8 }, { "row", 5 }, { "simd8", 32 }, { "simd2", 12 },
    };

    private static IGranularity Make(string name) => name switch
    {
        "element" => ElementGranularity.Instance,
        "vector" => TrailingGranularity.Vector(3),
        "kernel" => TrailingGranularity.Kernel,
        "row" => RowGranularity.Instance,
        _ => new SimdGroupGranularity(int.Parse(name[4..], System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static (Module Model, Dictionary<Parameter, IGranularity> Map) Pruned(string granularity, double density)
    {
        var model = ModelZoo.Create("lenet-5", 3);
        var map = new Dictionary<Parameter, IGranularity>();
        foreach (var l in PrunableLayer.Find(model))
        {
            var g = Make(granularity);
            new MagnitudePruner(g, PruningCriterion.L1).Apply(l, new WeightDensityTarget(density));
            map[l.Weight] = g;
        }
        return (model, map);
    }

    [Theory]
    [MemberData(nameof(Granularities))]
    public void Group_pruned_model_round_trips_and_sections_are_the_storage_model_plus_frame(string granularity, int valueBits)
    {
        var (model, map) = Pruned(granularity, 0.2);
        var coding = new GroupCodingOptions(valueBits, 4);
        var encoded = CompressedModel.EncodeGrouped("lenet-5", model, map, coding);
        var sections = TpzContainer.Parse(encoded.Bytes, "g.tpz");
        Assert.Equal(4, sections.Count(s => s.Kind == TpzSectionKind.GroupSparseLayer));
        foreach (var layer in PrunableLayer.Find(model))
        {
            var storage = GroupStorageModel.ForLayer(layer, map[layer.Weight], coding);
            var section = sections.Single(s => s.Name == layer.Name + ".weight");
            Assert.Equal(GroupSparseLayerCodec.HeaderBytes(layer.Weight.Value.Rank) + (storage.TotalBits + 7) / 8, section.Payload.Length);
        }
        Assert.Equal(encoded.Layers.Sum(l => (long)l.PayloadBytes), encoded.WeightPayloadBytes);

        var decoded = CompressedModel.Decode(sections, "g.tpz").Network;
        var expected = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, p) in decoded.NamedParameters())
        {
            var src = expected[name];
            var direct = map.TryGetValue(src, out var g)
                ? GroupSparseDecoder.Decode(GroupSparseEncoder.Encode(name, src.Value.Span, src.Mask!.Span, src.Value.Shape.ToArray(), g, coding), g)
                : new GroupDecodedLayer(src.Value.Data, []);
            // The container decodes to exactly what the encoder/decoder pair gives (raw float32: the weights themselves).
            Assert.Equal(direct.Values.Select(BitConverter.SingleToInt32Bits), p.Value.Data.Select(BitConverter.SingleToInt32Bits));
            // (Masked weights may be −0 in the model and come back +0: equal as values.)
            if (valueBits == 32) Assert.Equal(src.Value.Data, p.Value.Data);
            if (g is not null) Assert.Equal(direct.Mask, p.Mask!.Data);
        }
        // And the decoded model computes what the pruned model computes when values are raw float32.
        if (valueBits == 32)
        {
            var x = Topiary.Tensors.Tensor.RandomNormal(new Random(4), 1f, 3, 1, 28, 28);
            Assert.Equal(model.Forward(x, training: false).Data, decoded.Forward(x, training: false).Data);
        }
    }

    private static byte[] ValidPayload(out int[] shape)
    {
        var (model, map) = Pruned("vector", 0.3);
        var fc2 = PrunableLayer.Find(model).Single(l => l.Name == "fc2");
        shape = fc2.Weight.Value.Shape.ToArray();
        var enc = GroupSparseEncoder.Encode("fc2.weight", fc2.Weight.Value.Span, fc2.Weight.Mask!.Span, shape, map[fc2.Weight], new GroupCodingOptions(8, 4));
        return GroupSparseLayerCodec.Encode(enc, map[fc2.Weight]);
    }

    [Fact]
    public void Corrupt_payloads_are_rejected_naming_the_field()
    {
        var good = ValidPayload(out var shape); // rank 2: rank u8 | 2 dims | granularity u8 @9 | parameter u32 @10 | bits @14,15 | bit_length u32 @16
        GroupSparseLayerCodec.Decode(good, shape, "ok");

        string Fails(Action<byte[]> corrupt, int[]? expected = null)
        {
            var bad = (byte[])good.Clone();
            corrupt(bad);
            return Assert.Throws<InvalidDataException>(() => GroupSparseLayerCodec.Decode(bad, expected ?? shape, "m.tpz: section 'fc2.weight'")).Message;
        }
        Assert.Contains("does not match the architecture", Fails(_ => { }, [10, 499]));
        Assert.Contains("unknown granularity code 9", Fails(b => b[9] = 9));
        Assert.Contains("parameter is 0", Fails(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(10), 0)));
        Assert.Contains("value_bits is 33", Fails(b => b[14] = 33));
        Assert.Contains("index_bits is 0", Fails(b => b[15] = 0));
        Assert.Contains("bit_length", Fails(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), uint.MaxValue)));
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => GroupSparseLayerCodec.Decode(good.AsSpan(0, 12), shape, "m.tpz")).Message);
        Assert.All(new[] { "m.tpz" }, w => Assert.StartsWith(w, Fails(b => b[9] = 7)));
    }

    [Fact]
    public void Granularities_without_a_container_code_are_refused()
    {
        var model = ModelZoo.Create("lenet-5", 1);
        var weight = PrunableLayer.Find(model)[0].Weight;
        var odd = new OddGranularity();
        var ex = Assert.Throws<ArgumentException>(() => CompressedModel.EncodeGrouped("lenet-5", model, new Dictionary<Parameter, IGranularity> { [weight] = odd }, new GroupCodingOptions()));
        Assert.Contains("odd", ex.Message);
    }

    private sealed class OddGranularity : IGranularity
    {
        public string Name => "odd";

        public int[] Groups(ReadOnlySpan<int> weightShape, out int groupCount) => ElementGranularity.Instance.Groups(weightShape, out groupCount);
    }
}
