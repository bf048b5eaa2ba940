// `topiary reproduce mao2017 [--model lenet-5] [--dataset mnist]`: Mao et al. 2017's granularity study —
// accuracy vs density per granularity (accuracy.png), the equal-density and equal-accuracy tables, report.json.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Experiments;
using Topiary.Hardware.MemoryReferences;
using Topiary.Models;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce mao2017</c> command.</summary>
public static class Mao2017Command
{
    private const string DefaultDensities = "0.5,0.3,0.2,0.1,0.07,0.05", DefaultGranularities = "fine,vector,kernel,filter";

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Zoo model.", DefaultValueFactory = _ => "lenet-5" };
        var dataset = new Option<string>("--dataset") { Description = "mnist or fashion-mnist.", DefaultValueFactory = _ => "mnist" };
        var seed = new Option<int>("--seed") { Description = "Seed of training and pruning.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Work directory (default: runs/mao2017-<model>-<dataset>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoints in the work directory." };
        var densities = new Option<string>("--densities") { Description = "Comma-separated per-layer densities.", DefaultValueFactory = _ => DefaultDensities };
        var granularities = new Option<string>("--granularities") { Description = "Comma-separated: fine,vector,kernel,filter.", DefaultValueFactory = _ => DefaultGranularities };
        var epochs = new Option<int>("--epochs-per-density") { Description = "Retraining epochs after each density.", DefaultValueFactory = _ => 1 };
        var refEpochs = new Option<int?>("--reference-epochs") { Description = "Reference training epochs (default: the recipe's)." };
        var lrScale = new Option<float>("--lr-scale") { Description = "Retraining learning rate as a fraction of the recipe's.", DefaultValueFactory = _ => 0.5f };
        var valueBits = new Option<int>("--value-bits") { Description = "Bits per stored weight (32 = float32).", DefaultValueFactory = _ => 8 };
        var indexBits = new Option<int>("--index-bits") { Description = "Bits per relative group index.", DefaultValueFactory = _ => 4 };
        var equalDensity = new Option<double>("--equal-density") { Description = "Density of the equal-density table.", DefaultValueFactory = _ => 0.1 };
        var tolerance = new Option<double>("--tolerance") { Description = "Equal-accuracy tolerance on the error (absolute, e.g. 0.005 = 0.5 points).", DefaultValueFactory = _ => 0.005 };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Train on the first N training images only (default: all)." };
        var quick = new Option<bool>("--quick") { Description = "Smoke run: 2 densities, 1 reference epoch and 1 retraining epoch on 10k images." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("mao2017", "Mao et al. 2017: pruning granularity (fine, vector, kernel, filter) vs accuracy and storage.")
        {
            model, dataset, seed, outDir, resume, densities, granularities, epochs, refEpochs, lrScale, valueBits, indexBits,
            equalDensity, tolerance, trainLimit, quick, json, threads,
        };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var options = Options(parse.GetValue(model)!, parse.GetValue(dataset)!, parse.GetValue(outDir), parse.GetValue(quick), parse.GetValue(resume),
                parse.GetValue(seed), parse.GetValue(densities)!, parse.GetValue(granularities)!, parse.GetValue(epochs), parse.GetValue(refEpochs),
                parse.GetValue(lrScale), parse.GetValue(valueBits), parse.GetValue(indexBits), parse.GetValue(equalDensity), parse.GetValue(tolerance),
                parse.GetValue(trainLimit));
            Execute(options, parse.GetValue(json), ct);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    /// <summary>The study's options as the command builds them (<paramref name="quick"/>: densities 0.3 and 0.1, 1 reference
    /// and 1 retraining epoch on 10k images); <paramref name="workDirectory"/> null = runs/mao2017-&lt;model&gt;-&lt;dataset&gt;[-quick].</summary>
    /// <exception cref="ArgumentException">An unknown model or malformed densities.</exception>
    public static Mao2017Options Options(string model, string dataset, string? workDirectory, bool quick, bool resume, int seed = 1,
        string densities = DefaultDensities, string granularities = DefaultGranularities, int epochsPerDensity = 1, int? referenceEpochs = null,
        float lrScale = 0.5f, int valueBits = 8, int indexBits = 4, double equalDensity = 0.1, double tolerance = 0.005, int? trainLimit = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(granularities);
        string name = ModelZoo.Get(model).Name;
        return new Mao2017Options
        {
            Model = name,
            Dataset = dataset,
            Seed = seed,
            WorkDirectory = workDirectory ?? Path.Combine("runs", $"mao2017-{name}-{dataset}{(quick ? "-quick" : "")}"),
            Resume = resume,
            Densities = quick ? [0.3, 0.1] : ParseList(densities),
            Granularities = granularities.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            EpochsPerDensity = quick ? 1 : epochsPerDensity,
            ReferenceEpochs = quick ? 1 : referenceEpochs,
            TrainLimit = quick ? 10_000 : trainLimit,
            LearningRateScale = lrScale,
            ValueBits = valueBits,
            IndexBits = indexBits,
            EqualDensity = quick ? 0.1 : equalDensity,
            Tolerance = tolerance,
            MemoryReferences = quick ? MemRefStudyOptions.Mao2017 with { FilterStride = 8 } : MemRefStudyOptions.Mao2017,
        };
    }

    /// <summary>Runs the study with progress bars, prints its tables, writes accuracy.png and report.json into the work directory
    /// (and the report to <paramref name="json"/> when given); returns the report.</summary>
    public static Mao2017Report Execute(Mao2017Options options, string? json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var messages = CliOutput.Messages();
        var report = TrainingProgressRenderer.Run($"mao2017 {options.Model}", p => Mao2017.Run(options, p, messages, cancellationToken));
        Print(report);
        string png = Path.Combine(options.WorkDirectory, "accuracy.png");
        LinePlot.Write(png, $"{report.Model} on {report.Dataset}: accuracy vs density per granularity", "density (kept weights)", "test accuracy (%)",
            report.EqualDensityTable.Select(r => r.Granularity).Select(g =>
            {
                var pts = report.Points.Where(p => p.Granularity == g).OrderBy(p => p.Density).ToArray();
                return new LineSeries(g, pts.Select(p => p.Density).ToArray(), pts.Select(p => (1 - p.TestError) * 100).ToArray());
            }).Where(s => s.X.Length > 0).ToArray());
        JsonReport.WriteRun(options.WorkDirectory, json, report, "accuracy.png, report.json");
        return report;
    }

    private static double[] ParseList(string text)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--densities must be comma-separated numbers; got '{text}'.", e);
        }
    }

    private static string Cell(double? v, Func<double, string> f) => v is double x ? f(x) : "—";

    private static void Print(Mao2017Report r)
    {
        var inv = CultureInfo.InvariantCulture;
        AnsiConsole.MarkupLine($"Mao et al. 2017 on [bold]{Markup.Escape(r.Model)}[/] / {Markup.Escape(r.Dataset)}: dense error {CliOutput.Pct(r.ReferenceError)}; " +
            $"storage: {r.ValueBits}-bit values, {r.IndexBits}-bit relative indices; {r.EpochsPerDensity} retraining epoch(s) per density");
        var points = new Table().Title("sweep").AddColumns("granularity", "target", "density", "error pruned", "error retrained",
            "error (.tpz)", "storage ratio (.tpz)", "physically removed", "s");
        foreach (var p in r.Points)
            points.AddRow(p.Granularity, p.TargetDensity.ToString("0.###", inv), CliOutput.Pct(p.Density), CliOutput.Pct(p.ErrorBeforeRetraining),
                CliOutput.Pct(p.TestError), CliOutput.Pct(p.ContainerTestError), CliOutput.Pct(p.StorageRatio),
                p.Physical is { } ph ? string.Join(", ", ph.Units.Where(u => u.After < u.Before).Select(u => $"{u.Layer} {u.Before}→{u.After}")) + $" ({CliOutput.Pct(ph.TestError)})" : "",
                p.Seconds.ToString("F0", inv));
        AnsiConsole.Write(points);
        var ed = new Table().Title($"equal density ({r.EqualDensity.ToString("0.###", inv)} per layer)").AddColumns("granularity", "density", "error", "accuracy", "storage ratio");
        foreach (var x in r.EqualDensityTable)
            ed.AddRow(x.Granularity, Cell(x.Density, CliOutput.Pct), Cell(x.TestError, CliOutput.Pct), Cell(x.TestError, e => CliOutput.Pct(1 - e)), Cell(x.StorageRatio, CliOutput.Pct));
        AnsiConsole.Write(ed);
        var atEqual = r.Points.Where(p => p.TargetDensity == r.EqualDensity).ToArray();
        if (atEqual.Length > 0)
        {
            var perLayer = new Table().Title($"storage ratio per layer at density {r.EqualDensity.ToString("0.###", inv)}: encoder stream (kept groups · fillers); total: .tpz sections")
                .AddColumns(["layer", .. atEqual.Select(p => p.Granularity)]);
            foreach (string layer in atEqual[0].Layers.Select(l => l.Name))
            {
                perLayer.AddRow([layer, .. atEqual.Select(p => p.Layers.First(l => l.Name == layer)).Select(l =>
                    $"{CliOutput.Pct(l.StorageRatio)} ({l.KeptGroups:N0} · {l.Fillers:N0})")]);
            }
            perLayer.AddRow(["total", .. atEqual.Select(p => CliOutput.Pct(p.StorageRatio))]);
            AnsiConsole.Write(perLayer);
        }
        var ea = new Table().Title($"equal accuracy (error ≤ dense + {(r.Tolerance * 100).ToString("0.##", inv)} points)").AddColumns("granularity", "lowest density", "error", "storage ratio");
        foreach (var x in r.EqualAccuracyTable)
            ea.AddRow(x.Granularity, Cell(x.Density, CliOutput.Pct), Cell(x.TestError, CliOutput.Pct), Cell(x.StorageRatio, CliOutput.Pct));
        AnsiConsole.Write(ea);
        if (r.MemoryReferences is { } mr)
        {
            var mt = new Table().Title("VGG-16 conv output memory references (paper / ours; no cache, 8 B coalesced requests, halo 1, activation density 0.3)")
                .AddColumns("density", "fine-grained", "vector", "vector / fine");
            foreach (var x in mr)
                mt.AddRow(CliOutput.Pct(x.Density), $"{x.PaperFine / 1e9:F2} B / {x.Fine / 1e9:F2} B", $"{x.PaperVector / 1e9:F2} B / {x.Vector / 1e9:F2} B",
                    $"{CliOutput.Pct(x.PaperRatio)} / {CliOutput.Pct(x.Ratio)}");
            AnsiConsole.Write(mt);
        }
        foreach (string a in r.Assumptions) AnsiConsole.MarkupLine($"[grey]- {Markup.Escape(a)}[/]");
        AnsiConsole.MarkupLine($"time: reference {r.ReferenceSeconds:F0} s, sweep {r.SweepSeconds:F0} s, total {r.TotalSeconds:F0} s");
    }
}
