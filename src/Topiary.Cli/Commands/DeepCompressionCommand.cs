// `topiary reproduce deep-compression --model lenet-300-100|lenet-5`: pruning → trained quantization →
// Huffman, with the per-stage and per-layer storage tables beside the paper's numbers.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Compression.Quantization;
using Topiary.Experiments;
using Topiary.Models;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce deep-compression</c> command.</summary>
public static class DeepCompressionCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "lenet-300-100 or lenet-5.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of training, pruning and quantization.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Work directory (default: runs/deep-compression-<model>); a han2015 work directory can be reused with --resume." };
        var resume = new Option<bool>("--resume") { Description = "Reuse the reference and pruning checkpoints in the work directory." };
        var bits = new Option<string?>("--bits") { Description = "Weight bits, e.g. conv=8,fc=5 or fc1=6 (default: the paper's)." };
        var indexBits = new Option<string?>("--index-bits") { Description = "Relative-index bits (default conv=8,fc=5)." };
        var fineTune = new Option<int>("--fine-tune-epochs") { Description = "Epochs of centroid fine-tuning.", DefaultValueFactory = _ => 3 };
        var quick = new Option<bool>("--quick") { Description = "A smoke run on a subset with a short schedule." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("deep-compression", "Deep Compression: pruning, trained quantization and Huffman coding into a .tpz container.")
        {
            model, seed, outDir, resume, bits, indexBits, fineTune, quick, json, threads,
        };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            string name = ModelZoo.Get(parse.GetValue(model)!).Name;
            if (!DeepCompressionPaper.Results.ContainsKey(name))
                throw new ArgumentException($"reproduce deep-compression supports {string.Join(", ", DeepCompressionPaper.Results.Keys)}; got '{name}'.");
            bool isQuick = parse.GetValue(quick);
            var options = new DeepCompressionOptions
            {
                Pruning = new Han2015Options
                {
                    Model = name,
                    Seed = parse.GetValue(seed),
                    WorkDirectory = parse.GetValue(outDir) ?? Path.Combine("runs", $"deep-compression-{name}{(isQuick ? "-quick" : "")}"),
                    Resume = parse.GetValue(resume),
                    Sensitivity = false,
                    Rounds = isQuick ? 2 : 10,
                    EpochsPerRound = isQuick ? 1 : 3,
                    FinalEpochs = isQuick ? 0 : 6,
                    ReferenceEpochs = isQuick ? 2 : null,
                    TrainLimit = isQuick ? 10_000 : null,
                },
                WeightBits = parse.GetValue(bits) is { } b ? BitsRule.Parse(b, BitsRule.Paper(name)) : null,
                IndexBits = parse.GetValue(indexBits) is { } ib ? BitsRule.Parse(ib, new BitsRule(8, 5)) : null,
                FineTuneEpochs = isQuick ? 1 : parse.GetValue(fineTune),
            };
            var messages = CliOutput.Messages();
            var report = TrainingProgressRenderer.Run($"deep-compression {name}", p => DeepCompression.Run(options, p, messages, ct));
            Print(report);
            JsonReport.Write(Path.Combine(options.Pruning.WorkDirectory, "deep-compression.json"), report);
            JsonReport.Write(parse.GetValue(json), report);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static void Print(DeepCompressionReport r)
    {
        var p = r.Paper;
        var t = new Table().Title($"Deep Compression on {r.Model} (seed {r.Seed})").AddColumns("", "Topiary", "paper");
        t.AddRow("error: reference → compressed", $"{CliOutput.Pct(r.Reference.TestError)} → {CliOutput.Pct(r.Compressed.TestError)}", $"{CliOutput.Pct(p.ReferenceError)} → {CliOutput.Pct(p.CompressedError)}");
        t.AddRow("size", $"{r.BytesOriginal / 1000:F0} KB → {r.BytesCompressed / 1000:F1} KB (container file)", $"{p.BytesOriginal / 1000:F0} KB → {p.BytesCompressed / 1000:F0} KB");
        t.AddRow("compression", $"[bold]{r.Compression:F1}x[/]", $"{p.Huffman:F0}x");
        t.AddRow("time", $"{r.Seconds:F0} s", "");
        AnsiConsole.Write(t);
        var stages = new Table().Title("storage by stage (cumulative)").AddColumns("stage", "KB", "compression", "paper");
        double?[] paperRates = [1, p.Pruning, p.Quantization, p.Huffman, null];
        for (int i = 0; i < r.Stages.Count; i++)
        {
            var s = r.Stages[i];
            stages.AddRow(s.Name, $"{s.Bytes / 1000:F1}", $"{s.Compression:F1}x", i < paperRates.Length && paperRates[i] is double pr ? $"{pr:F0}x" : "");
        }
        AnsiConsole.Write(stages);
        var layers = new Table().Title("per layer").AddColumns("layer", "weights", "non-zero", "fillers", "bits w/idx", "K",
            "dense KB", "pruned KB", "quantized KB", "Huffman KB", "rate");
        foreach (var l in r.Layers)
        {
            layers.AddRow(l.Name, $"{l.Weights:N0}", $"{l.NonZeros:N0}", $"{l.Fillers:N0}", $"{l.WeightBits}/{l.IndexBits}", $"{l.Centroids}",
                Kb(l.DenseBits), Kb(l.PrunedBits), Kb(l.QuantizedBits), Kb(l.HuffmanBits), $"{l.Compression:F1}x");
        }
        AnsiConsole.Write(layers);
        var errors = new Table().Title("test error by stage").AddColumns("stage", "test error");
        foreach (var e in r.Errors) errors.AddRow(e.Stage, CliOutput.Pct(e.TestError));
        AnsiConsole.Write(errors);
        AnsiConsole.MarkupLine($"container: [bold]{Markup.Escape(r.ContainerPath)}[/]");
    }

    private static string Kb(long bits) => (bits / 8000.0).ToString("F1", CultureInfo.InvariantCulture);
}
