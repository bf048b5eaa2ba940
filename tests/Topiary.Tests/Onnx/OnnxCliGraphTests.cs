// `topiary export --sparse-initializers` and `topiary import` on a model with Residual blocks: the export holds
// sparse initializers and runs in ONNX Runtime with our outputs; importing it back gives a model file with the
// same outputs; an imported file exported back keeps its input/output names, shapes and opset.
using Topiary.Cli;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;
using static Topiary.Tests.Onnx.OnnxTestSupport;

namespace Topiary.Tests.Onnx;

[Collection("Console")]
public class OnnxCliGraphTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-onnx-cli-graph-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ExportWithSparseInitializers_ThenImport_KeepsOutputs()
    {
        var model = OnnxGraphModels.ResNetLike(seed: 41);
        var rng = new Random(42);
        foreach (var (_, m) in model.NamedModules())
        {
            if (m is not Conv2d conv) continue;
            var mask = new Tensor(conv.Weight.Value.Shape.ToArray());
            for (int i = 0; i < mask.Length; i++) mask.Data[i] = rng.NextDouble() < 0.75 ? 0f : 1f;
            conv.Weight.SetMask(mask);
        }
        string file = Path.Combine(_dir, "resnet.safetensors"), onnx = Path.Combine(_dir, "resnet.onnx"), back = Path.Combine(_dir, "back.safetensors");
        ModelFile.Save(file, "resnet-like", model);

        Assert.Equal(0, await CliApp.RunAsync(["export", "--model-file", file, "--out", onnx, "--sparse-initializers"]));
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx)).Graph;
        Assert.Contains(graph.SparseInitializer, s => s.Values.Name == "res2.body.conv1.weight");
        Assert.Contains(graph.Node, n => n.OpType == "Add" && n.Name == "res2");

        float[] x = OnnxGraphModels.MnistImages(8);
        int[] shape = [8, 1, 28, 28];
        float[] ours = RunOurs(model, x, shape);
        AssertClose(RunOrt(onnx, x, shape), ours, "CLI sparse export vs Topiary");

        Assert.Equal(0, await CliApp.RunAsync(["import", onnx, "--out", back]));
        AssertClose(ours, RunOurs(ModelFile.Load(back).Network, x, shape), "CLI import of the branched export");
    }

    // `topiary import` records the file's inputs/outputs; `topiary export` writes them back: same names, same shapes,
    // same opset, and ONNX Runtime computes the same function from both files.
    [Fact]
    public async Task ImportThenExport_KeepsTheFilesNamesShapesAndFunction()
    {
        string source = OnnxTestSupport.SharedModelPath();
        string file = Path.Combine(_dir, "cnn.safetensors"), onnx = Path.Combine(_dir, "cnn.onnx");
        Assert.Equal(0, await CliApp.RunAsync(["import", source, "--out", file]));
        Assert.Equal(0, await CliApp.RunAsync(["export", "--model-file", file, "--out", onnx]));

        var original = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
        var again = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx));
        var inputs = original.Graph.Input.Where(i => original.Graph.Initializer.All(t => t.Name != i.Name)).ToList();
        Assert.Equal(inputs.Select(i => i.Name), again.Graph.Input.Select(i => i.Name));
        Assert.Equal(original.Graph.Output.Select(o => o.Name), again.Graph.Output.Select(o => o.Name));
        Assert.Equal(Math.Max(13, original.OpsetImport.Single(o => o.Domain.Length == 0).Version), again.OpsetImport.Single().Version);
        static string Dims(ValueInfoProto v) => string.Join(",", v.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        Assert.Equal(Dims(inputs[0]), Dims(again.Graph.Input[0]));

        string input = inputs[0].Name, output = again.Graph.Output[0].Name;
        float[] x = RandomInput(5, 4 * 784);
        AssertClose(RunOrt(source, x, [4, 1, 28, 28], input, output), RunOrt(onnx, x, [4, 1, 28, 28], input, output), "CLI import → export");
    }
}
