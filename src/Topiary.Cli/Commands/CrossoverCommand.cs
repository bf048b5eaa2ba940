// `topiary crossover --rows R --cols C [--conv-columns P] [--batch N]`: Scalpel's per-layer latency study on
// this machine — dense vs CSR, CSR16 (element masks), SIMD-group CSR (aligned group masks) and block-sparse
// (block masks) across sparsity 0–99%, every format timed interleaved with dense at each point. Prints the
// speedups and break-even sparsities, writes the crossover chart (PNG) and the points (--json).
using System.CommandLine;
using Spectre.Console;
using Topiary.Cli.Reports;
using Topiary.Reporting;
using Topiary.Runtime.Sparse;

namespace Topiary.Cli.Commands;

/// <summary>The <c>crossover</c> command.</summary>
public static class CrossoverCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var rows = new Option<int>("--rows") { Description = "Weight rows (output units; LeNet-300-100 fc1: 300).", DefaultValueFactory = _ => 300 };
        var cols = new Option<int>("--cols") { Description = "Weight columns (inputs per unit, or in·kh·kw for conv; fc1: 784).", DefaultValueFactory = _ => 784 };
        var convColumns = new Option<int>("--conv-columns") { Description = "im2col columns (output pixels) for a conv layer; 0 = a Linear layer." };
        var batch = new Option<int>("--batch") { Description = "Examples per call for a Linear layer.", DefaultValueFactory = _ => 1 };
        var sparsities = new Option<string>("--sparsities") { Description = "Comma-separated sparsities in [0, 1).", DefaultValueFactory = _ => "0,0.3,0.5,0.6,0.7,0.8,0.9,0.95,0.99" };
        var width = new Option<int>("--group-width") { Description = "SIMD group width: 2, 4, 8, 16 (0 = host float lanes).", DefaultValueFactory = _ => 8 };
        var ms = new Option<int>("--ms-per-point") { Description = "Timing budget per (format, sparsity) point in milliseconds.", DefaultValueFactory = _ => 150 };
        var best = new Option<bool>("--best") { Description = "Compare the fastest sample instead of the median (for a heavily shared machine)." };
        var plot = new Option<string>("--plot") { Description = "Crossover chart to write.", DefaultValueFactory = _ => "crossover.png" };
        var cmd = new Command("crossover", "Dense vs sparse formats across sparsity on this machine (Scalpel's crossover study).")
        {
            rows, cols, convColumns, batch, sparsities, width, ms, best, plot,
        };
        return cmd.Reports((parse, _, ct) =>
        {
            var list = CommonOptions.Numbers("--sparsities", parse.GetValue(sparsities))!;
            int r = parse.GetValue(rows), c = parse.GetValue(cols), p = parse.GetValue(convColumns), n = parse.GetValue(batch);
            var series = AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask("crossover", maxValue: 1);
                var progress = new SyncProgress(x => task.Value = (double)x.Done / x.Total);
                return CrossoverSweep.Run(r, c, p, n, list, parse.GetValue(width), TimeSpan.FromMilliseconds(parse.GetValue(ms)),
                    parse.GetValue(best) ? CrossoverStatistic.Best : CrossoverStatistic.Median, progress, ct);
            });
            string shape = p > 0 ? $"{r}x{c} weights x {p} columns (conv)" : $"{r}x{c}, batch {n}";
            var sparse = series.Skip(1).ToArray();
            CliOutput.Table($"speedup over dense, {shape}, 1 thread", ["sparsity", .. sparse.Select(s => $"{s.Format.ToName()} ({s.Pattern})"), "dense µs"],
            [
                .. list.Select((sparsity, i) => (string[])
                    [$"{sparsity * 100:F0}%", .. sparse.Select(s => $"{s.Points[i].SpeedupVsDense:F2}x"), $"{series[0].Points[i].MedianMicroseconds:F1}"]),
                ["break-even", .. sparse.Select(s => s.BreakEvenSparsity is double b ? $"{b * 100:F0}%" : "never"), ""],
            ]);
            string plotPath = parse.GetValue(plot)!;
            LinePlot.Write(plotPath, $"sparse vs dense, {shape}", "sparsity (%)", "speedup over dense (x)",
                series.Select(s => new LineSeries(s.Format == SparseFormat.Dense ? "dense" : $"{s.Format.ToName()} ({s.Pattern})",
                    s.Points.Select(x => x.Sparsity * 100).ToArray(), s.Points.Select(x => x.SpeedupVsDense).ToArray())).ToArray());
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(plotPath)}[/]");
            return new CrossoverReport(r, c, p, n, series);
        }, threads: false);
    }

    private sealed class SyncProgress(Action<CrossoverProgress> report) : IProgress<CrossoverProgress>
    {
        public void Report(CrossoverProgress value) => report(value);
    }
}
