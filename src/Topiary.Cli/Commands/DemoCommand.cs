// `topiary demo`: the README's main job. Fetches MNIST, trains LeNet-300-100, prunes it with Han et al.'s
// iterative schedule (sensitivity analysis included), compresses it with Deep Compression into a .tpz
// container, decodes and evaluates the file, and writes report/index.md with its figures plus
// report/report.json — every number comes from this run. Stages of later issues (latency vs ONNX Runtime,
// energy) join the pipeline as they land. `--quick` runs a ~20 s version (3 reference epochs, 3 short rounds).
using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Experiments;
using Topiary.IO;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The <c>demo</c> command.</summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var quick = new Option<bool>("--quick") { Description = "A ~20 s run: 3 reference epochs, 3 short pruning rounds, 1 fine-tuning epoch." };
        var outDir = new Option<string>("--out") { Description = "Report directory.", DefaultValueFactory = _ => "report" };
        var resume = new Option<bool>("--resume") { Description = "Reuse the checkpoints of an interrupted demo in the report directory." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("demo", "Train, prune and compress LeNet-300-100 on MNIST and write a report.") { quick, outDir, resume, json, threads };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            bool isQuick = parse.GetValue(quick);
            string dir = parse.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            AnsiConsole.Write(new Rule("[bold]Topiary demo[/]: LeNet-300-100 on MNIST — train, prune (Han 2015), compress (Deep Compression)"));
            var options = new DeepCompressionOptions
            {
                Pruning = new Han2015Options
                {
                    Model = "lenet-300-100",
                    Seed = 1,
                    WorkDirectory = Path.Combine(dir, "work"),
                    Resume = parse.GetValue(resume),
                    Rounds = isQuick ? 3 : 10,
                    EpochsPerRound = isQuick ? 1 : 3,
                    FinalEpochs = isQuick ? 1 : 6,
                    ReferenceEpochs = isQuick ? 3 : null,
                },
                FineTuneEpochs = isQuick ? 1 : 3,
            };
            var messages = CliOutput.Messages();
            var report = TrainingProgressRenderer.Run("demo", p => DeepCompression.Run(options, p, messages, ct));
            var figures = WriteFigures(dir, report);
            JsonReport.Write(Path.Combine(dir, "report.json"), report);
            JsonReport.Write(parse.GetValue(json), report);
            AtomicFile.WriteAllText(Path.Combine(dir, "index.md"), Markdown(report, figures, isQuick));
            var t = new Table().Title("Topiary demo: LeNet-300-100 on MNIST").AddColumns("stage", "test error", "size");
            var han = report.PruningReport!;
            t.AddRow("dense reference", CliOutput.Pct(report.Reference.TestError), $"{report.BytesOriginal / 1000:F0} KB");
            t.AddRow($"pruned ({han.Compression:F1}x fewer parameters)", CliOutput.Pct(han.Pruned.TestError), Kb(report.Stages, "pruning"));
            t.AddRow("quantized + Huffman (.tpz file)", CliOutput.Pct(report.Compressed.TestError), $"{report.BytesCompressed / 1000:F1} KB ({report.Compression:F1}x)");
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine($"report: [bold]{Markup.Escape(Path.Combine(dir, "index.md"))}[/]");
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static IReadOnlyList<string> WriteFigures(string dir, DeepCompressionReport r)
    {
        var files = Han2015Outputs.Write(dir, r.PruningReport!).Select(Path.GetFileName).Select(f => f!).ToList();
        BarPlot.Write(Path.Combine(dir, "size.png"), "Model size per stage (KB)", r.Stages.Select(s => s.Name).ToArray(),
            [new BarSeries("KB", r.Stages.Select(s => s.Bytes / 1000).ToArray())], "KB", stacked: false);
        files.Add("size.png");
        var layers = r.PruningReport!.Layers;
        BarPlot.Write(Path.Combine(dir, "density.png"), "Weights kept per layer (%)", layers.Select(l => l.Name).ToArray(),
        [
            new BarSeries("Topiary", layers.Select(l => l.KeptFraction * 100).ToArray()),
            new BarSeries("Han et al. 2015", layers.Select(l => (l.PaperKeptFraction ?? double.NaN) * 100).Select(v => double.IsNaN(v) ? 0 : v).ToArray()),
        ], "% kept", stacked: false);
        files.Add("density.png");
        return files;
    }

    private static string Markdown(DeepCompressionReport r, IReadOnlyList<string> figures, bool quick)
    {
        var han = r.PruningReport!;
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(inv, $"# Topiary demo — {r.Model} on MNIST{(quick ? " (quick run)" : "")}").AppendLine();
        md.AppendLine(inv, $"Seed {r.Seed}; {r.Seconds:F0} s in all. Every number below was measured in this run (`report.json` holds them all).").AppendLine();
        md.AppendLine("| stage | test error |").AppendLine("| --- | --- |");
        foreach (var e in r.Errors) md.AppendLine(inv, $"| {e.Stage} | {CliOutput.Pct(e.TestError)} |");
        md.AppendLine().AppendLine("| storage (cumulative) | size | compression |").AppendLine("| --- | --- | --- |");
        foreach (var st in r.Stages) md.AppendLine(inv, $"| {st.Name} | {st.Bytes / 1000:F1} KB | {st.Compression:F1}x |");
        md.AppendLine().AppendLine("## Pruning (Han et al. 2015)").AppendLine();
        md.AppendLine(inv, $"Reference {CliOutput.Pct(han.Reference.TestError)} → pruned {CliOutput.Pct(han.Pruned.TestError)}; {han.Reference.Params:N0} → {han.Pruned.NonzeroParams:N0} non-zero parameters ({han.Compression:F1}x; the paper: 12x).").AppendLine();
        md.AppendLine("| layer | weights | kept | Topiary | paper |").AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var l in han.Layers)
            md.AppendLine(inv, $"| {l.Name} | {l.Weights:N0} | {l.Kept:N0} | {CliOutput.Pct(l.KeptFraction)} | {(l.PaperKeptFraction is { } p ? CliOutput.Pct(p) : "")} |");
        md.AppendLine().AppendLine("## Deep Compression").AppendLine();
        md.AppendLine(inv, $"Container `{Path.GetFileName(r.ContainerPath)}`: {r.BytesOriginal / 1000:F0} KB → {r.BytesCompressed / 1000:F1} KB, **{r.Compression:F1}x** (the paper: 40x).").AppendLine();
        md.AppendLine("| layer | non-zero | fillers | bits (weight/index) | centroids | Huffman KB |").AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var l in r.Layers)
            md.AppendLine(inv, $"| {l.Name} | {l.NonZeros:N0} | {l.Fillers:N0} | {l.WeightBits}/{l.IndexBits} | {l.Centroids} | {l.HuffmanBits / 8000.0:F1} |");
        md.AppendLine().AppendLine("## Figures").AppendLine();
        foreach (var f in figures) md.AppendLine(inv, $"![{f}]({f})").AppendLine();
        md.AppendLine("Latency against ONNX Runtime and the energy estimate join this report when those stages land.");
        return md.ToString();
    }

    private static string Kb(IReadOnlyList<Compression.StageStorage> stages, string name) =>
        stages.FirstOrDefault(s => s.Name == name) is { } s ? $"{s.Bytes / 1000:F1} KB" : "";
}
