// `topiary demo`: the README's main job. Fetches MNIST, trains LeNet-300-100, prunes it with Han et al.'s
// iterative schedule (sensitivity analysis included), compresses it with Deep Compression into a .tpz
// container and decodes and evaluates the file; then times the dense reference, the pruned model and the decoded
// container against ONNX Runtime (DemoLatency, batch 1 and 64), estimates the energy of the dense and the pruned
// model with measured activation densities (ModelEnergy, DemoEnergyReport), and writes report/index.md with its figures
// (DemoFigures, DemoMarkdown) plus report/report.json (DemoReport) — every number comes from this run.
// The dense reference and the pruned model are reloaded from the run's own checkpoints (work/reference.ckpt,
// work/pruning.ckpt) and checked against the errors the pipeline reported. The stages' settings are DemoOptions
// (one flag each); `--quick` is its ~1 minute preset (3 reference epochs, 3 short rounds, short timing budgets).
using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Cli.Reports;
using Topiary.Compression.Container;
using Topiary.Data;
using Topiary.Experiments;
using Topiary.Hardware.Energy;
using Topiary.IO;
using Topiary.Models;
using Topiary.Pruning;
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
        var settings = new SettingFlags<DemoOptions>(cmd, new DemoOptions { WorkDirectory = "report/work" });
        return cmd.Runs((parse, ct) =>
        {
            bool isQuick = parse.GetValue(quick);
            string dir = parse.GetValue(outDir)!;
            var preset = new DemoOptions { WorkDirectory = Path.Combine(dir, "work"), Resume = parse.GetValue(resume) };
            var options = settings.Bind(parse, isQuick ? preset.Quick() : preset);
            Directory.CreateDirectory(dir);
            AnsiConsole.Write(new Rule("[bold]Topiary demo[/]: LeNet-300-100 on MNIST — train, prune (Han 2015), compress (Deep Compression)"));
            var report = Run(options, isQuick, CliOutput.Messages(), ct);
            var figures = DemoFigures.Write(dir, report);
            JsonReport.Write(Path.Combine(dir, "report.json"), report);
            JsonReport.Write(parse.GetValue(json), report);
            AtomicFile.WriteAllText(Path.Combine(dir, "index.md"), DemoMarkdown.Render(report, figures));
            var (header, rows) = DemoMarkdown.Summary(report);
            CliOutput.Table($"Topiary demo: LeNet-300-100 on MNIST ({report.Seconds:F0} s)", header,
                rows.Select(row => row.Select(c => Markup.Escape(c.Replace("**", "", StringComparison.Ordinal)))));
            AnsiConsole.MarkupLine($"report: [bold]{Markup.Escape(Path.Combine(dir, "index.md"))}[/]");
            return 0;
        }, threads);
    }

    /// <summary>
    /// Runs the stages: Deep Compression (training, pruning, compression into the options' work directory), then the
    /// latency and energy stages on the dense reference and the pruned model reloaded from its checkpoints and on the container.
    /// </summary>
    /// <exception cref="InvalidOperationException">A reloaded model's test error differs from the one the pipeline reported.</exception>
    public static DemoReport Run(DemoOptions options, bool quick, IProgress<string> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        string workDirectory = options.WorkDirectory;
        var watch = Stopwatch.StartNew();
        var pipeline = options.Pipeline();
        var compressed = TrainingProgressRenderer.Run("demo", p => DeepCompression.Run(pipeline, p, messages, ct));
        var han = compressed.PruningReport ?? throw new InvalidOperationException("Deep Compression returned no pruning report.");
        var info = ModelZoo.Get(compressed.Model);
        var test = TrainingRun.LoadDataset("mnist", DatasetSplit.Test, cancellationToken: ct);

        messages.Report("reloading the dense reference and the pruned model from this run's checkpoints");
        var dense = TrainingRun.Run(new TrainingRunOptions
        {
            Model = compressed.Model,
            Seed = options.Seed,
            Epochs = options.ReferenceEpochs,
            CheckpointPath = Path.Combine(workDirectory, "reference.ckpt"),
            Resume = true,
        }, cancellationToken: ct).Network;
        var pruned = info.Factory(0);
        Checkpoint.LoadInto(pruned, Path.Combine(workDirectory, "pruning.ckpt"));
        SameAsReported("dense reference", TrainingRun.Evaluate(dense, test, ct).Error, han.Reference.TestError);
        SameAsReported("pruned model", TrainingRun.Evaluate(pruned, test, ct).Error, han.Pruned.TestError);

        var decodeWatch = Stopwatch.StartNew();
        var decoded = CompressedModel.Load(compressed.ContainerPath).Network;
        double decodeMs = decodeWatch.Elapsed.TotalMilliseconds;

        var machine = DemoMachine.Current();
        var latency = DemoLatency.Run(dense, pruned, decoded, info.InputShape, test, options.SecondsPerRuntime, decodeMs, messages);
        messages.Report("estimating energy (Eyeriss-like model) with activation densities measured on the test set");
        var images = test.Slice(0, options.EnergyImages ?? test.Count).AsTensor();
        NetworkEnergy Energy(Nn.Module model) => ModelEnergy.Estimate(model, images, EyerissEnergyModel.Default, DemoEnergyReport.DataBits, compressed.Model, ct);
        var energy = DemoEnergyReport.Of(Energy(dense), Energy(pruned), images.Dim(0));
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
}
