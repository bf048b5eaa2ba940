// `topiary sensitivity` sees the pixels the model was trained on: a model file whose metadata names an input transform
// (an imported ONNX model normalised like torchvision's MNIST) is evaluated with it, so the unpruned point of every
// curve is the accuracy `topiary evaluate` reports for the same file.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Models;
using Topiary.Tests.IO;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class SensitivityCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_unpruned_point_is_the_models_accuracy_under_its_own_input_transform()
    {
        string model = _dir.File("m.safetensors"), evaluate = _dir.File("e.json"), sensitivity = _dir.File("s.json");
        ModelFile.Save(model, "lenet-300-100", ModelZoo.Create("lenet-300-100", 3),
            new Dictionary<string, string> { ["dataset"] = "mnist", [ModelFile.InputTransformKey] = "mnist-normalize" });
        Assert.Equal(0, await CliApp.RunAsync(["evaluate", "--model-file", model, "--json", evaluate]));
        Assert.Equal(0, await CliApp.RunAsync(["sensitivity", "--model-file", model, "--levels", "0,0.5", "--json", sensitivity]));
        using var e = JsonDocument.Parse(await File.ReadAllTextAsync(evaluate));
        using var s = JsonDocument.Parse(await File.ReadAllTextAsync(sensitivity));
        double accuracy = 1 - e.RootElement.GetProperty("test_error").GetDouble();
        foreach (var layer in s.RootElement.GetProperty("layers").EnumerateArray())
            Assert.Equal(accuracy, layer.GetProperty("accuracy")[0].GetDouble(), 12);
    }
}
