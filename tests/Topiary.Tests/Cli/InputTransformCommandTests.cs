// Commands that evaluate or retrain a model file see the pixels it was trained on: a file whose metadata names an input
// transform (an imported ONNX model normalised like torchvision's MNIST) is evaluated with it by `sensitivity` (the
// unpruned point of every curve is `evaluate`'s accuracy) and by `compress` (its input error is `evaluate`'s, and the
// container keeps the transform, so `evaluate` on the .tpz gives the container error compress reported).
using System.Text.Json;
using Topiary.Cli;
using Topiary.Models;
using Topiary.Tests.IO;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class InputTransformCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string NormalisedModel()
    {
        string model = _dir.File("m.safetensors");
        ModelFile.Save(model, "lenet-300-100", ModelZoo.Create("lenet-300-100", 3),
            new Dictionary<string, string> { ["dataset"] = "mnist", [ModelFile.InputTransformKey] = "mnist-normalize" });
        return model;
    }

    private static async Task<double> EvaluatedError(string file, string json)
    {
        Assert.Equal(0, await CliApp.RunAsync(["evaluate", "--model-file", file, "--json", json]));
        using var e = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        return e.RootElement.GetProperty("test_error").GetDouble();
    }

    [Fact]
    public async Task Sensitivity_unpruned_point_is_the_models_accuracy_under_its_own_input_transform()
    {
        string model = NormalisedModel(), sensitivity = _dir.File("s.json");
        double accuracy = 1 - await EvaluatedError(model, _dir.File("e.json"));
        Assert.Equal(0, await CliApp.RunAsync(["sensitivity", "--model-file", model, "--levels", "0,0.5", "--json", sensitivity]));
        using var s = JsonDocument.Parse(await File.ReadAllTextAsync(sensitivity));
        foreach (var layer in s.RootElement.GetProperty("layers").EnumerateArray())
            Assert.Equal(accuracy, layer.GetProperty("accuracy")[0].GetDouble(), 12);
    }

    [Fact]
    public async Task Compress_evaluates_under_the_input_transform_and_the_container_keeps_it()
    {
        string model = NormalisedModel(), tpz = _dir.File("m.tpz"), compress = _dir.File("c.json");
        double inputError = await EvaluatedError(model, _dir.File("e.json"));
        Assert.Equal(0, await CliApp.RunAsync(["compress", "--model-file", model, "--out", tpz, "--fine-tune-epochs", "0", "--json", compress]));
        using var c = JsonDocument.Parse(await File.ReadAllTextAsync(compress));
        Assert.Equal(inputError, c.RootElement.GetProperty("reference").GetProperty("test_error").GetDouble(), 12);
        Assert.Equal(c.RootElement.GetProperty("compressed").GetProperty("test_error").GetDouble(), await EvaluatedError(tpz, _dir.File("t.json")), 12);
    }
}
