// Han2015View: how a Han et al. 2015 report is shown, all from the report's data — its figures:
//   sensitivity.png — accuracy vs sparsity per layer (the paper's Fig. 6),
//   weights.png     — distribution of the non-zero weights: dense, pruned before retraining, after retraining,
//   rounds.png      — test error after pruning and after retraining, per round, against compression;
// its console tables (reference vs pruned beside the paper, kept fraction per layer, the rounds and dead-neuron
// removal) and its summary for the `reproduce all` index.
using Spectre.Console;
using Topiary.Experiments;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The view of a <c>reproduce han2015</c> report.</summary>
public static class Han2015View
{
    /// <summary>Writes the figures the report has data for into <paramref name="directory"/>; returns their file names.</summary>
    public static IReadOnlyList<string> Figures(string directory, Han2015Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        if (report.Sensitivity.Count > 0)
        {
            SensitivityPlot.Write(Figure("sensitivity.png"), $"{report.Model}: pruning sensitivity (one layer at a time, no retraining)",
                report.Sensitivity.Select(c => new SensitivitySeries(c.Layer, c.Sparsity, c.Accuracy)).ToArray());
        }
        if (report.Histograms.Count > 0)
        {
            HistogramPlot.Write(Figure("weights.png"), $"{report.Model}: distribution of non-zero weights",
                report.Histograms.Select(h => new HistogramSeries(h.Name, h.Values)).ToArray(), bins: 80);
        }
        if (report.Rounds.Count > 0)
        {
            double[] x = report.Rounds.Select(r => r.Compression).ToArray();
            LinePlot.Write(Figure("rounds.png"), $"{report.Model}: iterative pruning", "compression (x)", "test error (%)",
            [
                new LineSeries("after pruning", x, report.Rounds.Select(r => r.PrunedTestError * 100).ToArray()),
                new LineSeries("after retraining", x, report.Rounds.Select(r => r.RetrainedTestError * 100).ToArray()),
                new LineSeries("dense reference", x, x.Select(_ => report.Reference.TestError * 100).ToArray()),
            ]);
        }
        return written;

        // The path of a figure, listed as written.
        string Figure(string name)
        {
            written.Add(name);
            return Path.Combine(directory, name);
        }
    }

    /// <summary>Prints the report's tables.</summary>
    public static void Print(Han2015Report r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var p = r.Paper;
        CliOutput.Table($"Han et al. 2015 on {r.Model} (seed {r.Seed})", ["", "Topiary", "paper (Caffe)"],
        [
            ["reference error", CliOutput.Pct(r.Reference.TestError), CliOutput.Pct(p.ReferenceError)],
            ["pruned error", CliOutput.Pct(r.Pruned.TestError), CliOutput.Pct(p.PrunedError)],
            ["parameters", $"{r.Reference.Params:N0} → {r.Pruned.NonzeroParams:N0}", $"{p.Params / 1000}K → {p.PrunedParams / 1000}K"],
            ["compression", $"{r.Compression:F1}x", $"{p.Compression:F0}x"],
            ["time (reference + pruning)", $"{r.ReferenceSeconds:F0} s + {r.PruningSeconds:F0} s", ""],
        ]);
        CliOutput.Table("weights kept per layer", ["layer", "weights", "kept", "Topiary", "paper", "s = last threshold / dense σ"], r.Layers.Select(l => new[]
        {
            l.Name, $"{l.Weights:N0}", $"{l.Kept:N0}", CliOutput.Pct(l.KeptFraction), l.PaperKeptFraction is { } pk ? CliOutput.Pct(pk) : "",
            double.IsNaN(l.EffectiveS) ? "" : $"{l.EffectiveS:F2}",
        }));
        CliOutput.Table("prune/retrain rounds", ["round", "error after pruning", "after retraining", "non-zero", "compression"], r.Rounds.Select(x => new[]
            { $"{x.Round}", CliOutput.Pct(x.PrunedTestError), CliOutput.Pct(x.RetrainedTestError), $"{x.NonZeroParams:N0}", $"{x.Compression:F1}x" }));
        if (r.DeadNeurons is { } d)
        {
            AnsiConsole.MarkupLine($"dead-neuron removal: {d.Removed} units removed ({d.RemovedNoInput} without inputs, " +
                $"{d.RemovedNoOutput} without outputs); parameters {d.ParametersBefore:N0} → {d.ParametersAfter:N0}");
        }
    }

    /// <summary>The index summary: errors, parameters and compression beside the paper's.</summary>
    public static ReproduceTargetSummary Summary(string name, Han2015Report r, double seconds)
    {
        ArgumentNullException.ThrowIfNull(r);
        var p = r.Paper;
        return ReproduceAllIndex.Done(name, $"Han et al. 2015, {r.Model}: iterative magnitude pruning with retraining", seconds,
            [$"{name}/sensitivity.png", $"{name}/weights.png", $"{name}/rounds.png"], ["", "Topiary", "paper (Caffe)"],
        [
            ["reference error", CliOutput.Pct(r.Reference.TestError), CliOutput.Pct(p.ReferenceError)],
            ["pruned error", CliOutput.Pct(r.Pruned.TestError), CliOutput.Pct(p.PrunedError)],
            ["parameters", $"{r.Reference.Params:N0} → {r.Pruned.NonzeroParams:N0}", $"{p.Params:N0} → {p.PrunedParams:N0}"],
            ["compression", $"{r.Compression:F1}x", $"{p.Compression:F1}x"],
            ["kept per layer", string.Join(", ", r.Layers.Select(l => $"{l.Name} {l.KeptFraction * 100:F0}%")),
                string.Join(", ", r.Layers.Where(l => l.PaperKeptFraction is not null).Select(l => $"{l.Name} {l.PaperKeptFraction * 100:F0}%"))],
        ]);
    }
}
