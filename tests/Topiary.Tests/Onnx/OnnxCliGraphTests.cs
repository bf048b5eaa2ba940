// `topiary export --sparse-initializers` and `topiary import` on a model with Residual blocks: the export holds
// sparse initializers and runs in ONNX Runtime with our outputs; importing it back gives a model file with the
// same outputs.
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
}
