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
    private const string DefaultPlatforms = "cortex-m4,host,gpu";
    private const double DefaultLatencySeconds = 3.0;

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "lenet-300-100 or lenet-5.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of training and pruning.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Work directory for checkpoints, variants, plots and the report (default: runs/scalpel-<model>)." };
        var resume = new Option<bool>("--resume") { Description = "Reuse finished variants and continue schedules from their checkpoints." };
        var platforms = new Option<string>("--platforms") { Description = "Comma-separated platforms: cortex-m4, host, gpu.", DefaultValueFactory = _ => DefaultPlatforms };
        var width = new Option<int?>("--host-group-width") { Description = "SIMD group width on the host (default: float lanes capped at 8)." };
        var latency = new Option<double>("--latency-seconds") { Description = "Host timing budget (all contenders interleaved).", DefaultValueFactory = _ => DefaultLatencySeconds };
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
            var options = Options(parse.GetValue(model)!, parse.GetValue(outDir), parse.GetValue(quick), parse.GetValue(resume), parse.GetValue(seed),
                parse.GetValue(platforms)!, parse.GetValue(width), parse.GetValue(latency));
            Execute(options, parse.GetValue(json), ct);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    /// <summary>The experiment's options as the command builds them (<paramref name="quick"/>: 2 reference epochs on 10k images,
    /// 2 rounds of 1 epoch, short node pruning); <paramref name="workDirectory"/> null = runs/scalpel-&lt;model&gt;[-quick].</summary>
    /// <exception cref="ArgumentException">An unsupported model or an unknown platform.</exception>
    public static ScalpelOptions Options(string model, string? workDirectory, bool quick, bool resume, int seed = 1,
        string platforms = DefaultPlatforms, int? hostGroupWidth = null, double latencySeconds = DefaultLatencySeconds)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        string name = ModelZoo.Get(model).Name;
        Han2015.DefaultTargets(name); // reject unsupported models before any work
        var names = platforms.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var n in names.Where(n => !HardwareProfile.KnownNames.Contains(n.ToLowerInvariant())))
            throw new ArgumentException($"--platforms: unknown platform '{n}'; known: {string.Join(", ", HardwareProfile.KnownNames)}.");
        return new ScalpelOptions
        {
            Model = name,
            Seed = seed,
            WorkDirectory = workDirectory ?? Path.Combine("runs", $"scalpel-{name}{(quick ? "-quick" : "")}"),
            Resume = resume,
            Platforms = names,
            HostGroupWidth = hostGroupWidth,
            LatencySeconds = latencySeconds,
            Rounds = quick ? 2 : 10,
            EpochsPerRound = quick ? 1 : 3,
            FinalEpochs = quick ? 0 : 6,
            ReferenceEpochs = quick ? 2 : null,
            TrainLimit = quick ? 10_000 : null,
            Node = quick ? Topiary.Pruning.Node.NodePruningOptions.Defaults(name) with { Penalties = [0.01f, 0.02f], EpochsPerStage = 1, RetrainEpochs = 1 } : null,
        };
    }

    /// <summary>Runs the experiment with progress bars, prints its tables, writes speedup.png and report.json into the work
    /// directory (and the report to <paramref name="json"/> when given); returns the report.</summary>
    public static ScalpelReport Execute(ScalpelOptions options, string? json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var messages = CliOutput.Messages();
        var report = TrainingProgressRenderer.Run($"scalpel {options.Model}", p => Experiments.Scalpel.Run(options, p, messages, cancellationToken));
        Print(report);
        string plot = Path.Combine(options.WorkDirectory, "speedup.png");
        var cats = report.Platforms.Select(p => $"{p.Name} ({(p.Measured ? "measured" : "modelled")})").ToArray();
        BarPlot.Write(plot, $"{report.Model}: speedup over dense", cats,
        [
            new BarSeries("traditional (CSR)", report.Platforms.Select(p => p.TraditionalSpeedup).ToArray()),
            new BarSeries("Scalpel", report.Platforms.Select(p => p.ScalpelSpeedup).ToArray()),
        ], "speedup (x)", stacked: false);
        JsonReport.WriteRun(options.WorkDirectory, json, report);
        return report;
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
