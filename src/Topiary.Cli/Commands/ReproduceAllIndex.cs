// ReproduceAllIndex: the aggregation of `topiary reproduce all` — one summary per target (status, time, its
// report, figures and main table: our numbers beside the paper's, taken from the target's report), the
// markdown index (index.md) that links them, and the combined report (report.json). Pure functions of the
// summaries, so the index can be tested with made-up targets; each target's summary is also kept in
// <target>/summary.json so a resumed run can index targets it did not rerun.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Topiary.Cli.Commands;

/// <summary>One target of <c>reproduce all</c>.</summary>
/// <param name="Name">Directory name, e.g. <c>han2015-lenet-5</c>.</param>
/// <param name="Title">What it reproduces.</param>
/// <param name="Status">done, reused (a finished target skipped by --resume) or failed.</param>
/// <param name="Seconds">Wall time of this run (0 when reused).</param>
/// <param name="Error">The failure's message, when failed.</param>
/// <param name="Report">The target's report file, relative to the output directory.</param>
/// <param name="Figures">Its figures, relative to the output directory.</param>
/// <param name="Header">Column names of its main table.</param>
/// <param name="Rows">Rows of its main table.</param>
public sealed record ReproduceTargetSummary(string Name, string Title, string Status, double Seconds, string? Error, string Report,
    IReadOnlyList<string> Figures, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>The whole <c>reproduce all</c> run.</summary>
/// <param name="Quick">Whether the targets ran in quick (smoke) mode.</param>
/// <param name="TotalSeconds">Wall time of this run.</param>
/// <param name="Targets">Targets in order.</param>
public sealed record ReproduceAllReport(bool Quick, double TotalSeconds, IReadOnlyList<ReproduceTargetSummary> Targets);

/// <summary>Builds the summaries, the index and the combined report of <c>reproduce all</c>.</summary>
public static class ReproduceAllIndex
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A target that failed: no table, the message kept.</summary>
    public static ReproduceTargetSummary Failed(string name, string title, double seconds, string error) =>
        new(name, title, "failed", seconds, error, $"{name}/report.json", [], [], []);

    /// <summary>A target that ran: its title, time, figures and main table (its <c>&lt;Paper&gt;View.Summary</c>).</summary>
    public static ReproduceTargetSummary Done(string name, string title, double seconds, IReadOnlyList<string> figures,
        IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows) =>
        new(name, title, "done", seconds, null, $"{name}/report.json", figures, header, rows);

    /// <summary>The markdown index: an overview table linking every target, then each target's main table and figures.</summary>
    public static string Markdown(ReproduceAllReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append("# Topiary: the paper tables that fit a CPU\n\n");
        md.Append(Inv, $"Written by `topiary reproduce all{(report.Quick ? " --quick" : "")}` ({report.TotalSeconds / 60:F1} min in this run). ");
        md.Append(report.Quick
            ? "**Quick mode**: smoke-test settings (short training on subsets), so the numbers are not comparable to the papers'.\n\n"
            : "Every number below comes from the target's own report.json.\n\n");
        md.Append("| target | what | status | time | report |\n| --- | --- | --- | --- | --- |\n");
        foreach (var t in report.Targets)
        {
            md.Append(Inv, $"| [{t.Name}](#{t.Name}) | {Cell(t.Title)} | {t.Status} | {(t.Seconds > 0 ? $"{t.Seconds:F0} s" : "")} | [report.json]({t.Report}) |\n");
        }
        foreach (var t in report.Targets)
        {
            md.Append(Inv, $"\n## {t.Name}\n\n{t.Title}. Report: [{t.Report}]({t.Report}).\n\n");
            if (t.Error is not null) md.Append("**Failed**: ").Append(Cell(t.Error)).Append("\n\n");
            if (t.Header.Count > 0)
            {
                md.Append("| ").Append(string.Join(" | ", t.Header.Select(Cell))).Append(" |\n");
                md.Append('|').Append(string.Concat(t.Header.Select(_ => " --- |"))).Append('\n');
                foreach (var row in t.Rows) md.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
                md.Append('\n');
            }
            foreach (string f in t.Figures) md.Append("![").Append(Path.GetFileNameWithoutExtension(f)).Append("](").Append(f).Append(")\n");
        }
        return md.ToString();
    }

    /// <summary>Writes index.md and report.json into <paramref name="directory"/> (atomically).</summary>
    public static void Write(string directory, ReproduceAllReport report)
    {
        Directory.CreateDirectory(directory);
        IO.AtomicFile.WriteAllText(Path.Combine(directory, "index.md"), Markdown(report));
        JsonReport.Write(Path.Combine(directory, "report.json"), report);
    }

    /// <summary>Reads a target's summary.json, or null when it is missing or unreadable.</summary>
    public static ReproduceTargetSummary? ReadSummary(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ReproduceTargetSummary>(File.ReadAllText(path), JsonReport.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // A markdown table cell: no pipes or line breaks.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
