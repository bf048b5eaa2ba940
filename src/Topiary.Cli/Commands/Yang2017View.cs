// Yang2017View: how a Yang et al. 2017 report is shown — energy-aware pruning versus magnitude pruning at matched
// accuracy with Eyeriss energy estimates: the networks, per-layer densities and energy, the energy-aware steps, the
// AlexNet calibration; and the networks' table for the `reproduce all` index.
using System.Globalization;
using Spectre.Console;
using Topiary.Experiments;

namespace Topiary.Cli.Commands;

/// <summary>The view of a <c>reproduce yang2017</c> report.</summary>
public static class Yang2017View
{
    /// <summary>Prints the report's tables.</summary>
    public static void Print(Yang2017Report r)
    {
        ArgumentNullException.ThrowIfNull(r);
        CliOutput.Table($"Yang et al. 2017 on {r.Model} / {r.Dataset} (seed {r.Seed}; Eyeriss, 16-bit, energy in MAC units)",
            ["network", "test error", "non-zero weights", "MACs", "non-skipped MACs", "energy", "normalised", "reduction"], r.Rows.Select(row => new[]
            {
                row.Name, CliOutput.Pct(row.TestError), $"{row.NonzeroWeights:N0} / {row.Weights:N0}", $"{row.Macs:N0}",
                $"{row.NonSkippedMacs:N0}", $"{row.Energy:N0}", F(row.NormalizedEnergy, "F3"), $"{F(row.EnergyReduction, "F2")}x",
            }));
        AnsiConsole.MarkupLine($"energy order: {Markup.Escape(string.Join(" > ", r.EnergyOrder))}");
        AnsiConsole.MarkupLine($"magnitude vs energy-aware: error gap {F(r.ErrorGap * 100, "+0.00;-0.00")} points (target ≤ {CliOutput.Pct(r.TargetError)}), " +
            $"energy-aware uses [bold]{F(r.EnergyAwareVsMagnitude, "F2")}x[/] less energy");

        string Cell(string net, string name)
        {
            var l = r.Layers.First(x => x.Network == net && x.Layer == name);
            return $"{CliOutput.Pct(l.WeightDensity)} / {CliOutput.Pct(l.InputDensity)} / {l.Energy:N0}";
        }
        CliOutput.Table("per layer: weight density / input density / energy", ["layer", "original", "magnitude", "energy-aware"],
            r.Layers.Select(l => l.Layer).Distinct().Select(name => new[] { Markup.Escape(name), Cell("original", name), Cell("magnitude", name), Cell("energy-aware", name) }));
        CliOutput.Table("energy-aware steps", ["layer", "density", "output error: magnitude → restored → refit", "validation acc.", ""],
            r.EnergyAware.SelectMany(l => l.Steps.Select(s => new[]
            {
                $"{Markup.Escape(l.Name)} (pass {l.Pass})", CliOutput.Pct(s.Density), $"{F(s.ErrorMagnitude, "G3")} → {F(s.ErrorRestored, "G3")} → {F(s.ErrorRefit, "G3")}",
                CliOutput.Pct(s.ValidationAccuracy), s.Accepted ? "kept" : "undone",
            })));
        AnsiConsole.MarkupLine($"magnitude search: {string.Join(", ", r.MagnitudeTrials.Select(t => $"{CliOutput.Pct(t.Density)} → {CliOutput.Pct(t.TestError)}{(t.Accepted ? "" : " (undone)")}"))}");
        if (r.AlexnetTable1 is { } t1)
        {
            CliOutput.Table("energy model calibration: AlexNet, Yang et al. 2017 Table 1 (paper / ours; batch 8, ImageNet activation densities)",
                ["network", "non-zero weights", "non-skipped MACs", "energy", "energy vs original"], t1.Select(row => new[]
                {
                    Markup.Escape(row.Name), $"{row.PaperNonzeroWeights:0.00e0} / {row.NonzeroWeights:0.00e0}",
                    $"{row.PaperNonSkippedMacs:0.00e0} / {row.NonSkippedMacs:0.00e0}", $"{row.PaperEnergy:0.00e0} / {row.Energy:0.00e0}",
                    $"{CliOutput.Pct(row.PaperEnergy / t1[0].PaperEnergy)} / {CliOutput.Pct(row.Energy / t1[0].Energy)}",
                }));
        }
        AnsiConsole.MarkupLine($"time: reference {F(r.ReferenceSeconds, "F0")} s, energy-aware {F(r.EnergyAwareSeconds, "F0")} s, magnitude {F(r.MagnitudeSeconds, "F0")} s, total {F(r.TotalSeconds, "F0")} s");
    }

    /// <summary>The index summary: the three networks' error, weights and Eyeriss energy.</summary>
    public static ReproduceTargetSummary Summary(string name, Yang2017Report r, double seconds)
    {
        ArgumentNullException.ThrowIfNull(r);
        return ReproduceAllIndex.Done(name, $"Yang et al. 2017, {r.Model} on {r.Dataset}: energy-aware vs magnitude pruning at matched accuracy (Eyeriss model)",
            seconds, [], ["network", "test error", "non-zero weights", "energy (normalised)", "energy reduction"],
            r.Rows.Select(x => new[] { x.Name, CliOutput.Pct(x.TestError), $"{x.NonzeroWeights:N0} / {x.Weights:N0}", F(x.NormalizedEnergy, "F3"), $"{x.EnergyReduction:F1}x" }).ToArray());
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
