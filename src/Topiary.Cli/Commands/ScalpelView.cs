// ScalpelView: how a Scalpel (Yu et al., ISCA 2017) report is shown — the variants, then traditional pruning vs
// Scalpel per platform (host measured; Cortex-M4 and GPU modelled, labelled so) with the model size, speedup and test
// error of each beside the paper's means; the speedup chart (speedup.png) and the summary for the `reproduce all` index.
using Spectre.Console;
using Topiary.Experiments;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The view of a <c>reproduce scalpel</c> report.</summary>
public static class ScalpelView
{
    /// <summary>Prints the report's tables.</summary>
    public static void Print(ScalpelReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        CliOutput.Table($"Scalpel on {r.Model} (seed {r.Seed}): variants", ["variant", "test error", "parameters", "non-zero", "layers (units kept, technique)"], r.Variants.Select(v => new[]
        {
            v.Name, CliOutput.Pct(v.TestError), $"{v.Parameters:N0}", $"{v.NonZeroParameters:N0}",
            Markup.Escape(string.Join("; ", v.Layers.Select(l => $"{l.Name} {l.UnitsAfter}/{l.UnitsBefore} {l.NonZero * 100.0 / Math.Max(1, l.Weights):F0}% {l.Technique}"))),
        }));
        if (r.PaperNodeStructure is { } ps)
            AnsiConsole.MarkupLine($"[grey]paper's node-pruned structure: {Markup.Escape(string.Join(", ", ps.Select(kv => $"{kv.Key} {kv.Value}")))}[/]");
        CliOutput.Table("per platform: speedup over dense and model-size reduction", ["platform", "how", "dense µs", "traditional", "Scalpel", "size −% trad.",
            "size −% Scalpel", "error trad.", "error Scalpel", "paper (Scalpel / trad. / size)"], r.Platforms.Select(p => new[]
        {
            p.Name, How(p), $"{p.DenseUs:F1}", $"{p.TraditionalSpeedup:F2}x", $"{p.ScalpelSpeedup:F2}x",
            CliOutput.Pct(p.TraditionalSizeReduction), CliOutput.Pct(p.SizeReduction), CliOutput.Pct(p.TraditionalError), CliOutput.Pct(p.ScalpelError),
            p.Paper is { } pp ? $"{pp.ScalpelSpeedup:F2}x / {pp.TraditionalSpeedup:F2}x / {pp.SizeReduction * 100:F0}%" : "",
        }));
        foreach (var p in r.Platforms.Where(p => !p.Measured))
            AnsiConsole.MarkupLine($"[grey]{p.Name} is modelled: {Markup.Escape(string.Join(" ", p.Assumptions.Take(4)))} … (all assumptions in report.json)[/]");
    }

    /// <summary>Writes speedup.png (traditional vs Scalpel per platform) into <paramref name="dir"/>; returns its file name.</summary>
    public static IEnumerable<string> Outputs(string dir, ScalpelReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        BarPlot.Write(Path.Combine(dir, "speedup.png"), $"{report.Model}: speedup over dense", report.Platforms.Select(p => $"{p.Name} ({How(p)})").ToArray(),
        [
            new BarSeries("traditional (CSR)", report.Platforms.Select(p => p.TraditionalSpeedup).ToArray()),
            new BarSeries("Scalpel", report.Platforms.Select(p => p.ScalpelSpeedup).ToArray()),
        ], "speedup (x)", stacked: false);
        return ["speedup.png"];
    }

    /// <summary>The index summary: per platform, speedups and size reduction beside the paper's means.</summary>
    public static ReproduceTargetSummary Summary(string name, ScalpelReport r, double seconds)
    {
        ArgumentNullException.ThrowIfNull(r);
        return ReproduceAllIndex.Done(name, $"Yu et al. 2017 (Scalpel), {r.Model}: pruning chosen by hardware parallelism", seconds, [$"{name}/speedup.png"],
            ["platform", "how", "traditional", "Scalpel", "size −% (Scalpel)", "Scalpel error", "paper (Scalpel / trad. / size)"],
            r.Platforms.Select(p => new[]
            {
                p.Name, How(p), $"{p.TraditionalSpeedup:F1}x", $"{p.ScalpelSpeedup:F1}x", CliOutput.Pct(p.SizeReduction), CliOutput.Pct(p.ScalpelError),
                p.Paper is { } pp ? $"{pp.ScalpelSpeedup:F1}x / {pp.TraditionalSpeedup:F1}x / {pp.SizeReduction * 100:F0}%" : "",
            }).ToArray());
    }

    private static string How(ScalpelPlatform p) => p.Measured ? "measured" : "modelled";
}
