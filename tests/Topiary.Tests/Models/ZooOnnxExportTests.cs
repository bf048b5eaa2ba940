// The trainable zoo models exported to ONNX run in ONNX Runtime with our evaluation-mode outputs (batch 1 and 5,
// BatchNorm statistics set to non-trivial values so that the exported BatchNormalization nodes matter).
using Topiary.Models;
using Topiary.Onnx;
using Topiary.Tests.IO;
using static Topiary.Tests.Onnx.OnnxTestSupport;

namespace Topiary.Tests.Models;

public class ZooOnnxExportTests
{
    [Theory]
    [InlineData("resnet-20")]
    [InlineData("squeezenet")]
    [InlineData("mobilenet-v2")]
    public void Exported_model_runs_in_onnx_runtime_with_our_outputs(string name) => ExportAndCompare(name);

    internal static void ExportAndCompare(string name)
    {
        using var dir = new TempDirectory();
        var model = ModelZoo.Create(name, seed: 11);
        ZooModels.RandomizeBatchNormStatistics(model, seed: 12);
        string path = dir.File(name + ".onnx");
        OnnxExporter.Export(model, ModelZoo.Get(name).InputShape, path);
        foreach (int batch in new[] { 1, 5 })
        {
            int[] shape = [batch, 1, 28, 28];
            float[] x = RandomInput(batch + 20, batch * 784);
            AssertClose(RunOrt(path, x, shape), RunOurs(model, x, shape), $"{name} batch={batch}");
        }
    }
}
