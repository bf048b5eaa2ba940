// `topiary prune --structure channel` end to end without data: a saved ResNet-20 is pruned to half its MACs, saved,
// exported to ONNX (ONNX Runtime equals the saved model), and reported in JSON; bad flags exit with BadInput and
// leave no output.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Data;
using Topiary.Models;
using Topiary.Tensors;
using Topiary.Tests.Onnx;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public class ChannelPruneCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-channel-cli-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Channel_pruning_without_data_saves_exports_and_reports()
    {
        string model = Path.Combine(_dir, "r20.safetensors");
        ModelFile.Save(model, "resnet-20", ModelZoo.Create("resnet-20", 1), new Dictionary<string, string> { ["dataset"] = "fashion-mnist" });
        string outPath = Path.Combine(_dir, "pruned.safetensors"), onnx = Path.Combine(_dir, "pruned.onnx"), json = Path.Combine(_dir, "r.json");
        int code = await CliApp.RunAsync(["prune", "--structure", "channel", "--model-file", model, "--macs-reduction", "2", "--criterion", "l2",
            "--round-to", "4", "--protect", "stem", "--epochs-per-round", "0", "--out", outPath, "--export", onnx, "--json", json]);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var result = doc.RootElement.GetProperty("result");
        Assert.True(result.GetProperty("macs_reduction").GetDouble() >= 2);
        Assert.True(result.GetProperty("target_reached").GetBoolean());
        foreach (var layer in result.GetProperty("layers").EnumerateArray())
        {
            int after = layer.GetProperty("after").GetInt32();
            Assert.True(after % 4 == 0 || layer.GetProperty("layer").GetString() == "fc", $"{layer}: not a multiple of 4");
            if (layer.GetProperty("layer").GetString() == "conv1") Assert.Equal(16, after); // protected stem
        }
        var pruned = ModelFile.Load(outPath).Network;
        Assert.Equal(result.GetProperty("params").GetInt64(), pruned.ParameterCount());
        var x = OnnxTestSupport.RandomInput(3, 2 * 28 * 28);
        var ours = pruned.Forward(new Tensor((float[])x.Clone(), 2, 1, 28, 28), training: false).Data;
        OnnxTestSupport.AssertClose(OnnxTestSupport.RunOrt(onnx, x, [2, 1, 28, 28]), ours, "pruned ResNet-20 in ONNX Runtime vs Topiary");
    }

    [Fact]
    public async Task A_channel_recipe_prunes_like_its_flags()
    {
        string model = Path.Combine(_dir, "r20.safetensors");
        ModelFile.Save(model, "resnet-20", ModelZoo.Create("resnet-20", 1));
        string recipe = Path.Combine(_dir, "channel.yaml"), outPath = Path.Combine(_dir, "p.safetensors"), json = Path.Combine(_dir, "p.json");
        await File.WriteAllTextAsync(recipe, $"model_file: {model}\ndataset: fashion-mnist\nprune:\n  method: channel\n  criterion: l2\n" +
            "  channel_sparsity: 0.5\n  round_to: 4\n  protect: [stem]\n");
        Assert.Equal(0, await CliApp.RunAsync(["prune", "--recipe", recipe, "--out", outPath, "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal("l2", doc.RootElement.GetProperty("criterion").GetString());
        var layers = doc.RootElement.GetProperty("result").GetProperty("layers").EnumerateArray().ToArray();
        Assert.Contains(layers, l => l.GetProperty("after").GetInt32() < l.GetProperty("before").GetInt32());
        Assert.All(layers.Where(l => l.GetProperty("layer").GetString() != "fc"), l => Assert.Equal(0, l.GetProperty("after").GetInt32() % 4));
        Assert.Equal(16, layers.Single(l => l.GetProperty("layer").GetString() == "conv1").GetProperty("after").GetInt32());
        Assert.True(ModelFile.Load(outPath).Network.ParameterCount() < ModelZoo.Create("resnet-20", 1).ParameterCount());

        // A channel recipe needs a trained model file in `prune`; without one it is bad input and writes nothing.
        string noFile = Path.Combine(_dir, "zoo.yaml"), out2 = Path.Combine(_dir, "q.safetensors");
        await File.WriteAllTextAsync(noFile, "model: resnet-20\nprune:\n  method: channel\n  macs_reduction: 2\n");
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["prune", "--recipe", noFile, "--out", out2]));
        Assert.False(File.Exists(out2));
    }

    [Fact]
    public async Task Bad_channel_flags_are_bad_input_and_write_nothing()
    {
        string model = Path.Combine(_dir, "r20.safetensors");
        ModelFile.Save(model, "resnet-20", ModelZoo.Create("resnet-20", 1));
        string outPath = Path.Combine(_dir, "pruned.safetensors");
        string[][] bad =
        [
            ["--criterion", "magic", "--macs-reduction", "2"],
            ["--macs-reduction", "0.5"],
            ["--macs-reduction", "2", "--channel-sparsity", "0.5"],
            ["--channel-sparsity", "0.5", "--protect", "no.such.layer"],
            ["--channel-sparsity", "0.5", "--criterion", "taylor", "--max-ratio", "1.5"],
        ];
        foreach (var flags in bad)
        {
            int code = await CliApp.RunAsync(["prune", "--structure", "channel", "--model-file", model, "--epochs-per-round", "0", "--out", outPath, .. flags]);
            Assert.True(code == CliApp.BadInput, $"{string.Join(" ", flags)}: exit {code}");
            Assert.False(File.Exists(outPath), string.Join(" ", flags));
        }
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task Reproduce_structured_reports_the_issue_fields()
    {
        string dense = Path.Combine(_dir, "dense.safetensors"), json = Path.Combine(_dir, "s.json"), work = Path.Combine(_dir, "work");
        ModelFile.Save(dense, "resnet-20", ModelZoo.Create("resnet-20", 2), new Dictionary<string, string> { ["dataset"] = "fashion-mnist" });
        int code = await CliApp.RunAsync(["reproduce", "structured", "--model", "resnet-20", "--dense", dense, "--rounds", "1", "--epochs-per-round", "0",
            "--round-to", "8", "--bench-seconds", "0.05", "--work", work, "--json", json]);
        if (!File.Exists(Path.Combine(FashionMnist.DebianDirectory, "t10k-images-idx3-ubyte.gz")))
        {
            // Without Debian's dataset-fashion-mnist (.ci/run installs it where it can) the run must fail cleanly.
            Assert.NotEqual(0, code);
            Assert.False(File.Exists(json));
            return;
        }
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var r = doc.RootElement;
        foreach (var side in new[] { "dense", "pruned" })
            foreach (var field in new[] { "test_error", "macs", "params" })
                Assert.True(r.GetProperty(side).TryGetProperty(field, out _), $"{side}.{field}");
        Assert.True(r.GetProperty("macs_reduction").GetDouble() >= 2);
        Assert.True(r.GetProperty("pruned").GetProperty("macs").GetInt64() * 2 <= r.GetProperty("dense").GetProperty("macs").GetInt64());
        foreach (var field in new[] { "ort_speedup_batch1", "ort_speedup_batch64", "topiary_speedup_batch1", "topiary_speedup_batch64" })
            Assert.True(r.GetProperty(field).GetDouble() > 0, field);
        Assert.Contains(r.GetProperty("layers").EnumerateArray(), l => l.GetProperty("before").GetInt32() != l.GetProperty("after").GetInt32());
        Assert.True(File.Exists(Path.Combine(work, "pruned.onnx")) && File.Exists(Path.Combine(work, "dense.onnx")));
        // The fields, in the order the command wrote them as an anonymous object, all declared by StructuredReport.
        Assert.Equal(
        [
            "model", "dataset", "criterion", "target", "rounds", "epochs_per_round", "final_epochs", "dense", "pruned", "macs_reduction",
            "ort_speedup_batch1", "ort_speedup_batch64", "topiary_speedup_batch1", "topiary_speedup_batch64", "threads", "latency_us",
            "layers", "history", "unprunable", "unsupported",
        ], r.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["test_error", "macs", "params", "model_file", "onnx"], r.GetProperty("dense").EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(ReportFields.Written(r, typeof(Topiary.Cli.Reports.StructuredReport)), f => f.StartsWith("UNDECLARED", StringComparison.Ordinal));
        var latency = r.GetProperty("latency_us");
        Assert.Equal(["batch1", "batch64"], latency.EnumerateObject().Select(p => p.Name));
        var batch64 = latency.GetProperty("batch64");
        Assert.Equal(batch64.GetProperty("ort_dense").GetDouble() / batch64.GetProperty("ort_pruned").GetDouble(), r.GetProperty("ort_speedup_batch64").GetDouble());
    }
}
