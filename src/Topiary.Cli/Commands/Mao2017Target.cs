// `topiary reproduce mao2017 [--model lenet-5] [--dataset mnist]`: Mao et al. 2017's granularity study —
// accuracy vs density per granularity (accuracy.png), the equal-density and equal-accuracy tables, report.json.
using System.Globalization;
using Spectre.Console;
using Topiary.Experiments;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce mao2017</c> target.</summary>
public static class Mao2017Target
{
    /// <summary>The registration.</summary>
    public static ReproduceTarget<Mao2017Options, Mao2017Report> Target { get; } = new("mao2017",
        "Mao et al. 2017: pruning granularity (fine, vector, kernel, filter) vs accuracy and storage.",
        "Smoke run: 2 densities, 1 reference epoch and 1 retraining epoch on 10k images.",
        (model, resume) => new Mao2017Options { Model = model, WorkDirectory = "", Resume = resume },
        Mao2017.Run, Print, ReproduceAllIndex.Mao2017)
    {
        DefaultModel = "lenet-5",
        AllModels = ["lenet-5"],
        Label = (o, model) => $"mao2017-{model}-{o.Dataset}",
        Outputs = (dir, report) =>
        {
            LinePlot.Write(Path.Combine(dir, "accuracy.png"), $"{report.Model} on {report.Dataset}: accuracy vs density per granularity",
                "density (kept weights)", "test accuracy (%)", report.EqualDensityTable.Select(r => r.Granularity).Select(g =>
                {
                    var pts = report.Points.Where(p => p.Granularity == g).OrderBy(p => p.Density).ToArray();
                    return new LineSeries(g, pts.Select(p => p.Density).ToArray(), pts.Select(p => (1 - p.TestError) * 100).ToArray());
                }).Where(s => s.X.Length > 0).ToArray());
            return ["accuracy.png"];
        },
    };

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
