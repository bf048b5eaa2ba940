// Mao2017View: how a Mao et al. 2017 granularity study is shown — the sweep, the equal-density and equal-accuracy
// tables, the storage per layer and the VGG-16 memory references on the console; accuracy vs density per granularity
// (accuracy.png); the equal-density table for the `reproduce all` index.
using System.Globalization;
using Spectre.Console;
using Topiary.Experiments;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The view of a <c>reproduce mao2017</c> report.</summary>
public static class Mao2017View
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Prints the report's tables.</summary>
    public static void Print(Mao2017Report r)
    {
        ArgumentNullException.ThrowIfNull(r);
        AnsiConsole.MarkupLine($"Mao et al. 2017 on [bold]{Markup.Escape(r.Model)}[/] / {Markup.Escape(r.Dataset)}: dense error {CliOutput.Pct(r.ReferenceError)}; " +
            $"storage: {r.ValueBits}-bit values, {r.IndexBits}-bit relative indices; {r.EpochsPerDensity} retraining epoch(s) per density");
        CliOutput.Table("sweep", ["granularity", "target", "density", "error pruned", "error retrained", "error (.tpz)", "storage ratio (.tpz)", "physically removed", "s"],
            r.Points.Select(p => new[]
            {
                p.Granularity, p.TargetDensity.ToString("0.###", Inv), CliOutput.Pct(p.Density), CliOutput.Pct(p.ErrorBeforeRetraining),
                CliOutput.Pct(p.TestError), CliOutput.Pct(p.ContainerTestError), CliOutput.Pct(p.StorageRatio),
                p.Physical is { } ph ? string.Join(", ", ph.Units.Where(u => u.After < u.Before).Select(u => $"{u.Layer} {u.Before}→{u.After}")) + $" ({CliOutput.Pct(ph.TestError)})" : "",
                p.Seconds.ToString("F0", Inv),
            }));
        CliOutput.Table($"equal density ({r.EqualDensity.ToString("0.###", Inv)} per layer)", ["granularity", "density", "error", "accuracy", "storage ratio"],
            r.EqualDensityTable.Select(x => new[] { x.Granularity, Cell(x.Density), Cell(x.TestError), Cell(1 - x.TestError), Cell(x.StorageRatio) }));
        var atEqual = r.Points.Where(p => p.TargetDensity == r.EqualDensity).ToArray();
        if (atEqual.Length > 0)
        {
            var layers = atEqual[0].Layers.Select(l => l.Name).Select(layer => atEqual.Select(p => p.Layers.First(l => l.Name == layer))
                .Select(l => $"{CliOutput.Pct(l.StorageRatio)} ({l.KeptGroups:N0} · {l.Fillers:N0})").Prepend(layer));
            CliOutput.Table($"storage ratio per layer at density {r.EqualDensity.ToString("0.###", Inv)}: encoder stream (kept groups · fillers); total: .tpz sections",
                ["layer", .. atEqual.Select(p => p.Granularity)], [.. layers, ["total", .. atEqual.Select(p => CliOutput.Pct(p.StorageRatio))]]);
        }
        CliOutput.Table($"equal accuracy (error ≤ dense + {(r.Tolerance * 100).ToString("0.##", Inv)} points)", ["granularity", "lowest density", "error", "storage ratio"],
            r.EqualAccuracyTable.Select(x => new[] { x.Granularity, Cell(x.Density), Cell(x.TestError), Cell(x.StorageRatio) }));
        if (r.MemoryReferences is { } mr)
        {
            CliOutput.Table("VGG-16 conv output memory references (paper / ours; no cache, 8 B coalesced requests, halo 1, activation density 0.3)",
                ["density", "fine-grained", "vector", "vector / fine"], mr.Select(x => new[]
                {
                    CliOutput.Pct(x.Density), $"{x.PaperFine / 1e9:F2} B / {x.Fine / 1e9:F2} B", $"{x.PaperVector / 1e9:F2} B / {x.Vector / 1e9:F2} B",
                    $"{CliOutput.Pct(x.PaperRatio)} / {CliOutput.Pct(x.Ratio)}",
                }));
        }
        foreach (string a in r.Assumptions) AnsiConsole.MarkupLine($"[grey]- {Markup.Escape(a)}[/]");
        AnsiConsole.MarkupLine($"time: reference {r.ReferenceSeconds:F0} s, sweep {r.SweepSeconds:F0} s, total {r.TotalSeconds:F0} s");
    }

    /// <summary>Writes accuracy.png (test accuracy vs density, one line per granularity) into <paramref name="dir"/>; returns its file name.</summary>
    public static IEnumerable<string> Outputs(string dir, Mao2017Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        LinePlot.Write(Path.Combine(dir, "accuracy.png"), $"{report.Model} on {report.Dataset}: accuracy vs density per granularity",
            "density (kept weights)", "test accuracy (%)", report.EqualDensityTable.Select(r => r.Granularity).Select(g =>
            {
                var pts = report.Points.Where(p => p.Granularity == g).OrderBy(p => p.Density).ToArray();
                return new LineSeries(g, pts.Select(p => p.Density).ToArray(), pts.Select(p => (1 - p.TestError) * 100).ToArray());
            }).Where(s => s.X.Length > 0).ToArray());
        return ["accuracy.png"];
    }

    /// <summary>The index summary: the equal-density table (error and storage per granularity).</summary>
    public static ReproduceTargetSummary Summary(string name, Mao2017Report r, double seconds)
    {
        ArgumentNullException.ThrowIfNull(r);
        return ReproduceAllIndex.Done(name, $"Mao et al. 2017, {r.Model} on {r.Dataset}: granularity at equal density {r.EqualDensity.ToString("0.###", Inv)} (dense error {CliOutput.Pct(r.ReferenceError)})",
            seconds, [$"{name}/accuracy.png"], ["granularity", "density", "test error", "storage (of dense)"],
            r.EqualDensityTable.Select(x => new[] { x.Granularity, Cell(x.Density), Cell(x.TestError), Cell(x.StorageRatio) }).ToArray());
    }

    // A percentage, or a dash where the granularity has no point.
    private static string Cell(double? v) => v is double x ? CliOutput.Pct(x) : "—";
}
