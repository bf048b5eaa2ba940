// The corpus itself: at least 24 uniquely named models covering opsets 7 to 21, built deterministically, each a valid
// ONNX file that ONNX Runtime loads and runs on a seeded input (batch 1, and 3 when the batch dim is symbolic) with
// finite, non-constant outputs of the declared shape. This proves the builder writes what ONNX Runtime accepts.
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Topiary.Tests.IO;

namespace Topiary.Tests.Onnx.Corpus;

public class OnnxCorpusSanityTests
{
    public static TheoryData<string> Models => OnnxCorpus.Names();

    [Fact]
    public void Corpus_has_at_least_24_uniquely_named_models_from_opset_7_to_21()
    {
        var all = OnnxCorpus.All;
        Assert.True(all.Count >= 24, $"{all.Count} corpus models");
        Assert.Equal(all.Count, all.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(all, m => m.Opset == 7);
        Assert.Contains(all, m => m.Opset == 21);
        foreach (var m in all)
        {
            var proto = m.Build();
            Assert.Equal(m.Opset, proto.OpsetImport.Single(o => o.Domain == "").Version);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Corpus_model_is_deterministic(string name)
    {
        var model = OnnxCorpus.Get(name);
        Assert.Equal(model.Build().ToByteArray(), model.Build().ToByteArray());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Corpus_model_loads_and_runs_in_ort(string name)
    {
        using var dir = new TempDirectory();
        var model = OnnxCorpus.Get(name);
        var proto = model.Build();
        string path = model.Save(dir.Path);
        var (input, _, rest) = CorpusOrt.DataInput(proto);
        var declared = proto.Graph.Output[0].Type.TensorType.Shape.Dim;

        using var session = new InferenceSession(path);
        Assert.Equal([input], session.InputNames);
        Assert.Equal([proto.Graph.Output[0].Name], session.OutputNames);
        foreach (int batch in CorpusOrt.Batches(proto))
        {
            var (x, shape) = CorpusOrt.SeededInput(rest, batch, seed: batch);
            var (y, yShape) = CorpusOrt.Run(session, input, x, shape);
            long[] expected = [.. declared.Select(d => d.HasDimValue ? d.DimValue : batch)];
            Assert.True(expected.SequenceEqual(yShape), $"{name} batch {batch}: output shape [{string.Join(",", yShape)}], declared [{string.Join(",", expected)}]");
            Assert.All(y, v => Assert.True(float.IsFinite(v), $"{name}: non-finite output {v}"));
            float max = y.Max(), min = y.Min();
            Assert.True(max - min > 1e-6f * Math.Max(1f, Math.Abs(max)), $"{name} batch {batch}: constant output {min}..{max}");
        }
    }
}
