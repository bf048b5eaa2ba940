using Topiary.Compression.Codecs;
using Topiary.Compression.Container;
using Topiary.Compression.Quantization;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Tensors;

namespace Topiary.Tests.Compression.Container;

public class CompressedModelTests
{
    private static (Topiary.Nn.Module Model, IReadOnlyList<LayerCodebook> Codebooks) QuantizedLeNet(string name, double sparsity, BitsRule bits)
    {
        var model = ModelZoo.Create(name, 5);
        foreach (var l in PrunableLayer.Find(model)) MagnitudePruner.Elementwise.Apply(l, new SparsityTarget(sparsity));
        var rng = new Random(6);
        foreach (var p in model.Parameters().Where(p => p.Value.Rank == 1)) // non-zero biases, so they are really stored
            for (int i = 0; i < p.Length; i++) p.Value[i] = (float)(rng.NextDouble() - 0.5);
        return (model, Quantizer.Quantize(model, bits));
    }

    [Theory]
    [InlineData("lenet-300-100", 0.92, 6, 0)]
    [InlineData("lenet-300-100", 0.5, 6, 5)]
    [InlineData("lenet-5", 0.9, 0, 0)]
    [InlineData("lenet-5", 0.0, 0, 3)]
    public void Decoded_container_is_the_quantized_model_bit_for_bit(string name, double sparsity, int fcBits, int indexBits)
    {
        var rule = fcBits == 0 ? BitsRule.Paper(name) : new BitsRule(8, fcBits);
        var (model, codebooks) = QuantizedLeNet(name, sparsity, rule);
        var encoded = CompressedModel.Encode(name, model, codebooks,
            cb => indexBits == 0 ? QuantizedLayerCodec.BestIndexBits(cb.Name, cb) : indexBits);
        var decoded = CompressedModel.Decode(TpzContainer.Parse(encoded.Bytes, "m.tpz"), "m.tpz");
        Assert.Equal(name, decoded.Name);
        var a = model.NamedParameters().ToArray();
        var b = decoded.Network.NamedParameters().ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].Name, b[i].Name);
            Assert.Equal(a[i].Parameter.Value.Data.Select(BitConverter.SingleToInt32Bits), b[i].Parameter.Value.Data.Select(BitConverter.SingleToInt32Bits));
        }
        foreach (var cb in codebooks)
        {
            var mask = decoded.Network.NamedParameters().Single(p => p.Parameter.Value.SameShape(cb.Layer.Weight.Value) && p.Name.StartsWith(cb.Name)).Parameter.Mask!;
            for (int i = 0; i < mask.Length; i++) Assert.Equal(cb.Codes[i] != 0 ? 1f : 0f, mask[i]);
        }
        var x = Tensor.RandomUniform(new Random(7), 1f, 16, 1, 28, 28);
        Assert.Equal(model.Forward(x, false).Data, decoded.Network.Forward(x, false).Data);
        Assert.Equal(codebooks.Count, encoded.Layers.Count);
        Assert.All(encoded.Layers, l => Assert.Equal(l.NonZeros, codebooks.Single(c => c.Name + ".weight" == l.Name).SurvivingCount));
    }

    [Fact]
    public void Storage_account_huffman_stage_matches_the_bits_actually_written()
    {
        var (model, codebooks) = QuantizedLeNet("lenet-300-100", 0.92, new BitsRule(8, 6));
        var encoded = CompressedModel.Encode("lenet-300-100", model, codebooks, _ => 5);
        var account = Topiary.Compression.StorageAccount.From(encoded);
        foreach (var l in encoded.Layers)
        {
            // payload = header fields + codebook + stream bytes; the stream holds exactly tables + codes + gaps.
            long streamBits = l.HuffmanTableBits + l.HuffmanCodeBits + l.HuffmanIndexBits;
            int header = 1 + 4 * 2 + 3 + 2 + 4 * l.Centroids + 4 + 4;
            Assert.Equal(header + (streamBits + 7) / 8, l.PayloadBytes);
            var weight = model.NamedParameters().Single(p => p.Name == l.Name).Parameter.Value;
            var (rows, cols) = SparseLayout.MatrixShape(weight.Shape);
            Assert.Equal(RelativeIndexCodec.FillerCount(SparseLayout.NonZeroWalkIndices(weight.Span, rows, cols, SparseOrder.RowMajor), 5), l.Fillers);
        }
        Assert.Equal(encoded.Bytes.Length, account.Stages[^1].Bytes);
        Assert.True(account.Stages.Select(s => s.Bytes).Take(4).Zip(account.Stages.Skip(1).Take(3).Select(s => s.Bytes)).All(p => p.First > p.Second),
            "each stage is smaller than the one before");
    }

    [Fact]
    public void Decoder_rejects_corruption_foreign_architectures_and_mismatched_shapes()
    {
        var (model, codebooks) = QuantizedLeNet("lenet-300-100", 0.9, new BitsRule(8, 6));
        var bytes = CompressedModel.Encode("lenet-300-100", model, codebooks, _ => 5).Bytes;
        var rng = new Random(8);
        for (int t = 0; t < 300; t++)
        {
            var copy = (byte[])bytes.Clone();
            copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
            Assert.Throws<InvalidDataException>(() => CompressedModel.Decode(TpzContainer.Parse(copy, "f.tpz"), "f.tpz"));
        }
        var sections = TpzContainer.Parse(bytes, "m.tpz").ToList();
        // A valid-CRC container whose metadata names another architecture: shapes no longer match.
        sections[0] = new TpzSection(TpzSectionKind.Metadata, "metadata", "{\"model\":\"lenet-5\"}"u8.ToArray());
        var ex = Assert.Throws<InvalidDataException>(() => CompressedModel.Decode(TpzContainer.Parse(TpzContainer.ToBytes(sections), "x.tpz"), "x.tpz"));
        Assert.Contains("x.tpz", ex.Message);
        sections[0] = new TpzSection(TpzSectionKind.Metadata, "metadata", "{\"model\":\"resnet-1000\"}"u8.ToArray());
        Assert.Contains("'model'", Assert.Throws<InvalidDataException>(() => CompressedModel.Decode(sections, "y.tpz")).Message);
        var missing = TpzContainer.Parse(bytes, "m.tpz").Where(s => s.Name != "fc2.bias").ToList();
        Assert.Contains("fc2.bias", Assert.Throws<InvalidDataException>(() => CompressedModel.Decode(missing, "z.tpz")).Message);
    }
}
