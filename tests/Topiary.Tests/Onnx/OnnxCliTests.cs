using Topiary.Cli;
using Topiary.Data;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Training;

namespace Topiary.Tests.Onnx;

// The ONNX issue's first "done when", through the CLI: import the PyTorch model, evaluate it like ORT does,
// prune it, export it, and have ORT run the export with Topiary's outputs.
[Collection("Console")]
[Trait("Category", "EndToEnd")]
public class OnnxCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-onnx-cli-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Import_evaluate_prune_export_round_trip_matches_onnx_runtime()
    {
        string imported = Path.Combine(_dir, "cnn.safetensors");
        Assert.Equal(0, await CliApp.RunAsync(["import", OnnxTestSupport.SharedModelPath(), "--out", imported]));
        var loaded = ModelFile.Load(imported);
        Assert.Equal("mnist-normalize", loaded.Metadata[ModelFile.InputTransformKey]);

        // Accuracy on 2,000 test images: the imported model vs ONNX Runtime on the original file.
        var test = TrainingRun.Take(TrainingRun.LoadDataset("mnist", DatasetSplit.Test, transform: PixelTransform.MnistNormalize), 2000);
        int[] shape = [test.Count, 1, 28, 28];
        var ort = OnnxTestSupport.RunOrt(OnnxTestSupport.SharedModelPath(), test.Images, shape);
        int ortCorrect = OnnxTestSupport.Correct(ort, test.Labels, 10);
        Assert.Equal(ortCorrect, (int)Math.Round(TrainingRun.Evaluate(loaded.Network, test).Accuracy * test.Count));

        string pruned = Path.Combine(_dir, "pruned.safetensors");
        Assert.Equal(0, await CliApp.RunAsync(["prune", "--model-file", imported, "--targets", "fc1=0.9,conv2=0.5", "--schedule", "one-shot",
            "--epochs-per-round", "0", "--out", pruned]));
        var p = ModelFile.Load(pruned);
        Assert.Equal(0.1, PrunableLayer.ByName(PrunableLayer.Find(p.Network), "fc1").KeptFraction, 3);

        string onnx = Path.Combine(_dir, "pruned.onnx");
        Assert.Equal(0, await CliApp.RunAsync(["export", "--model-file", pruned, "--out", onnx]));
        var input = OnnxTestSupport.RandomInput(3, 7 * 784);
        OnnxTestSupport.AssertClose(OnnxTestSupport.RunOrt(onnx, input, [7, 1, 28, 28]), OnnxTestSupport.RunOurs(p.Network, input, [7, 1, 28, 28]), "pruned export");
    }
}
