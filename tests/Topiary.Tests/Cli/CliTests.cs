using Topiary.Cli;
using Topiary.Models;

namespace Topiary.Tests.Cli;

// The CLI writes to the process console; these tests assert exit codes and files, and run serially
// because System.CommandLine and Spectre.Console share the process console.
[Collection("Console")]
public class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-cli-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Unknown_model_exits_with_bad_input_and_writes_no_output()
    {
        string json = Path.Combine(_dir, "r.json");
        int code = await CliApp.RunAsync(["train", "--model", "lenet-6", "--json", json]);
        Assert.Equal(CliApp.BadInput, code);
        Assert.False(File.Exists(json));
    }

    [Fact]
    public async Task Missing_required_option_is_a_usage_error()
    {
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["train"]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["no-such-command"]));
    }

    [Fact]
    public async Task Evaluate_rejects_a_missing_file_and_a_corrupt_checkpoint()
    {
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["evaluate", "--model-file", Path.Combine(_dir, "nope.safetensors")]));
        string bad = Path.Combine(_dir, "bad.safetensors");
        await File.WriteAllBytesAsync(bad, [200, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["evaluate", "--model-file", bad]));
    }

    [Fact]
    public void Model_file_without_model_metadata_is_rejected_naming_the_field()
    {
        string path = Path.Combine(_dir, "anon.safetensors");
        Topiary.Training.Checkpoint.Save(path, ModelZoo.Create("lenet-300-100", 1));
        var ex = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains("'model'", ex.Message);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Model_file_round_trips_weights_and_masks()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        var net = ModelZoo.Create("lenet-5", 4);
        var (_, fc1) = net.NamedParameters().First(p => p.Name == "fc1.weight");
        var mask = new Topiary.Tensors.Tensor(fc1.Value.Shape.ToArray());
        for (int i = 0; i < mask.Length; i++) mask[i] = i % 5 == 0 ? 1 : 0;
        fc1.SetMask(mask);
        ModelFile.Save(path, "lenet-5", net, new Dictionary<string, string> { ["dataset"] = "mnist" });
        var loaded = ModelFile.Load(path);
        Assert.Equal("lenet-5", loaded.Name);
        Assert.Equal("mnist", loaded.Metadata["dataset"]);
        var a = net.Parameters().SelectMany(p => p.Value.Data).ToArray();
        var b = loaded.Network.Parameters().SelectMany(p => p.Value.Data).ToArray();
        Assert.Equal(a, b);
        var loadedMask = loaded.Network.NamedParameters().First(p => p.Name == "fc1.weight").Parameter.Mask;
        Assert.NotNull(loadedMask);
        Assert.Equal(mask.Data, loadedMask.Data);
    }
}
