// Han2015Outputs: the figures of a Han et al. 2015 run, rendered from the report's data:
//   sensitivity.png — accuracy vs sparsity per layer (the paper's Fig. 6),
//   weights.png     — distribution of the non-zero weights: dense, pruned before retraining, after retraining,
//   rounds.png      — test error after pruning and after retraining, per round, against compression.
using Topiary.Experiments;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>Writes the plots of a han2015 report.</summary>
public static class Han2015Outputs
{
    /// <summary>Writes the PNGs into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string directory, Han2015Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        if (report.Sensitivity.Count > 0)
        {
            string path = Path.Combine(directory, "sensitivity.png");
            SensitivityPlot.Write(path, $"{report.Model}: pruning sensitivity (one layer at a time, no retraining)",
                report.Sensitivity.Select(c => new SensitivitySeries(c.Layer, c.Sparsity, c.Accuracy)).ToArray());
            written.Add(path);
        }
        if (report.Histograms.Count > 0)
        {
            string path = Path.Combine(directory, "weights.png");
            HistogramPlot.Write(path, $"{report.Model}: distribution of non-zero weights",
                report.Histograms.Select(h => new HistogramSeries(h.Name, h.Values)).ToArray(), bins: 80);
            written.Add(path);
        }
        if (report.Rounds.Count > 0)
        {
            string path = Path.Combine(directory, "rounds.png");
            double[] x = report.Rounds.Select(r => r.Compression).ToArray();
            LinePlot.Write(path, $"{report.Model}: iterative pruning", "compression (x)", "test error (%)",
            [
                new LineSeries("after pruning", x, report.Rounds.Select(r => r.PrunedTestError * 100).ToArray()),
                new LineSeries("after retraining", x, report.Rounds.Select(r => r.RetrainedTestError * 100).ToArray()),
                new LineSeries("dense reference", x, x.Select(_ => report.Reference.TestError * 100).ToArray()),
            ]);
            written.Add(path);
        }
        return written;
    }
}
