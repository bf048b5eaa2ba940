// `topiary import --verify`: ONNX Runtime on the file vs Topiary on the import. The real PyTorch ResNet-20 passes (exit
// 0, the JSON report carries the per-output differences and the file's input shape, batch 1 as written); a weight changed after import is caught by OnnxVerify with
// the difference above the tolerance; user arrays of the wrong shape are refused naming the input.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Cli.Commands;
using Topiary.IO;
using Topiary.Onnx;
using Topiary.Tensors;
using static Topiary.Tests.Onnx.Corpus.SharedOnnxFiles;

namespace Topiary.Tests.Onnx;

[Collection("Console")]
[Trait("Category", "EndToEnd")]
public sealed class OnnxVerifyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-onnx-verify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Import_verify_passes_on_a_real_pytorch_resnet_and_reports_the_difference()
    {
        string file = Verified(Wild, "pytorch-resnet20-cifar.onnx");
        string model = Path.Combine(_dir, "r20.safetensors"), json = Path.Combine(_dir, "r20.json");
        Assert.Equal(0, await CliApp.RunAsync(["import", file, "--verify", "--out", model, "--json", json]));
        Assert.True(File.Exists(model));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var verify = Assert.Single(doc.RootElement.GetProperty("verify").EnumerateArray());
        Assert.Equal("208", verify.GetProperty("output").GetString());
        double diff = verify.GetProperty("max_abs_difference").GetDouble(), tolerance = verify.GetProperty("tolerance").GetDouble();
        Assert.True(diff <= tolerance && tolerance > 0, $"difference {diff}, tolerance {tolerance}");
        Assert.Equal([1, 3, 32, 32], doc.RootElement.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task Import_verify_feeds_user_arrays_and_refuses_the_wrong_shape()
    {
        string file = Verified(Wild, "pytorch-resnet20-cifar.onnx");
        string good = Path.Combine(_dir, "x.npy"), bad = Path.Combine(_dir, "bad.npy");
        NpyWriter.Write(good, Tensor.RandomNormal(new Random(3), 1f, 1, 3, 32, 32).Data, [1, 3, 32, 32]);
        NpyWriter.Write(bad, new float[3 * 28 * 28], [1, 3, 28, 28]);
        Assert.Equal(0, await CliApp.RunAsync(["import", file, "--verify", "--input", good, "--out", Path.Combine(_dir, "a.safetensors")]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["import", file, "--verify", "--input", bad, "--out", Path.Combine(_dir, "b.safetensors")]));
        Assert.False(File.Exists(Path.Combine(_dir, "b.safetensors")));
    }

    [Fact]
    public void A_changed_weight_is_reported_above_the_tolerance()
    {
        string file = Verified(Wild, "pytorch-mnist-logsoftmax.onnx");
        var (model, info) = OnnxImporter.Import(file);
        var inputs = OnnxVerify.SeededInputs(info, seed: 1);
        Assert.True(OnnxVerify.Compare(file, model, info, inputs).All(r => r.Passed));
        var fc2 = model.NamedParameters().Single(p => p.Name == "fc2.weight").Parameter;
        fc2.Value.ScaleInPlace(1.5f);
        var report = Assert.Single(OnnxVerify.Compare(file, model, info, inputs));
        Assert.False(report.Passed, $"difference {report.MaxAbsDifference}, tolerance {report.Tolerance}");
    }
}
