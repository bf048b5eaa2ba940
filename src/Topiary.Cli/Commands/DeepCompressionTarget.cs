// `topiary reproduce deep-compression --model lenet-300-100|lenet-5`: pruning → trained quantization →
// Huffman, with the per-stage and per-layer storage tables beside the paper's numbers (deep-compression.json and
// model.tpz in the work directory). Under `reproduce all` it starts from its han2015 sibling's reference and pruning
// checkpoints (the schedule is the same; the checkpoints carry their options, so a mismatch is refused).
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Compression.Quantization;
using Topiary.Experiments;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce deep-compression</c> target.</summary>
public static class DeepCompressionTarget
{
    /// <summary>The registration.</summary>
    public static ReproduceTarget<DeepCompressionOptions, DeepCompressionReport> Target { get; } = new("deep-compression",
        "Deep Compression: pruning, trained quantization and Huffman coding into a .tpz container.",
        "A smoke run on a subset with a short schedule.",
        (model, resume) => new DeepCompressionOptions { Pruning = new Han2015Options { Model = model, WorkDirectory = "", Resume = resume, Sensitivity = false } },
        DeepCompression.Run, Print, ReproduceAllIndex.DeepCompression)
    {
        Models = ["lenet-300-100", "lenet-5"],
        Place = (o, dir) => o with { Pruning = o.Pruning with { WorkDirectory = dir } },
        Quick = o => o.Quick(),
        Flags = cmd =>
        {
            var bits = new Option<string?>("--bits") { Description = "Weight bits, e.g. conv=8,fc=5 or fc1=6 (default: the paper's)." };
            var indexBits = new Option<string?>("--index-bits") { Description = "Relative-index bits (default: per layer, the width that minimises the coded size)." };
            cmd.Options.Add(bits);
            cmd.Options.Add(indexBits);
            return (parse, o) => o with
            {
                WeightBits = parse.GetValue(bits) is { } b ? BitsRule.Parse(b, BitsRule.Paper(o.Pruning.Model)) : null,
                IndexBits = parse.GetValue(indexBits) is { } i ? BitsRule.Parse(i, new BitsRule(8, 5)) : null,
            };
        },
        Outputs = (dir, report) =>
        {
            JsonReport.Write(Path.Combine(dir, "deep-compression.json"), report);
            return ["deep-compression.json", Path.GetFileName(report.ContainerPath)];
        },
        StartsFrom = ("han2015", ["reference.ckpt", "pruning.ckpt"]),
    };

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
