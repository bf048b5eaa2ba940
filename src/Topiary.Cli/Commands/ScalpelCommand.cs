// `topiary reproduce scalpel --model lenet-300-100|lenet-5`: Scalpel (Yu et al., ISCA 2017) end to end —
// traditional pruning vs Scalpel per platform (host measured; Cortex-M4 and GPU modelled, labelled so),
// with the model size, speedup and test error of each, beside the paper's means. Writes report.json and
// speedup.png into the work directory.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Experiments;
using Topiary.Hardware;
using Topiary.Models;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce scalpel</c> command.</summary>
public static class ScalpelCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "lenet-300-100 or lenet-5.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of training and pruning.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Work directory for checkpoints, variants, plots and the report (default: runs/scalpel-<model>)." };
        var resume = new Option<bool>("--resume") { Description = "Reuse finished variants and continue schedules from their checkpoints." };
        var platforms = new Option<string>("--platforms") { Description = "Comma-separated platforms: cortex-m4, host, gpu.", DefaultValueFactory = _ => "cortex-m4,host,gpu" };
        var width = new Option<int?>("--host-group-width") { Description = "SIMD group width on the host (default: float lanes capped at 8)." };
        var latency = new Option<double>("--latency-seconds") { Description = "Host timing budget (all contenders interleaved).", DefaultValueFactory = _ => 3.0 };
        var quick = new Option<bool>("--quick") { Description = "A smoke run: 2 reference epochs on 10k images, 2 rounds of 1 epoch, short node pruning." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("scalpel", "Scalpel (ISCA 2017): pruning chosen by hardware parallelism vs traditional pruning.")
        {
            model, seed, outDir, resume, platforms, width, latency, quick, json, threads,
        };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            string name = ModelZoo.Get(parse.GetValue(model)!).Name;
            Han2015.DefaultTargets(name); // reject unsupported models before any work
            bool isQuick = parse.GetValue(quick);
            var names = parse.GetValue(platforms)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var n in names.Where(n => !HardwareProfile.KnownNames.Contains(n.ToLowerInvariant())))
                throw new ArgumentException($"--platforms: unknown platform '{n}'; known: {string.Join(", ", HardwareProfile.KnownNames)}.");
            var options = new ScalpelOptions
            {
                Model = name,
                Seed = parse.GetValue(seed),
                WorkDirectory = parse.GetValue(outDir) ?? Path.Combine("runs", $"scalpel-{name}{(isQuick ? "-quick" : "")}"),
                Resume = parse.GetValue(resume),
                Platforms = names,
                HostGroupWidth = parse.GetValue(width),
                LatencySeconds = parse.GetValue(latency),
                Rounds = isQuick ? 2 : 10,
                EpochsPerRound = isQuick ? 1 : 3,
                FinalEpochs = isQuick ? 0 : 6,
                ReferenceEpochs = isQuick ? 2 : null,
                TrainLimit = isQuick ? 10_000 : null,
                Node = isQuick ? Experiments.Scalpel.DefaultNodeOptions(name) with { Penalties = [0.01f, 0.02f], EpochsPerStage = 1, RetrainEpochs = 1 } : null,
            };
            var messages = CliOutput.Messages();
            var report = TrainingProgressRenderer.Run($"scalpel {name}", p => Experiments.Scalpel.Run(options, p, messages, ct));
            Print(report);
            string plot = Path.Combine(options.WorkDirectory, "speedup.png");
            var cats = report.Platforms.Select(p => $"{p.Name} ({(p.Measured ? "measured" : "modelled")})").ToArray();
            BarPlot.Write(plot, $"{report.Model}: speedup over dense", cats,
            [
                new BarSeries("traditional (CSR)", report.Platforms.Select(p => p.TraditionalSpeedup).ToArray()),
                new BarSeries("Scalpel", report.Platforms.Select(p => p.ScalpelSpeedup).ToArray()),
            ], "speedup (x)", stacked: false);
            JsonReport.Write(Path.Combine(options.WorkDirectory, "report.json"), report);
            JsonReport.Write(parse.GetValue(json), report);
            AnsiConsole.MarkupLine($"outputs in [bold]{Markup.Escape(options.WorkDirectory)}[/]");
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static void Print(ScalpelReport r)
    {
        var variants = new Table().Title($"Scalpel on {r.Model} (seed {r.Seed}): variants").AddColumns("variant", "test error", "parameters", "non-zero", "layers (units kept, technique)");
        foreach (var v in r.Variants)
        {
            variants.AddRow(v.Name, CliOutput.Pct(v.TestError), $"{v.Parameters:N0}", $"{v.NonZeroParameters:N0}",
                Markup.Escape(string.Join("; ", v.Layers.Select(l => $"{l.Name} {l.UnitsAfter}/{l.UnitsBefore} {l.NonZero * 100.0 / Math.Max(1, l.Weights):F0}% {l.Technique}"))));
        }
        AnsiConsole.Write(variants);
        if (r.PaperNodeStructure is { } ps)
            AnsiConsole.MarkupLine($"[grey]paper's node-pruned structure: {Markup.Escape(string.Join(", ", ps.Select(kv => $"{kv.Key} {kv.Value}")))}[/]");

        var table = new Table().Title("per platform: speedup over dense and model-size reduction").AddColumns(
            "platform", "how", "dense µs", "traditional", "Scalpel", "size −% trad.", "size −% Scalpel", "error trad.", "error Scalpel", "paper (Scalpel / trad. / size)");
        foreach (var p in r.Platforms)
        {
            table.AddRow(p.Name, p.Measured ? "measured" : "modelled", F(p.DenseUs), $"{p.TraditionalSpeedup:F2}x", $"{p.ScalpelSpeedup:F2}x",
                CliOutput.Pct(p.TraditionalSizeReduction), CliOutput.Pct(p.SizeReduction), CliOutput.Pct(p.TraditionalError), CliOutput.Pct(p.ScalpelError),
                p.Paper is { } pp ? $"{pp.ScalpelSpeedup:F2}x / {pp.TraditionalSpeedup:F2}x / {pp.SizeReduction * 100:F0}%" : "");
        }
        AnsiConsole.Write(table);
        foreach (var p in r.Platforms.Where(p => !p.Measured))
            AnsiConsole.MarkupLine($"[grey]{p.Name} is modelled: {Markup.Escape(string.Join(" ", p.Assumptions.Take(4)))} … (all assumptions in report.json)[/]");
    }

    private static string F(double us) => us.ToString("F1", CultureInfo.InvariantCulture);
}
