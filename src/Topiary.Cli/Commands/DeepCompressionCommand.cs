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
    private const int DefaultFineTuneEpochs = 3;

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "lenet-300-100 or lenet-5.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of training, pruning and quantization.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Work directory (default: runs/deep-compression-<model>); a han2015 work directory can be reused with --resume." };
        var resume = new Option<bool>("--resume") { Description = "Reuse the reference and pruning checkpoints in the work directory." };
        var bits = new Option<string?>("--bits") { Description = "Weight bits, e.g. conv=8,fc=5 or fc1=6 (default: the paper's)." };
        var indexBits = new Option<string?>("--index-bits") { Description = "Relative-index bits (default conv=8,fc=5)." };
        var fineTune = new Option<int>("--fine-tune-epochs") { Description = "Epochs of centroid fine-tuning.", DefaultValueFactory = _ => DefaultFineTuneEpochs };
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
            var options = Options(parse.GetValue(model)!, parse.GetValue(outDir), parse.GetValue(quick), parse.GetValue(resume), parse.GetValue(seed),
                parse.GetValue(bits), parse.GetValue(indexBits), parse.GetValue(fineTune));
            Execute(options, parse.GetValue(json), ct);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    /// <summary>The experiment's options as the command builds them (<paramref name="quick"/>: the Han 2015 quick schedule and 1
    /// fine-tuning epoch); <paramref name="workDirectory"/> null = runs/deep-compression-&lt;model&gt;[-quick].</summary>
    /// <exception cref="ArgumentException">An unsupported model or a malformed bits spec.</exception>
    public static DeepCompressionOptions Options(string model, string? workDirectory, bool quick, bool resume, int seed = 1,
        string? bits = null, string? indexBits = null, int fineTuneEpochs = DefaultFineTuneEpochs)
    {
        string name = ModelZoo.Get(model).Name;
        if (!DeepCompressionPaper.Results.ContainsKey(name))
            throw new ArgumentException($"reproduce deep-compression supports {string.Join(", ", DeepCompressionPaper.Results.Keys)}; got '{name}'.");
        return new DeepCompressionOptions
        {
            Pruning = new Han2015Options
            {
                Model = name,
                Seed = seed,
                WorkDirectory = workDirectory ?? Path.Combine("runs", $"deep-compression-{name}{(quick ? "-quick" : "")}"),
                Resume = resume,
                Sensitivity = false,
                Rounds = quick ? 2 : 10,
                EpochsPerRound = quick ? 1 : 3,
                FinalEpochs = quick ? 0 : 6,
                ReferenceEpochs = quick ? 2 : null,
                TrainLimit = quick ? 10_000 : null,
            },
            WeightBits = bits is not null ? BitsRule.Parse(bits, BitsRule.Paper(name)) : null,
            IndexBits = indexBits is not null ? BitsRule.Parse(indexBits, new BitsRule(8, 5)) : null,
            FineTuneEpochs = quick ? 1 : fineTuneEpochs,
        };
    }

    /// <summary>Runs the pipeline with progress bars, prints its tables, writes deep-compression.json into the work directory
    /// (and the report to <paramref name="json"/> when given); returns the report.</summary>
    public static DeepCompressionReport Execute(DeepCompressionOptions options, string? json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var messages = CliOutput.Messages();
        var report = TrainingProgressRenderer.Run($"deep-compression {options.Pruning.Model}", p => DeepCompression.Run(options, p, messages, cancellationToken));
        Print(report);
        JsonReport.Write(Path.Combine(options.Pruning.WorkDirectory, "deep-compression.json"), report);
        JsonReport.Write(json, report);
        return report;
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
