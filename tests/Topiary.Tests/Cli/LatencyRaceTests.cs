using System.Text.Json;
using Topiary.Cli;
using Topiary.Cli.Bench;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public class LatencyRaceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-race-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    // Flatten → 12→8 (every other weight zero) → ReLU → 8→3, on [batch, 1, 3, 4].
    private static Sequential TinyModel()
    {
        var rng = new Random(3);
        var fc1 = new Linear(12, 8, rng);
        for (int i = 0; i < fc1.Weight.Value.Length; i += 2) fc1.Weight.Value[i] = 0;
        return new Sequential().Add("flatten", new Flatten()).Add("fc1", fc1).Add("relu1", new ReLU()).Add("fc2", new Linear(8, 3, rng));
    }

    [Fact]
    public void Every_contender_is_timed_in_the_order_added_and_temporary_files_are_removed()
    {
        var model = TinyModel();
        var x = Tensor.RandomUniform(new Random(1), 1f, 5, 1, 3, 4);
        int before = Directory.GetFiles(Path.GetTempPath(), "topiary-race-*.onnx").Length;
        IReadOnlyList<RaceResult> results;
        using (var race = new LatencyRace(x, [1, 3, 4], threads: 1))
        {
            Assert.Equal(5, race.Batch);
            race.AddForward("forward", model);
            var plan = race.AddPlan("plan", model, PlanOptions.Default);
            Assert.Equal(5, plan.Batch);
            race.AddPlan("dense plan", model, PlanOptions.AllDense);
            race.AddOrt("ort", model);
            Assert.Equal(["forward", "plan", "dense plan", "ort"], race.Names);
            results = race.Run(0.01);
        }
        Assert.Equal(["forward", "plan", "dense plan", "ort"], results.Select(r => r.Name));
        foreach (var r in results)
        {
            Assert.True(r.Latency.Calls >= 20, $"{r.Name}: {r.Latency.Calls} calls");
            Assert.True(r.Latency.MinUs > 0 && r.Latency.MinUs <= r.Latency.MedianUs && r.Latency.MedianUs <= r.Latency.P99Us, r.ToString());
        }
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), "topiary-race-*.onnx").Length);
    }

    [Fact]
    public void Bad_shapes_models_and_empty_races_are_rejected()
    {
        var model = TinyModel();
        Assert.Throws<ArgumentException>(() => new LatencyRace(new Tensor(5, 12), [1, 3, 4], 1));
        Assert.Throws<ArgumentException>(() => new LatencyRace(new Tensor(5, 1, 4, 3), [1, 3, 4], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyRace(new Tensor(5, 1, 3, 4), [1, 3, 4], 0));
        using var race = new LatencyRace(new Tensor(2, 12), [12], 1);
        Assert.Throws<InvalidOperationException>(() => race.Run(0));
        var e = Assert.Throws<NotSupportedException>(() => race.AddPlan("bare", new Linear(12, 3, new Random(1)), PlanOptions.Default));
        Assert.Contains("Sequential", e.Message, StringComparison.Ordinal);
        Assert.Empty(race.Names);
    }

    [Fact]
    public void CheckClose_accepts_rounding_and_names_the_first_differing_output()
    {
        LatencyRace.CheckClose([1f, -10f, 3f], [1f + 5e-4f, -10f, 3f], "x"); // 5e-4 ≤ 1e-4 × max |expected| = 1e-3
        var e = Assert.Throws<InvalidOperationException>(() => LatencyRace.CheckClose([1f, -10f, 3f], [1f, -10f, 3.01f], "peer"));
        Assert.Contains("peer disagrees with Topiary at output 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => LatencyRace.CheckClose([1f, 2f], [1f], "short"));
    }

    [Fact]
    public async Task Bench_compare_ort_times_three_runtimes_and_reports_ratios()
    {
        string model = Path.Combine(_dir, "m.safetensors"), json = Path.Combine(_dir, "b.json");
        ModelFile.Save(model, "lenet-300-100", ModelZoo.Get("lenet-300-100").Factory(1));
        Assert.Equal(0, await CliApp.RunAsync(["bench", "--model-file", model, "--input", "random", "--compare", "ort", "--seconds", "0.02", "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = doc.RootElement;
        Assert.Equal(["topiary dense", "topiary plan", "onnxruntime dense"],
            root.GetProperty("runtimes").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        double ort = root.GetProperty("ort_dense_us").GetDouble(), plan = root.GetProperty("topiary_plan_us").GetDouble();
        Assert.True(ort > 0 && plan > 0);
        Assert.Equal(ort / plan, root.GetProperty("speedup_vs_ort").GetDouble(), 9);
        // One thread: no core-to-core round trip to report (JsonReportTests sees it at two).
        Assert.False(root.TryGetProperty("core_round_trip_before_ns", out _));
        Assert.False(root.TryGetProperty("core_round_trip_after_ns", out _));
    }

    // A small residual graph with a declared 3×10×12 input, as `topiary import` writes it.
    private static Graph ResidualGraph() => new(["x"],
    [
        new GraphNode("stem", new Conv2d(3, 8, 3, new Random(1), padding: 1), "x", "a"),
        new GraphNode("relu", new ReLU(), "a", "b"),
        new GraphNode("conv", new Conv2d(8, 8, 3, new Random(2), padding: 1), "b", "c"),
        new GraphNode("add", new ElementwiseOp(ElementwiseKind.Add), ["b", "c"], ["d"]),
        new GraphNode("pool", new GlobalAvgPool2d(), "d", "e"),
        new GraphNode("flat", new Flatten(), "e", "f"),
        new GraphNode("fc", new Linear(8, 5, new Random(3)), "f", "y"),
    ], ["y"]);

    [Fact]
    public async Task Bench_runs_a_graph_at_its_declared_input_shape_and_times_every_layer_of_the_fused_copy()
    {
        string model = Path.Combine(_dir, "g.safetensors"), json = Path.Combine(_dir, "g.json");
        ModelFile.Save(model, "onnx:residual", ResidualGraph(), new Dictionary<string, string> { [ModelFile.InputShapeKey] = "3,10,12" });
        Assert.Equal(0, await CliApp.RunAsync(["bench", "--model-file", model, "--input", "random", "--weights", "random", "--batch", "2",
            "--compare", "ort", "--layers", "--seconds", "0.02", "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        // The fused copy's layers: stem + ReLU and conv + residual add are one node each.
        var layers = doc.RootElement.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(["stem", "conv", "pool", "flat", "fc"], layers.Select(l => l.GetProperty("name").GetString()));
        Assert.Contains("→ ReLU", layers[0].GetProperty("layer").GetString(), StringComparison.Ordinal);
        Assert.Contains("+ residual", layers[1].GetProperty("layer").GetString(), StringComparison.Ordinal);
        Assert.Equal(2L * 8 * 10 * 12 * 3 * 9, layers[0].GetProperty("macs").GetInt64());
        Assert.Equal(2L * 8 * 10 * 12 * 8 * 9, layers[1].GetProperty("macs").GetInt64());
        Assert.Equal(2L * 8 * 5, layers[4].GetProperty("macs").GetInt64());
        Assert.Equal(0L, layers[2].GetProperty("macs").GetInt64());
        Assert.All(layers, l => Assert.True(l.GetProperty("median_us").GetDouble() >= 0));
        Assert.All(layers.Where(l => l.GetProperty("macs").GetInt64() > 0), l => Assert.True(l.GetProperty("gflop_per_second").GetDouble() > 0));
        Assert.All(layers, l => Assert.True(l.GetProperty("in_network_us").GetDouble() >= 0));
        Assert.All(layers.Where(l => l.GetProperty("macs").GetInt64() > 0), l => Assert.True(l.GetProperty("in_network_us").GetDouble() > 0));
        Assert.True(doc.RootElement.GetProperty("ort_dense_us").GetDouble() > 0);
    }

    [Fact]
    public async Task Bench_imports_an_ONNX_file_and_times_it_at_the_graph_input_shape()
    {
        // An ONNX file as an exporter writes it (static 3×10×12 input): imported on the fly, weights re-drawn, random input
        // (the default --input mnist does not fit a 3×10×12 image), against ORT.
        string onnx = Path.Combine(_dir, "g.onnx"), json = Path.Combine(_dir, "g.json");
        Topiary.Onnx.OnnxExporter.Export(ResidualGraph(), [3, 10, 12], onnx);
        Assert.Equal(0, await CliApp.RunAsync(["bench", "--model-file", onnx, "--weights", "random", "--compare", "ort", "--seconds", "0.02",
            "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal("onnx:g", doc.RootElement.GetProperty("model").GetString());
        Assert.Equal("random", doc.RootElement.GetProperty("input").GetString());
        Assert.True(doc.RootElement.GetProperty("ort_dense_us").GetDouble() > 0);
        Assert.True(doc.RootElement.GetProperty("topiary_fused_us").GetDouble() > 0);

        // Asked for explicitly, MNIST input for a model that does not take 28 × 28 images is refused, and nothing is written.
        string refused = Path.Combine(_dir, "r.json");
        var (code, error) = await CliRun.WithError("bench", "--model-file", onnx, "--input", "mnist", "--seconds", "0.02", "--json", refused);
        Assert.NotEqual(0, code);
        Assert.Contains("--input mnist", error, StringComparison.Ordinal);
        Assert.False(File.Exists(refused));
    }

    [Fact]
    public async Task Bench_runs_a_model_zoo_ONNX_file_with_placeholder_weights()
    {
        // The paper-scale issue's command on a real exporter's file (Caffe2's SqueezeNet, 224 × 224; its ResNet-50 took
        // minutes in CI's scalar pass), weights re-drawn.
        string onnx = Topiary.Tests.Onnx.Corpus.SharedOnnxFiles.Verified(Topiary.Tests.Onnx.Corpus.SharedOnnxFiles.ZooLight, "light_squeezenet.onnx");
        string json = Path.Combine(_dir, "sq.json");
        Assert.Equal(0, await CliApp.RunAsync(["bench", "--model-file", onnx, "--weights", "random", "--compare", "ort", "--seconds", "0.02",
            "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal("onnx:light_squeezenet", doc.RootElement.GetProperty("model").GetString());
        Assert.Equal("random", doc.RootElement.GetProperty("input").GetString());
        Assert.True(doc.RootElement.GetProperty("speedup_vs_ort").GetDouble() > 0);
    }

    [Fact]
    public async Task Bench_refuses_a_model_whose_input_size_is_unknown()
    {
        string model = Path.Combine(_dir, "u.safetensors"), json = Path.Combine(_dir, "u.json");
        ModelFile.Save(model, "onnx:residual", ResidualGraph());
        Assert.NotEqual(0, await CliApp.RunAsync(["bench", "--model-file", model, "--input", "random", "--seconds", "0.02", "--json", json]));
        Assert.False(File.Exists(json));
    }

    [Fact]
    public async Task Bench_times_a_paper_network_at_ImageNet_size_against_ORT()
    {
        string json = Path.Combine(_dir, "p.json");
        Assert.Equal(0, await CliApp.RunAsync(["bench", "--model", "mobilenet-v2", "--compare", "ort", "--seconds", "0.02", "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal("mobilenet-v2", doc.RootElement.GetProperty("model").GetString());
        Assert.Equal("random", doc.RootElement.GetProperty("input").GetString());
        // A chain with BatchNorm and residual blocks: no compiled plan, the fused copy is Topiary's figure.
        Assert.Equal(["topiary dense", "topiary fused", "onnxruntime dense"],
            doc.RootElement.GetProperty("runtimes").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        double ort = doc.RootElement.GetProperty("ort_dense_us").GetDouble(), fused = doc.RootElement.GetProperty("topiary_fused_us").GetDouble();
        Assert.Equal(ort / fused, doc.RootElement.GetProperty("speedup_vs_ort").GetDouble(), 9);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bench_wants_exactly_one_of_a_file_and_a_paper_network(bool both)
    {
        string model = Path.Combine(_dir, "m.safetensors"), json = Path.Combine(_dir, "x.json");
        ModelFile.Save(model, "lenet-300-100", ModelZoo.Get("lenet-300-100").Factory(1));
        string[] args = both ? ["bench", "--model-file", model, "--model", "vgg16", "--json", json] : ["bench", "--json", json];
        Assert.NotEqual(0, await CliApp.RunAsync(args));
        Assert.False(File.Exists(json));
    }
}
