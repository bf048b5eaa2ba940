// DemoFigures: the PNGs of `topiary demo`, all drawn from the DemoReport of the run:
//   sensitivity.png, weights.png, rounds.png  the Han 2015 figures (Han2015View)
//   accuracy.png   test error vs overall sparsity: after pruning and after retraining per round, and the container
//   density.png    weights kept per layer, ours beside Han et al.'s
//   size.png       model size after each Deep Compression stage
//   latency.png    median µs per image of every runtime, batch 1 (= per call) and batch 64
//   energy.png     per-layer energy per inference, dense and pruned, stacked by level (computation, DRAM, buffer, array, RF)
using Topiary.Cli.Reports;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>Writes the demo's figures.</summary>
public static class DemoFigures
{
    /// <summary>Writes every figure into <paramref name="dir"/>; returns the file names (no directory), in report order.</summary>
    public static IReadOnlyList<string> Write(string dir, DemoReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.DeepCompression;
        var han = r.PruningReport ?? throw new ArgumentException("The Deep Compression report has no pruning report.", nameof(report));
        var files = Han2015View.Figures(dir, han).ToList();

        var points = report.AccuracyVsSparsity;
        double[] x = points.Select(p => p.Sparsity * 100).ToArray();
        LinePlot.Write(Path.Combine(dir, "accuracy.png"), $"{r.Model}: test error vs overall sparsity", "sparsity (% of all parameters zero)", "test error (%)",
        [
            new LineSeries("after pruning", x, points.Select(p => p.PrunedTestError * 100).ToArray()),
            new LineSeries("after retraining", x, points.Select(p => p.RetrainedTestError * 100).ToArray()),
            new LineSeries(".tpz container (quantized)", [report.ContainerSparsity * 100], [r.Compressed.TestError * 100]),
        ]);
        files.Add("accuracy.png");

        var layers = han.Layers;
        BarPlot.Write(Path.Combine(dir, "density.png"), "Weights kept per layer (%)", layers.Select(l => l.Name).ToArray(),
        [
            new BarSeries("Topiary", layers.Select(l => l.KeptFraction * 100).ToArray()),
            new BarSeries("Han et al. 2015", layers.Select(l => (l.PaperKeptFraction ?? 0) * 100).ToArray()),
        ], "% kept", stacked: false);
        files.Add("density.png");

        BarPlot.Write(Path.Combine(dir, "size.png"), "Model size per stage (KB)", r.Stages.Select(s => s.Name).ToArray(),
            [new BarSeries("KB", r.Stages.Select(s => s.Bytes / 1000).ToArray())], "KB", stacked: false);
        files.Add("size.png");

        var runs = report.Latency.Runs;
        string[] runtimes = runs[0].Runtimes.Select(t => t.Runtime).ToArray();
        BarPlot.Write(Path.Combine(dir, "latency.png"), $"{r.Model}: median latency per image, {report.Latency.Threads} thread", runtimes,
            runs.Select(run => new BarSeries(run.Batch == 1 ? "batch 1" : $"batch {run.Batch} (call / {run.Batch})",
                runtimes.Select(name => run.Runtimes.Single(t => t.Runtime == name).UsPerImage).ToArray())).ToArray(),
            "µs per image", stacked: false, width: 1000, height: 560);
        files.Add("latency.png");

        var e = report.Energy;
        string[] columns = e.Layers.SelectMany(l => new[] { $"{l.Name} dense", $"{l.Name} pruned" }).ToArray();
        StackedBarPlot.Write(Path.Combine(dir, "energy.png"), $"{r.Model}: energy per inference ({e.Profile}, {e.Bits}-bit, measured activations)", columns,
            EnergyCommand.Levels(e.Layers.SelectMany(l => new[] { l.Dense.Energy, l.Pruned.Energy }).ToArray()), $"energy ({e.Unit})");
        files.Add("energy.png");
        return files;
    }
}
