// `topiary reproduce scalpel --model lenet-300-100|lenet-5`: Scalpel (Yu et al., ISCA 2017) end to end —
// traditional pruning vs Scalpel per platform (host measured; Cortex-M4 and GPU modelled, labelled so),
// with the model size, speedup and test error of each, beside the paper's means. Writes report.json and
// speedup.png into the work directory.
using System.Globalization;
using Spectre.Console;
using Topiary.Experiments;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce scalpel</c> target.</summary>
public static class ScalpelTarget
{
    /// <summary>The registration.</summary>
    public static ReproduceTarget<ScalpelOptions, ScalpelReport> Target { get; } = new("scalpel",
        "Scalpel (ISCA 2017): pruning chosen by hardware parallelism vs traditional pruning.",
        "A smoke run: 2 reference epochs on 10k images, 2 rounds of 1 epoch, short node pruning.",
        (model, resume) => new ScalpelOptions { Model = model, WorkDirectory = "", Resume = resume },
        Experiments.Scalpel.Run, Print, ReproduceAllIndex.Scalpel)
    {
        Models = ["lenet-300-100", "lenet-5"],
        Outputs = (dir, report) =>
        {
            BarPlot.Write(Path.Combine(dir, "speedup.png"), $"{report.Model}: speedup over dense",
                report.Platforms.Select(p => $"{p.Name} ({(p.Measured ? "measured" : "modelled")})").ToArray(),
            [
                new BarSeries("traditional (CSR)", report.Platforms.Select(p => p.TraditionalSpeedup).ToArray()),
                new BarSeries("Scalpel", report.Platforms.Select(p => p.ScalpelSpeedup).ToArray()),
            ], "speedup (x)", stacked: false);
            return ["speedup.png"];
        },
    };

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
