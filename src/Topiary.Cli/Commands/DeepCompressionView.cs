// DeepCompressionView: how a Deep Compression report is shown — pruning → trained quantization → Huffman, with the
// error and size beside the paper's, the storage by stage, per layer and the test error by stage; its outputs besides
// report.json (deep-compression.json and the container) and its summary for the `reproduce all` index.
using System.Globalization;
using Spectre.Console;
using Topiary.Experiments;

namespace Topiary.Cli.Commands;

/// <summary>The view of a <c>reproduce deep-compression</c> report.</summary>
public static class DeepCompressionView
{
    /// <summary>Prints the report's tables.</summary>
    public static void Print(DeepCompressionReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var p = r.Paper;
        CliOutput.Table($"Deep Compression on {r.Model} (seed {r.Seed})", ["", "Topiary", "paper"],
        [
            ["error: reference → compressed", $"{CliOutput.Pct(r.Reference.TestError)} → {CliOutput.Pct(r.Compressed.TestError)}", $"{CliOutput.Pct(p.ReferenceError)} → {CliOutput.Pct(p.CompressedError)}"],
            ["size", $"{r.BytesOriginal / 1000:F0} KB → {r.BytesCompressed / 1000:F1} KB (container file)", $"{p.BytesOriginal / 1000:F0} KB → {p.BytesCompressed / 1000:F0} KB"],
            ["compression", $"[bold]{r.Compression:F1}x[/]", $"{p.Huffman:F0}x"],
            ["time", $"{r.Seconds:F0} s", ""],
        ]);
        double?[] paperRates = [1, p.Pruning, p.Quantization, p.Huffman, null];
        CliOutput.Table("storage by stage (cumulative)", ["stage", "KB", "compression", "paper"], r.Stages.Select((s, i) => new[]
            { s.Name, $"{s.Bytes / 1000:F1}", $"{s.Compression:F1}x", i < paperRates.Length && paperRates[i] is double pr ? $"{pr:F0}x" : "" }));
        CliOutput.Table("per layer", ["layer", "weights", "non-zero", "fillers", "bits w/idx", "K", "dense KB", "pruned KB", "quantized KB", "Huffman KB", "rate"],
            r.Layers.Select(l => new[]
            {
                l.Name, $"{l.Weights:N0}", $"{l.NonZeros:N0}", $"{l.Fillers:N0}", $"{l.WeightBits}/{l.IndexBits}", $"{l.Centroids}",
                Kb(l.DenseBits), Kb(l.PrunedBits), Kb(l.QuantizedBits), Kb(l.HuffmanBits), $"{l.Compression:F1}x",
            }));
        CliOutput.Table("test error by stage", ["stage", "test error"], r.Errors.Select(e => new[] { e.Stage, CliOutput.Pct(e.TestError) }));
        AnsiConsole.MarkupLine($"container: [bold]{Markup.Escape(r.ContainerPath)}[/]");
    }

    /// <summary>Writes deep-compression.json into <paramref name="dir"/>; returns it and the container's file name.</summary>
    public static IEnumerable<string> Outputs(string dir, DeepCompressionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        JsonReport.Write(Path.Combine(dir, "deep-compression.json"), report);
        return ["deep-compression.json", Path.GetFileName(report.ContainerPath)];
    }

    /// <summary>The index summary: error and size of the container beside the paper's, per stage.</summary>
    public static ReproduceTargetSummary Summary(string name, DeepCompressionReport r, double seconds)
    {
        ArgumentNullException.ThrowIfNull(r);
        var p = r.Paper;
        string Stage(string s) => $"{r.Stages.FirstOrDefault(x => x.Name == s)?.Compression ?? double.NaN:F1}x";
        return ReproduceAllIndex.Done(name, $"Han, Mao, Dally 2016 (Deep Compression), {r.Model}: pruning, trained quantization, Huffman coding", seconds, [],
            ["", "Topiary", "paper"],
        [
            ["error: reference → compressed", $"{CliOutput.Pct(r.Reference.TestError)} → {CliOutput.Pct(r.Compressed.TestError)}", $"{CliOutput.Pct(p.ReferenceError)} → {CliOutput.Pct(p.CompressedError)}"],
            ["size", $"{r.BytesOriginal / 1000:F0} KB → {r.BytesCompressed / 1000:F1} KB", $"{p.BytesOriginal / 1000:F0} KB → {p.BytesCompressed / 1000:F0} KB"],
            ["pruning", Stage("pruning"), $"{p.Pruning:F1}x"],
            ["+ quantization", Stage("quantization"), $"{p.Quantization:F1}x"],
            ["+ Huffman (container file)", $"{Stage("huffman")} ({r.Compression:F1}x file)", $"{p.Huffman:F1}x"],
        ]);
    }

    private static string Kb(long bits) => (bits / 8000.0).ToString("F1", CultureInfo.InvariantCulture);
}
