// OnnxExporter: files written for zoo models (dense and 80%-pruned; every registered zoo model by name) and for a
// model using every exportable layer run in ONNX Runtime with the same outputs as Topiary; export → import round
// trips; unsupported layers are named.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Tensors;
using Topiary.Tests.IO;
using static Topiary.Tests.Onnx.OnnxTestSupport;

namespace Topiary.Tests.Onnx;

public class OnnxExportTests
{
    [Theory]
    [InlineData("lenet-300-100", false)]
    [InlineData("lenet-300-100", true)]
    [InlineData("lenet-5", false)]
    [InlineData("lenet-5", true)]
    public void ZooModel_RunsInOnnxRuntimeWithOurOutputs(string name, bool pruned)
    {
        using var dir = new TempDirectory();
        var model = ModelZoo.Create(name, seed: 3);
        if (pruned) Prune(model, 0.8, seed: 4);
        string path = dir.File(name + ".onnx");
        OnnxExporter.Export(model, [1, 28, 28], path);

        foreach (int batch in new[] { 1, 7 })
        {
            int[] shape = [batch, 1, 28, 28];
            float[] x = RandomInput(batch, batch * 784);
            AssertClose(RunOrt(path, x, shape), RunOurs(model, x, shape), $"{name} pruned={pruned} batch={batch}");
        }
    }

    public static TheoryData<string> ZooNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in ModelZoo.Names) data.Add(name);
            return data;
        }
    }

    // Every registered zoo model (new ones are covered automatically): the export runs in ONNX Runtime with our
    // outputs at batch 1 and 3, keeps a symbolic batch on input and output, and is byte-identical when repeated.
    [Theory]
    [MemberData(nameof(ZooNames))]
    public void EveryZooModel_ExportsAndOnnxRuntimeMatches(string name)
    {
        using var dir = new TempDirectory();
        var info = ModelZoo.Get(name);
        var model = info.Factory(7);
        string path = dir.File(name + ".onnx"), again = dir.File(name + "-again.onnx");
        OnnxExporter.Export(model, info.InputShape, path);
        OnnxExporter.Export(model, info.InputShape, again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
        var graph = Topiary.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        Assert.Equal("N", graph.Input.Single().Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("N", graph.Output.Single().Type.TensorType.Shape.Dim[0].DimParam);

        foreach (int batch in new[] { 1, 3 })
        {
            int[] shape = [batch, .. info.InputShape];
            float[] x = RandomInput(50 + batch, shape.Aggregate(1, (a, b) => a * b));
            float[] reference = RunOrt(path, x, shape);
            Assert.True(reference.Max(MathF.Abs) > 0, $"{name}: all outputs are zero");
            AssertClose(reference, RunOurs(model, x, shape), $"{name} batch {batch}");
        }
    }

    [Fact]
    public void PrunedWeights_AreZerosInTheFileAndSurviveImport()
    {
        using var dir = new TempDirectory();
        var model = ModelZoo.Create("lenet-5", seed: 5);
        Prune(model, 0.8, seed: 6);
        string path = dir.File("pruned.onnx");
        OnnxExporter.Export(model, [1, 28, 28], path);

        var (imported, info) = OnnxImporter.Import(path);
        Assert.Equal("topiary", info.ProducerName);
        var original = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (pname, p) in imported.NamedParameters())
        {
            Assert.Equal(original[pname].Value.Data, p.Value.Data);
            if (pname.EndsWith(".weight", StringComparison.Ordinal))
                Assert.Equal(original[pname].UnmaskedCount, p.Value.Data.Count(v => v != 0));
        }
        Assert.Equal(original.Keys, imported.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void EveryExportableLayer_MatchesOnnxRuntimeAndRoundTrips()
    {
        using var dir = new TempDirectory();
        var rng = new Random(7);
        var bn = new BatchNorm2d(4, eps: 1e-3f);
        for (int c = 0; c < 4; c++)
        {
            bn.Weight.Value.Data[c] = 0.5f + c;
            bn.Bias.Value.Data[c] = 0.1f * c - 0.2f;
            bn.RunningMean.Data[c] = 0.05f * c;
            bn.RunningVar.Data[c] = 0.5f + 0.25f * c;
        }
        var model = new Sequential()
            .Add("conv1", new Conv2d(2, 4, (3, 3), rng, padding: (1, 1)))
            .Add("bn1", bn)
            .Add("relu1", new ReLU())
            .Add("lrn", new LocalResponseNorm(3, alpha: 0.01f, beta: 0.75f, k: 2f))
            .Add("pool1", new AvgPool2d(2))
            .Add("drop", new Dropout(0.5f, seed: 1))
            .Add("block", new Sequential().Add("conv2", new Conv2d(4, 6, (3, 3), rng, stride: (2, 2))).Add("ident", new Identity()))
            .Add("pool2", new MaxPool2d(3, 1, 1))
            .Add("gap", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(6, 5, rng));
        string path = dir.File("all.onnx");
        OnnxExporter.Export(model, [2, 12, 12], path, "pixels", "scores");
        var (imported, info) = OnnxImporter.Import(path);
        Assert.Equal("pixels", info.InputName);
        Assert.Equal("scores", info.OutputName);
        Assert.Contains("block.conv2.weight", info.ParameterSources.Values);

        foreach (int batch in new[] { 1, 7 })
        {
            int[] shape = [batch, 2, 12, 12];
            float[] x = RandomInput(10 + batch, batch * 2 * 12 * 12);
            float[] reference = RunOrt(path, x, shape, "pixels", "scores");
            AssertClose(reference, RunOurs(model, x, shape), $"exported model, batch {batch}");
            AssertClose(reference, RunOurs(imported, x, shape), $"re-imported model, batch {batch}");
        }
    }

    [Fact]
    public void UnsupportedLayer_IsNamed()
    {
        using var dir = new TempDirectory();
        var rng = new Random(1);
        var model = new Sequential().Add("fc", new Linear(4, 4, rng)).Add("res", new Residual(new Sequential().Add("odd", new Square())));
        string path = dir.File("res.onnx");
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, [4], path));
        Assert.Contains("res.body.odd", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void InputShapeThatDoesNotFit_IsRejected()
    {
        using var dir = new TempDirectory();
        var model = ModelZoo.Create("lenet-300-100", seed: 1);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, [1, 14, 14], dir.File("bad.onnx")));
    }

    // A layer the exporter does not know: y = x².
    private sealed class Square : Module
    {
        public override Tensor Forward(Tensor input, bool training)
        {
            var y = new Tensor(input.Shape.ToArray());
            for (int i = 0; i < y.Length; i++) y.Data[i] = input.Data[i] * input.Data[i];
            return y;
        }

        public override Tensor Backward(Tensor gradOutput) => throw new NotSupportedException();
    }

    // Seeded random 0/1 masks removing `fraction` of every weight tensor.
    private static void Prune(Module model, double fraction, int seed)
    {
        var rng = new Random(seed);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!name.EndsWith(".weight", StringComparison.Ordinal)) continue;
            var mask = new Tensor(p.Value.Shape.ToArray());
            for (int i = 0; i < mask.Length; i++) mask.Data[i] = rng.NextDouble() < fraction ? 0f : 1f;
            p.SetMask(mask);
        }
    }
}
