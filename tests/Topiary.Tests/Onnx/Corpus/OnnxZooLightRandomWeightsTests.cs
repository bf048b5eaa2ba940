// The zoo "light" files replace every weight by a ConstantOfShape of one value, so their outputs are nearly uniform
// (AlexNet's softmax is 0.001 everywhere) and agreeing with ONNX Runtime on them proves little about the arithmetic.
// Here each ConstantOfShape is swapped, in memory, for an initializer of the same shape with seeded random values
// (±1/√fan-in for weights, 0.5..1.5 for BatchNorm variances and scales, ±0.1 otherwise); the rewritten file must still
// import and compute what ONNX Runtime computes on it — now on varied, non-degenerate outputs — and so must the import
// rewritten for inference (every fusion, the in-place concatenations and the activation arena on real graphs).
using Google.Protobuf;
using Topiary.Onnx.Proto;
using Topiary.Tests.IO;
using static Topiary.Tests.Onnx.Corpus.SharedOnnxFiles;

namespace Topiary.Tests.Onnx.Corpus;

// ImageNet-size networks (VGG-19 has 143 M weights): end-to-end, so the scalar fallback CI passes skip them.
[Trait("Category", "EndToEnd")]
public class OnnxZooLightRandomWeightsTests
{
    public static TheoryData<string> ZooFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Folder(ZooLight), "*.onnx").Select(Path.GetFileName).Order()) data.Add(f!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ZooFiles))]
    public void Zoo_light_file_with_random_weights_imports_and_matches_ort(string file)
    {
        using var dir = new TempDirectory();
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Verified(ZooLight, file)));
        int replaced = RandomiseWeights(proto, seed: 5);
        Assert.True(replaced > 0, $"{file}: no ConstantOfShape weights found");
        string path = dir.File(file);
        File.WriteAllBytes(path, proto.ToByteArray());
        CorpusChecks.ImportMatchesOrt(path, $"{file} with random weights", fused: true);
    }

    // Replaces every ConstantOfShape whose shape input is an initializer by a random initializer; returns how many.
    private static int RandomiseWeights(ModelProto proto, int seed)
    {
        var graph = proto.Graph;
        var rng = new Random(seed);
        var shapes = graph.Initializer.ToDictionary(t => t.Name);
        int count = 0;
        foreach (var node in graph.Node.Where(n => n.OpType == "ConstantOfShape").ToList())
        {
            if (!shapes.TryGetValue(node.Input[0], out var shapeTensor)) continue;
            var dims = shapeTensor.Int64Data.Count > 0 ? shapeTensor.Int64Data.ToArray()
                : Enumerable.Range(0, shapeTensor.RawData.Length / 8).Select(i => BitConverter.ToInt64(shapeTensor.RawData.Span[(i * 8)..])).ToArray();
            long n = dims.Aggregate(1L, (a, d) => a * d);
            string name = node.Output[0];
            bool positive = name.Contains("var", StringComparison.Ordinal) || name.Contains("riv", StringComparison.Ordinal)
                || name.Contains("scale", StringComparison.Ordinal) || name.EndsWith("_s_0", StringComparison.Ordinal);
            double fanIn = dims.Length >= 2 ? dims.Skip(1).Aggregate(1.0, (a, d) => a * d) : 0;
            var values = new float[n];
            for (long i = 0; i < n; i++)
            {
                double u = rng.NextDouble();
                values[i] = (float)(positive ? 0.5 + u : fanIn > 0 ? (2 * u - 1) / Math.Sqrt(fanIn) : 0.2 * u - 0.1);
            }
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.Add(dims);
            var bytes = new byte[n * 4];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            t.RawData = ByteString.CopyFrom(bytes);
            graph.Node.Remove(node);
            graph.Initializer.Add(t);
            count++;
        }
        return count;
    }
}
