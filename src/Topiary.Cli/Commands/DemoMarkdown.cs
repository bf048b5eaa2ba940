// DemoMarkdown: report/index.md of `topiary demo` — a summary table, then one section per stage (pruning, Deep
// Compression, latency, energy) with its tables and figures. Every number is read from the DemoReport of the run
// (report.json holds them all); only units change (bytes → KB, fractions → %).
using System.Globalization;
using System.Text;
using Topiary.Cli.Reports;

namespace Topiary.Cli.Commands;

/// <summary>Renders the demo report as Markdown.</summary>
public static class DemoMarkdown
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The index.md text for <paramref name="report"/> with <paramref name="figures"/> (file names next to it).</summary>
    public static string Render(DemoReport report, IReadOnlyList<string> figures)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(figures);
        var r = report.DeepCompression;
        var han = r.PruningReport ?? throw new ArgumentException("The Deep Compression report has no pruning report.", nameof(report));
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# Topiary demo — {r.Model} on MNIST{(report.Quick ? " (quick run)" : "")}").AppendLine();
        var m = report.Machine;
        string load = m.LoadAverage is double l ? string.Create(Inv, $", load average {l:F2} before timing") : "";
        md.AppendLine(Inv, $"Seed {r.Seed}; {report.Seconds:F0} s in all on {m.ProcessorCount} logical cores ({m.Os}{load}). Every number below was measured in this run; `report.json` holds them all.").AppendLine();
        var (header, rows) = Summary(report);
        Table(md, header, rows);
        Pruning(md, report, figures);
        Compression(md, r, figures);
        Latency(md, report.Latency, figures);
        Energy(md, report.Energy, figures);
        var rest = figures.Where(f => !md.ToString().Contains($"]({f})", StringComparison.Ordinal)).ToArray();
        if (rest.Length > 0)
        {
            md.AppendLine("## Other figures").AppendLine();
            foreach (var f in rest) Figure(md, f);
        }
        return md.ToString();
    }

    /// <summary>The summary table (index.md's first, and the console's): header and one row per model, Markdown text.</summary>
    public static (string[] Header, string[][] Rows) Summary(DemoReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.DeepCompression;
        var b1 = report.Latency.Runs.First(run => run.Batch == 1);
        var e = report.Energy;
        return (["model", "test error", "size", "batch-1 latency (1 thread)", "energy / inference"],
        [
            ["dense reference (ONNX Runtime)", CliOutput.Pct(r.Reference.TestError), $"{r.BytesOriginal / 1000:F1} KB", Us(b1, DemoLatency.OrtDense), E(e.Dense.Total)],
            ["pruned, Han et al. 2015 (Topiary plan)", CliOutput.Pct(r.PruningReport!.Pruned.TestError), Kb(r, "pruning"), Us(b1, DemoLatency.PrunedPlan), $"{E(e.Pruned.Total)} ({e.Ratio:F1}x less)"],
            ["Deep Compression `.tpz` (decoded)", CliOutput.Pct(r.Compressed.TestError), $"{r.BytesCompressed / 1000:F1} KB (**{r.Compression:F1}x**)", "", ""],
        ]);
    }

    private static void Pruning(StringBuilder md, DemoReport report, IReadOnlyList<string> figures)
    {
        var han = report.DeepCompression.PruningReport!;
        md.AppendLine("## 1. Pruning (Han et al. 2015)").AppendLine();
        md.AppendLine(Inv, $"Reference {CliOutput.Pct(han.Reference.TestError)} → pruned {CliOutput.Pct(han.Pruned.TestError)}; {han.Reference.Params:N0} → {han.Pruned.NonzeroParams:N0} non-zero parameters ({han.Compression:F1}x; the paper: 12x).").AppendLine();
        Table(md, ["layer", "weights", "kept", "Topiary", "paper"], han.Layers.Select(l =>
            new[] { l.Name, $"{l.Weights:N0}", $"{l.Kept:N0}", CliOutput.Pct(l.KeptFraction), l.PaperKeptFraction is { } p ? CliOutput.Pct(p) : "" }));
        md.AppendLine("Test error against overall sparsity (all parameters, biases included), per pruning round:").AppendLine();
        Table(md, ["round", "sparsity", "after pruning", "after retraining"], report.AccuracyVsSparsity.Select(p =>
            new[] { p.Round == 0 ? "dense" : p.Round.ToString(Inv), CliOutput.Pct(p.Sparsity), CliOutput.Pct(p.PrunedTestError), CliOutput.Pct(p.RetrainedTestError) }));
        foreach (var f in new[] { "accuracy.png", "rounds.png", "sensitivity.png", "density.png", "weights.png" }) FigureIf(md, figures, f);
    }

    private static void Compression(StringBuilder md, Experiments.DeepCompressionReport r, IReadOnlyList<string> figures)
    {
        md.AppendLine("## 2. Deep Compression").AppendLine();
        md.AppendLine(Inv, $"Container `{Path.GetFileName(r.ContainerPath)}`: {r.BytesOriginal / 1000:F1} KB → {r.BytesCompressed / 1000:F1} KB, **{r.Compression:F1}x** (the paper: 40x).").AppendLine();
        Table(md, ["stage", "test error"], r.Errors.Select(e => new[] { e.Stage, CliOutput.Pct(e.TestError) }));
        Table(md, ["storage (cumulative)", "size", "compression"], r.Stages.Select(st => new[] { st.Name, $"{st.Bytes / 1000:F1} KB", $"{st.Compression:F1}x" }));
        Table(md, ["layer", "non-zero", "fillers", "bits (weight/index)", "centroids", "Huffman KB"], r.Layers.Select(l =>
            new[] { l.Name, $"{l.NonZeros:N0}", $"{l.Fillers:N0}", $"{l.WeightBits}/{l.IndexBits}", $"{l.Centroids}", $"{l.HuffmanBits / 8000.0:F1}" }));
        FigureIf(md, figures, "size.png");
    }

    private static void Latency(StringBuilder md, DemoLatencyReport lat, IReadOnlyList<string> figures)
    {
        md.AppendLine("## 3. Latency").AppendLine();
        md.AppendLine(Inv, $"Input: {lat.Input}; {lat.Threads} thread for every runtime; all runtimes of one batch size timed interleaved (`LatencyMeter.Compare`), each output checked against its model before timing. Speedup = ONNX Runtime dense median / median.").AppendLine();
        foreach (var run in lat.Runs)
        {
            md.AppendLine(Inv, $"Batch {run.Batch} ({run.SecondsPerRuntime:F1} s per runtime):").AppendLine();
            Table(md, ["runtime", "median µs", "p99 µs", "µs per image", "calls", "vs ORT dense"], run.Runtimes.Select(t =>
                new[] { t.Runtime, $"{t.MedianUs:F1}", $"{t.P99Us:F1}", $"{t.UsPerImage:F2}", $"{t.Calls}", $"{t.SpeedupVsOrtDense:F2}x" }));
        }
        md.AppendLine("Weight formats of the pruned model's plan (chosen by `FormatChooser` from the weights' structure):").AppendLine();
        Table(md, ["step", "format", "density", "weight bytes"], lat.PrunedPlan.Select(s => new[] { s.Step, s.Format, CliOutput.Pct(s.Density), $"{s.WeightBytes:N0}" }));
        md.AppendLine(Inv, $"Reading and decoding `model.tpz` into a model took {lat.DecodeMs:F1} ms (one measurement).").AppendLine();
        FigureIf(md, figures, "latency.png");
    }

    private static void Energy(StringBuilder md, DemoEnergyReport e, IReadOnlyList<string> figures)
    {
        md.AppendLine("## 4. Energy (estimate)").AppendLine();
        md.AppendLine(Inv, $"Eyeriss-like row-stationary model ({e.Profile}, {e.Bits}-bit data, unit: {e.Unit}) — a model, not a measurement. Weight densities are the models' non-zero fractions; input-activation densities were measured on {e.Images:N0} test images through each model. Zero weights and zero inputs skip their MACs and compress their traffic.").AppendLine();
        string Pair(double dense, double pruned) => $"{CliOutput.Pct(dense)} / {CliOutput.Pct(pruned)}";
        Table(md, ["layer", "MACs", "weights dense / pruned", "inputs dense / pruned", "non-skipped MACs dense / pruned", "energy dense", "energy pruned", "ratio"], e.Layers.Select(l =>
            new[] { l.Name, $"{l.Macs:N0}", Pair(l.Dense.WeightDensity, l.Pruned.WeightDensity), Pair(l.Dense.InputDensity, l.Pruned.InputDensity),
                $"{l.Dense.NonSkippedMacs:N0} / {l.Pruned.NonSkippedMacs:N0}", E(l.Dense.Energy.Total), E(l.Pruned.Energy.Total), $"{l.Ratio:F1}x" }));
        Table(md, ["model", "computation", "DRAM", "buffer", "array", "RF", "total"], new[] { ("dense", e.Dense), ("pruned", e.Pruned) }.Select(x =>
            new[] { x.Item1, E(x.Item2.Computation), E(x.Item2.Dram), E(x.Item2.Buffer), E(x.Item2.Array), E(x.Item2.Rf), E(x.Item2.Total) }));
        md.AppendLine(Inv, $"The pruned model needs **{e.Ratio:F1}x** less energy per inference than the dense reference.").AppendLine();
        FigureIf(md, figures, "energy.png");
    }

    // A Markdown table: header, separator, one line per row (an empty cell is written "| |"), then a blank line.
    private static void Table(StringBuilder md, string[] header, IEnumerable<string[]> rows)
    {
        static string Line(IEnumerable<string> cells) => "|" + string.Concat(cells.Select(c => c.Length == 0 ? " |" : $" {c} |"));
        md.AppendLine(Line(header)).AppendLine(Line(header.Select(_ => "---")));
        foreach (var row in rows) md.AppendLine(Line(row));
        md.AppendLine();
    }

    private static void FigureIf(StringBuilder md, IReadOnlyList<string> figures, string name)
    {
        if (figures.Contains(name)) Figure(md, name);
    }

    private static void Figure(StringBuilder md, string name) => md.AppendLine(Inv, $"![{name}]({name})").AppendLine();

    private static string Us(DemoLatencyRun run, string runtime) =>
        run.Runtimes.FirstOrDefault(t => t.Runtime == runtime) is { } t ? $"{t.MedianUs.ToString("F1", Inv)} µs" : "";

    private static string Kb(Experiments.DeepCompressionReport r, string stage) =>
        r.Stages.FirstOrDefault(s => s.Name == stage) is { } s ? $"{(s.Bytes / 1000).ToString("F1", Inv)} KB" : "";

    private static string E(double v) => EnergyCommand.E(v);
}
