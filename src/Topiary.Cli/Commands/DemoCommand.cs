// `topiary demo`: the README's main job. Fetches MNIST, trains LeNet-300-100, prunes it with Han et al.'s
// iterative schedule (sensitivity analysis included), compresses it with Deep Compression into a .tpz
// container and decodes and evaluates the file; then times the dense reference, the pruned model and the decoded
// container against ONNX Runtime (DemoLatency, batch 1 and 64), estimates the energy of the dense and the pruned
// model with measured activation densities (DemoEnergy), and writes report/index.md with its figures
// (DemoFigures, DemoMarkdown) plus report/report.json (DemoReport) — every number comes from this run.
// The dense reference and the pruned model are reloaded from the run's own checkpoints (work/reference.ckpt,
// work/pruning.ckpt) and checked against the errors the pipeline reported. `--quick` is a ~1 minute version
// (3 reference epochs, 3 short rounds, short timing budgets).
using System.CommandLine;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Compression.Container;
using Topiary.Data;
using Topiary.Experiments;
using Topiary.IO;
using Topiary.Models;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>The <c>demo</c> command.</summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var quick = new Option<bool>("--quick") { Description = "A ~1 minute run: 3 reference epochs, 3 short pruning rounds, 1 fine-tuning epoch, short timing budgets." };
        var outDir = new Option<string>("--out") { Description = "Report directory.", DefaultValueFactory = _ => "report" };
        var resume = new Option<bool>("--resume") { Description = "Reuse the checkpoints of an interrupted demo in the report directory." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("demo", "Train, prune and compress LeNet-300-100 on MNIST, time it against ONNX Runtime, estimate its energy and write a report.") { quick, outDir, resume, json, threads };
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
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var compressed = TrainingProgressRenderer.Run("demo", p => DeepCompression.Run(options, p, messages, ct));
            var report = Measure(options, compressed, isQuick, watch, messages, ct);
            var figures = DemoFigures.Write(dir, report);
            JsonReport.Write(Path.Combine(dir, "report.json"), report);
            JsonReport.Write(parse.GetValue(json), report);
            AtomicFile.WriteAllText(Path.Combine(dir, "index.md"), DemoMarkdown.Render(report, figures));
            AnsiConsole.Write(Summary(report));
            AnsiConsole.MarkupLine($"report: [bold]{Markup.Escape(Path.Combine(dir, "index.md"))}[/]");
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    // The latency and energy stages on the models of the run, and the demo-level report.
    private static DemoReport Measure(DeepCompressionOptions options, DeepCompressionReport compressed, bool quick, System.Diagnostics.Stopwatch watch,
        IProgress<string> messages, CancellationToken ct)
    {
        var han = compressed.PruningReport ?? throw new InvalidOperationException("Deep Compression returned no pruning report.");
        var info = ModelZoo.Get(compressed.Model);
        var test = TrainingRun.LoadDataset("mnist", DatasetSplit.Test, cancellationToken: ct);

        messages.Report("reloading the dense reference and the pruned model from this run's checkpoints");
        var pruning = options.Pruning;
        var dense = TrainingRun.Run(new TrainingRunOptions
        {
            Model = compressed.Model,
            Seed = pruning.Seed,
            Epochs = pruning.ReferenceEpochs,
            TrainLimit = pruning.TrainLimit,
            CheckpointPath = Path.Combine(pruning.WorkDirectory, "reference.ckpt"),
            Resume = true,
        }, cancellationToken: ct).Network;
        var pruned = info.Factory(0);
        Checkpoint.LoadInto(pruned, Path.Combine(pruning.WorkDirectory, "pruning.ckpt"));
        SameAsReported("dense reference", TrainingRun.Evaluate(dense, test, ct).Error, han.Reference.TestError);
        SameAsReported("pruned model", TrainingRun.Evaluate(pruned, test, ct).Error, han.Pruned.TestError);

        var decodeWatch = System.Diagnostics.Stopwatch.StartNew();
        var decoded = CompressedModel.Load(compressed.ContainerPath).Network;
        double decodeMs = decodeWatch.Elapsed.TotalMilliseconds;

        var machine = DemoMachine.Current();
        var latency = DemoLatency.Run(dense, pruned, decoded, info.InputShape, test, quick ? 0.3 : 1.5, decodeMs, messages);
        messages.Report("estimating energy (Eyeriss-like model) with activation densities measured on the test set");
        var energy = DemoEnergy.Run(compressed.Model, dense, pruned, test, quick ? 2000 : test.Count, ct);
        double containerSparsity = 1 - (double)compressed.Compressed.NonzeroParams / compressed.Compressed.Params;
        return new DemoReport(compressed.Model, quick, compressed, DemoRoundPoint.From(han), containerSparsity, latency, energy, machine,
            watch.Elapsed.TotalSeconds);
    }

    // The reloaded model must be the one the pipeline measured (same checkpoint, same test set, deterministic kernels).
    private static void SameAsReported(string what, double measured, double reported)
    {
        if (Math.Abs(measured - reported) > 1e-9)
            throw new InvalidOperationException($"The reloaded {what} has test error {measured:P2}, but the pipeline reported {reported:P2}.");
    }

    private static Table Summary(DemoReport report)
    {
        var r = report.DeepCompression;
        var han = r.PruningReport!;
        var b1 = report.Latency.Runs.First(run => run.Batch == 1);
        string Us(string runtime)
        {
            var t = b1.Runtimes.Single(t => t.Runtime == runtime);
            return $"{t.MedianUs:F1} µs ({t.SpeedupVsOrtDense:F2}x)";
        }
        var e = report.Energy;
        var table = new Table().Title($"Topiary demo: LeNet-300-100 on MNIST ({report.Seconds:F0} s)")
            .AddColumns("model, runtime", "test error", "size", "batch 1 (vs ORT)", $"energy ({e.Profile})");
        table.AddRow("dense, ONNX Runtime", CliOutput.Pct(r.Reference.TestError), $"{r.BytesOriginal / 1000:F0} KB", Us(DemoLatency.OrtDense), DemoMarkdown.E(e.Dense.Total));
        table.AddRow("dense, Topiary plan", "", "", Us("topiary dense plan"), "");
        table.AddRow($"pruned {han.Compression:F1}x, Topiary plan", CliOutput.Pct(han.Pruned.TestError), DemoMarkdown.Kb(r, "pruning"),
            Us(DemoLatency.PrunedPlan), $"{DemoMarkdown.E(e.Pruned.Total)} ({e.Ratio:F1}x less)");
        table.AddRow(".tpz (quantized + Huffman), Topiary plan", CliOutput.Pct(r.Compressed.TestError), $"{r.BytesCompressed / 1000:F1} KB ({r.Compression:F1}x)",
            Us("topiary .tpz plan"), "");
        return table;
    }
}
