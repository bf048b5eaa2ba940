// `topiary reproduce yang2017 --model lenet-5|convnet`: Yang et al. 2017 energy-aware pruning versus
// magnitude pruning at matched accuracy, with Eyeriss energy estimates — the registration and its report view.
using System.Globalization;
using Spectre.Console;
using Topiary.Experiments;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce yang2017</c> target.</summary>
public static class Yang2017Target
{
    /// <summary>The registration.</summary>
    public static ReproduceTarget<Yang2017Options, Yang2017Report> Target { get; } = new("yang2017",
        "Yang et al. 2017: energy-aware pruning vs magnitude pruning at matched accuracy (Eyeriss energy).",
        "A smoke run: 1 reference epoch on 5k images, small samples, coarse steps.",
        (model, resume) => new Yang2017Options { Model = model, WorkDirectory = "", Resume = resume },
        Yang2017.Run, Print, ReproduceAllIndex.Yang2017)
    {
        Models = ["lenet-5", "convnet"],
        AllModels = ["lenet-5"],
    };

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static void Print(Yang2017Report r)
    {
        var table = new Table().Title($"Yang et al. 2017 on {r.Model} / {r.Dataset} (seed {r.Seed}; Eyeriss, 16-bit, energy in MAC units)")
            .AddColumns("network", "test error", "non-zero weights", "MACs", "non-skipped MACs", "energy", "normalised", "reduction");
        foreach (var row in r.Rows)
        {
            table.AddRow(row.Name, CliOutput.Pct(row.TestError), $"{row.NonzeroWeights:N0} / {row.Weights:N0}", $"{row.Macs:N0}",
                $"{row.NonSkippedMacs:N0}", $"{row.Energy:N0}", F(row.NormalizedEnergy, "F3"), $"{F(row.EnergyReduction, "F2")}x");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"energy order: {Markup.Escape(string.Join(" > ", r.EnergyOrder))}");
        AnsiConsole.MarkupLine($"magnitude vs energy-aware: error gap {F(r.ErrorGap * 100, "+0.00;-0.00")} points (target ≤ {CliOutput.Pct(r.TargetError)}), " +
            $"energy-aware uses [bold]{F(r.EnergyAwareVsMagnitude, "F2")}x[/] less energy");

        var layers = new Table().Title("per layer: weight density / input density / energy").AddColumns("layer", "original", "magnitude", "energy-aware");
        foreach (var name in r.Layers.Select(l => l.Layer).Distinct())
        {
            string Cell(string net)
            {
                var l = r.Layers.First(x => x.Network == net && x.Layer == name);
                return $"{CliOutput.Pct(l.WeightDensity)} / {CliOutput.Pct(l.InputDensity)} / {l.Energy:N0}";
            }
            layers.AddRow(Markup.Escape(name), Cell("original"), Cell("magnitude"), Cell("energy-aware"));
        }
        AnsiConsole.Write(layers);

        var steps = new Table().Title("energy-aware steps").AddColumns("layer", "density", "output error: magnitude → restored → refit", "validation acc.", "");
        foreach (var l in r.EnergyAware)
            foreach (var s in l.Steps)
                steps.AddRow($"{Markup.Escape(l.Name)} (pass {l.Pass})", CliOutput.Pct(s.Density), $"{F(s.ErrorMagnitude, "G3")} → {F(s.ErrorRestored, "G3")} → {F(s.ErrorRefit, "G3")}",
                    CliOutput.Pct(s.ValidationAccuracy), s.Accepted ? "kept" : "undone");
        AnsiConsole.Write(steps);
        AnsiConsole.MarkupLine($"magnitude search: {string.Join(", ", r.MagnitudeTrials.Select(t => $"{CliOutput.Pct(t.Density)} → {CliOutput.Pct(t.TestError)}{(t.Accepted ? "" : " (undone)")}"))}");
        if (r.AlexnetTable1 is { } t1)
        {
            var cal = new Table().Title("energy model calibration: AlexNet, Yang et al. 2017 Table 1 (paper / ours; batch 8, ImageNet activation densities)")
                .AddColumns("network", "non-zero weights", "non-skipped MACs", "energy", "energy vs original");
            foreach (var row in t1)
                cal.AddRow(Markup.Escape(row.Name), $"{row.PaperNonzeroWeights:0.00e0} / {row.NonzeroWeights:0.00e0}",
                    $"{row.PaperNonSkippedMacs:0.00e0} / {row.NonSkippedMacs:0.00e0}", $"{row.PaperEnergy:0.00e0} / {row.Energy:0.00e0}",
                    $"{CliOutput.Pct(row.PaperEnergy / t1[0].PaperEnergy)} / {CliOutput.Pct(row.Energy / t1[0].Energy)}");
            AnsiConsole.Write(cal);
        }
        AnsiConsole.MarkupLine($"time: reference {F(r.ReferenceSeconds, "F0")} s, energy-aware {F(r.EnergyAwareSeconds, "F0")} s, magnitude {F(r.MagnitudeSeconds, "F0")} s, total {F(r.TotalSeconds, "F0")} s");
    }
}
