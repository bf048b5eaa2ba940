// Every converted command's --json, run in process on quick settings: the fields written are exactly the ones the
// commands wrote as anonymous objects before their reports became record types (the golden lists below, taken from
// that output), and every one of them is declared by the command's report record. docs/json-reports.md lists them.
// Also: a prediction's "input" is written as an index (number) or a file (string) and read back, anything else refused.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Cli.Reports;
using Topiary.Compression.Container;
using Topiary.Compression.Quantization;
using Topiary.Hardware.MemoryReferences;
using Topiary.IO;
using Topiary.Models;
using Topiary.Tests.IO;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public sealed class JsonReportTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] EnergyFields =
    [
        "assumptions[]", "batch", "bits", "input_densities", "layers[].accesses.array.inputs", "layers[].accesses.array.psums",
        "layers[].accesses.array.weights", "layers[].accesses.buffer.inputs", "layers[].accesses.buffer.psums", "layers[].accesses.buffer.weights",
        "layers[].accesses.dram.inputs", "layers[].accesses.dram.psums", "layers[].accesses.dram.weights", "layers[].accesses.rf.inputs",
        "layers[].accesses.rf.psums", "layers[].accesses.rf.weights", "layers[].breakdown.array", "layers[].breakdown.buffer",
        "layers[].breakdown.computation", "layers[].breakdown.dram", "layers[].breakdown.rf", "layers[].breakdown.total", "layers[].energy",
        "layers[].input_density", "layers[].kind", "layers[].macs", "layers[].mapping.chains_per_output", "layers[].mapping.filter_sub_passes",
        "layers[].mapping.filters_in_flight", "layers[].mapping.filters_per_pe", "layers[].mapping.input_dram_passes",
        "layers[].mapping.output_rows_per_band", "layers[].mapping.row_bands", "layers[].name", "layers[].nonskipped_macs",
        "layers[].nonzero_weights", "layers[].weight_density", "layers[].weights", "macs", "model", "nonskipped_macs", "profile", "total_energy",
        "totals.array", "totals.buffer", "totals.computation", "totals.dram", "totals.rf", "totals.total", "unit", "weight_densities",
    ];

    // Command line ({model}: a LeNet-300-100 model file, {onnx}: its ONNX export, {npy}: three random 28x28 examples,
    // {dir}: a scratch folder), the report type, and the fields the command wrote before its report was typed.
    public static TheoryData<string, string[], Type, string[]> Commands => new()
    {
        {
            "train", ["train", "--model", "lenet-300-100", "--train-limit", "256", "--epochs", "1", "--out", "{dir}/t.safetensors"], typeof(TrainReport),
            [
                "batch_size", "dataset", "epochs", "history[].epoch", "history[].images_per_second", "history[].seconds", "history[].test_error",
                "history[].test_loss", "history[].train_loss", "model", "model_file", "params", "seconds", "seed", "test_error", "test_loss",
            ]
        },
        {
            "evaluate", ["evaluate", "--model-file", "{model}"], typeof(EvaluateReport),
            ["dataset", "images", "model", "model_file", "nonzero_params", "params", "runtime", "seconds", "test_error", "test_loss"]
        },
        {
            "export", ["export", "--model-file", "{model}", "--out", "{dir}/e.onnx"], typeof(ExportReport),
            ["model", "model_file", "nonzero_params", "onnx", "params"]
        },
        {
            "import", ["import", "{onnx}", "--out", "{dir}/i.safetensors", "--verify"], typeof(ImportReport),
            [
                "ends_with_softmax", "input_transform", "inputs[].name", "inputs[].shape[]", "model", "model_file", "opset_version", "outputs[]", "params",
                "producer_name", "source", "verify[].max_abs_difference", "verify[].max_abs_reference", "verify[].output", "verify[].passed",
                "verify[].shape[]", "verify[].tolerance",
            ]
        },
        {
            "predict", ["predict", "--model-file", "{model}", "--input", "{npy}", "--top-k", "3"], typeof(PredictReport),
            ["predictions[].class", "predictions[].input", "predictions[].score", "predictions[].top_k[].class", "predictions[].top_k[].score"]
        },
        {
            "sensitivity", ["sensitivity", "--model-file", "{model}", "--levels", "0,0.5"], typeof(SensitivityReport),
            ["dataset", "layers[].accuracy[]", "layers[].kind", "layers[].layer", "layers[].sparsity[]", "model"]
        },
        {
            "bench", ["bench", "--model-file", "{model}", "--input", "random", "--seconds", "0.02", "--compare", "ort", "--layers", "--densities", "0.3", "--threads", "2"],
            typeof(BenchReport),
            [
                "batch", "core_round_trip_after_ns", "core_round_trip_before_ns", "dense_speedup_vs_ort", "densities", "granularity", "input", "kept_fractions{}", "layers[].gflop_per_second", "layers[].in_network_us", "layers[].layer",
                "layers[].macs", "layers[].median_us", "layers[].name", "model", "ort_dense_us", "runtimes[].calls", "runtimes[].median_us",
                "runtimes[].min_us", "runtimes[].name", "runtimes[].p99_us", "speedup_vs_ort", "threads", "topiary_dense_us", "topiary_plan_us",
            ]
        },
        {
            "crossover", ["crossover", "--rows", "32", "--cols", "64", "--sparsities", "0,0.9", "--ms-per-point", "2", "--plot", "{dir}/c.png"],
            typeof(CrossoverReport),
            [
                "batch", "cols", "conv_columns", "rows", "series[].break_even_sparsity", "series[].format", "series[].pattern",
                "series[].points[].best_microseconds", "series[].points[].density", "series[].points[].format",
                "series[].points[].median_microseconds", "series[].points[].sparsity", "series[].points[].speedup_vs_dense",
                "series[].points[].storage_bytes",
            ]
        },
        { "energy (shape)", ["energy", "--model", "alexnet", "--densities", "han2015"], typeof(EnergyReport), EnergyFields },
        { "energy (file)", ["energy", "--model", "{model}", "--images", "100"], typeof(EnergyReport), EnergyFields },
        {
            "memrefs", ["memrefs", "--model", "alexnet", "--filter-stride", "8"], typeof(MemRefStudyReport),
            [
                "activation_density", "assumptions[]", "cache_kb", "filter_stride", "granularity", "layers[].accesses", "layers[].filters",
                "layers[].filters_simulated", "layers[].hits", "layers[].misses", "layers[].name", "layers[].output_lines", "layers[].output_references",
                "layers[].products", "layers[].sampled", "layers[].writebacks", "line_bytes", "model", "output_halo", "request_bytes", "sampled",
                "total_accesses", "total_misses", "total_output_references", "total_products", "ways", "weight_density",
            ]
        },
        {
            "prune --structure channel", ["prune", "--structure", "channel", "--model-file", "{model}", "--macs-reduction", "2", "--criterion", "l2",
                "--epochs-per-round", "0", "--out", "{dir}/c.safetensors", "--export", "{dir}/c.onnx"], typeof(ChannelPruneReport),
            [
                "criterion", "model", "model_file", "onnx", "result.dense_macs", "result.dense_params", "result.groups", "result.layers[].after",
                "result.layers[].before", "result.layers[].kind", "result.layers[].layer", "result.macs", "result.macs_reduction", "result.params",
                "result.prunable_channels", "result.rounds[].macs", "result.rounds[].params", "result.rounds[].removed_channels", "result.rounds[].round",
                "result.rounds[].seconds", "result.target_reached", "result.unprunable[].channels", "result.unprunable[].layer",
                "result.unprunable[].reason", "structure", "target.global", "target.macs_reduction", "target.max_ratio",
                "target.round_to",
            ]
        },
        { "decompress", ["decompress", "--model-file", "{tpz}", "--out", "{dir}/d.safetensors"], typeof(DecompressReport), ["input", "model", "nonzero_params", "output"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Report_has_the_documented_fields_and_its_record_declares_them(string name, string[] template, Type report, string[] expected)
    {
        string model = _dir.File("m.safetensors"), onnx = _dir.File("m.onnx"), npy = _dir.File("x.npy"), json = _dir.File("r.json"), tpz = _dir.File("m.tpz");
        var net = ModelZoo.Create("lenet-300-100", 1);
        await File.WriteAllBytesAsync(tpz, CompressedModel.Encode("lenet-300-100", net, Quantizer.Quantize(net, new BitsRule(8, 5)), _ => 5).Bytes);
        ModelFile.Save(model, "lenet-300-100", net, new Dictionary<string, string> { ["dataset"] = "mnist" });
        Topiary.Onnx.OnnxExporter.Export(net, [1, 28, 28], onnx);
        var rng = new Random(1);
        NpyWriter.Write(npy, Enumerable.Range(0, 3 * 784).Select(_ => (float)rng.NextDouble()).ToArray(), [3, 1, 28, 28]);
        string[] args = [.. template.Select(a => a.Replace("{model}", model, StringComparison.Ordinal).Replace("{onnx}", onnx, StringComparison.Ordinal)
            .Replace("{npy}", npy, StringComparison.Ordinal).Replace("{tpz}", tpz, StringComparison.Ordinal).Replace("{dir}", _dir.Path, StringComparison.Ordinal)), "--json", json];

        Assert.True(await CliApp.RunAsync(args) == 0, $"{name}: {string.Join(' ', args)} failed");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var written = ReportFields.Written(document.RootElement, report);
        Assert.Equal(expected.Order(StringComparer.Ordinal), written);
        Assert.Subset(ReportFields.Declared(report), written);
    }

    [Fact]
    public void Field_paths_name_dictionaries_lists_and_undeclared_fields()
    {
        Assert.Contains("kept_fractions{}", ReportFields.Declared(typeof(BenchReport)));
        Assert.Contains("runtimes[].p99_us", ReportFields.Declared(typeof(BenchReport)));
        Assert.Contains("predictions[].input", ReportFields.Declared(typeof(PredictReport)));
        using var doc = JsonDocument.Parse("""{"model": "m", "kept_fractions": {"fc1": 0.5}, "extra": 1, "runtimes": [{"name": "a", "bogus": 2}]}""");
        Assert.Equal(["UNDECLARED:extra", "UNDECLARED:runtimes[].bogus", "kept_fractions{}", "model", "runtimes[].name"],
            ReportFields.Written(doc.RootElement, typeof(BenchReport)));
    }

    [Fact]
    public void Prediction_input_is_an_index_or_a_file_and_nothing_else()
    {
        var report = new PredictReport([
            new PredictionReport(new PredictionInput(null, 4), 7, 0.5f, [new ClassScore(7, 0.5f)]),
            new PredictionReport(new PredictionInput("a/b.png", null), 1, 1f, []),
        ]);
        string text = JsonSerializer.Serialize(report, JsonReport.Options);
        using (var doc = JsonDocument.Parse(text))
        {
            var p = doc.RootElement.GetProperty("predictions");
            Assert.Equal(4, p[0].GetProperty("input").GetInt32());
            Assert.Equal("a/b.png", p[1].GetProperty("input").GetString());
        }
        var back = JsonSerializer.Deserialize<PredictReport>(text, JsonReport.Options)!;
        Assert.Equal(new PredictionInput(null, 4), back.Predictions[0].Input);
        Assert.Equal(new PredictionInput("a/b.png", null), back.Predictions[1].Input);
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PredictionInput>("true", JsonReport.Options));
        Assert.Contains("\"input\"", e.Message, StringComparison.Ordinal);
    }
}
