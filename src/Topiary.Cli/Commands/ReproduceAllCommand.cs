// `topiary reproduce all [--out DIR] [--quick] [--resume] [--json r.json]`: every registered paper (ReproduceCommand.Papers)
// on each of its AllModels, in sequence — han2015 (LeNet-300-100, LeNet-5), deep-compression (both), scalpel (both),
// mao2017 (LeNet-5), yang2017 (LeNet-5) — each through its registration's run/view/outputs body, into DIR/<target>/; then
// DIR/index.md links every target's report, figures and main table, and DIR/report.json combines the summaries.
// --quick passes every target's quick mode. --resume skips the targets whose report.json exists (and resumes the
// others from their checkpoints). deep-compression starts from its han2015 sibling's reference and pruning checkpoints
// (the schedule is the same), so the Han schedule runs once per model. A failing target is recorded and the others
// still run; the exit code is then 1.
using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce all</c> command.</summary>
public static class ReproduceAllCommand
{
    /// <summary>The targets in the order they run.</summary>
    public static IReadOnlyList<string> Targets { get; } = All.Select(t => t.Name).ToArray();

    // Every (target name, paper, model), in order.
    private static IEnumerable<(string Name, IReproduceTarget Paper, string Model)> All =>
        ReproduceCommand.Papers.SelectMany(p => p.AllModels.Select(m => ($"{p.Name}-{m}", p, m)));

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var outDir = new Option<string?>("--out") { Description = "Output directory (default: runs/reproduce-all[-quick])." };
        var quick = new Option<bool>("--quick") { Description = "Every target's smoke-run mode (minutes instead of hours; numbers not comparable to the papers)." };
        var resume = new Option<bool>("--resume") { Description = "Skip targets whose report.json exists; resume the others from their checkpoints." };
        var only = new Option<string?>("--targets") { Description = $"Comma-separated subset of: {string.Join(", ", Targets)}." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("all", "Run every reproduce target into one directory with an index.md linking their reports and tables.")
        {
            outDir, quick, resume, only, json, threads,
        };
        return cmd.Runs((parse, ct) =>
        {
            bool isQuick = parse.GetValue(quick);
            string dir = parse.GetValue(outDir) ?? Path.Combine("runs", isQuick ? "reproduce-all-quick" : "reproduce-all");
            var targets = parse.GetValue(only) is { } o ? o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : Targets;
            foreach (string t in targets.Where(t => !Targets.Contains(t)))
                throw new ArgumentException($"--targets: unknown target '{t}'; known: {string.Join(", ", Targets)}.");
            var report = Run(dir, targets, isQuick, parse.GetValue(resume), ct);
            JsonReport.Write(parse.GetValue(json), report);
            AnsiConsole.MarkupLine($"index: [bold]{Markup.Escape(Path.Combine(dir, "index.md"))}[/]");
            return report.Targets.Any(t => t.Status == "failed") ? CliApp.Failure : 0;
        }, threads);
    }

    /// <summary>Runs <paramref name="targets"/> in order into <paramref name="directory"/>, rewriting index.md and report.json
    /// after each; returns the combined report. Cancellation stops the run (finished targets stay indexed).
    /// With several ranks (DataParallel) target i runs on rank i mod W alone (independent work, its own files), and the
    /// index is written once at the end from every target's summary.json (a shared file system is assumed).</summary>
    public static ReproduceAllReport Run(string directory, IReadOnlyList<string> targets, bool quick, bool resume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var communicator = Topiary.Distributed.DataParallel.Current;
        bool fanOut = communicator.Size > 1;
        var total = Stopwatch.StartNew();
        var summaries = new List<ReproduceTargetSummary>();
        for (int i = 0; i < targets.Count; i++)
        {
            if (fanOut && i % communicator.Size != communicator.Rank) continue;
            using var alone = fanOut ? Topiary.Distributed.DataParallel.Independent() : null;
            summaries.Add(RunOne(directory, targets[i], quick, resume, fanOut, cancellationToken));
            if (!fanOut) ReproduceAllIndex.Write(directory, new ReproduceAllReport(quick, total.Elapsed.TotalSeconds, summaries));
        }
        if (fanOut)
        {
            communicator.Barrier(); // every rank's targets are done and their summary.json written
            summaries = targets.Select(t => ReproduceAllIndex.ReadSummary(Path.Combine(directory, t, "summary.json"))
                ?? ReproduceAllIndex.Failed(t, t, 0, "its rank wrote no summary.json")).ToList();
        }
        var report = new ReproduceAllReport(quick, total.Elapsed.TotalSeconds, summaries);
        ReproduceAllIndex.Write(directory, report);
        return report;
    }

    private static ReproduceTargetSummary RunOne(string directory, string target, bool quick, bool resume, bool alwaysWriteSummary, CancellationToken cancellationToken)
    {
        string work = Path.Combine(directory, target);
        string reportPath = Path.Combine(work, "report.json");
        ReproduceTargetSummary summary;
        if (resume && File.Exists(reportPath))
        {
            AnsiConsole.MarkupLine($"[grey]{target}: {Markup.Escape(reportPath)} exists: reusing[/]");
            summary = (ReproduceAllIndex.ReadSummary(Path.Combine(work, "summary.json"))
                ?? new ReproduceTargetSummary(target, target, "done", 0, null, $"{target}/report.json", [], [], [])) with { Status = "reused", Seconds = 0 };
            if (alwaysWriteSummary) JsonReport.Write(Path.Combine(work, "summary.json"), summary);
            return summary;
        }
        AnsiConsole.Write(new Rule($"[bold]{target}[/]"));
        var sw = Stopwatch.StartNew();
        try
        {
            var (_, paper, model) = All.Single(t => t.Name == target);
            summary = paper.RunInto(directory, model, quick, resume, cancellationToken);
            JsonReport.Write(Path.Combine(work, "summary.json"), summary);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AnsiConsole.MarkupLine($"[red]{target} failed:[/] {Markup.Escape(e.Message)}");
            summary = ReproduceAllIndex.Failed(target, target, sw.Elapsed.TotalSeconds, $"{e.GetType().Name}: {e.Message}");
            if (alwaysWriteSummary) JsonReport.Write(Path.Combine(work, "summary.json"), summary);
        }
        return summary;
    }

    /// <summary>Copies a sibling target's finished <paramref name="files"/> (checkpoints) into <paramref name="work"/> so that a
    /// target running the same schedule resumes past them (deep-compression after han2015); false when one is missing. The
    /// checkpoints carry their options, so a mismatch is refused by the library rather than silently reused.</summary>
    public static bool CopyCheckpoints(string sibling, string work, IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!files.All(f => File.Exists(Path.Combine(sibling, f)))) return false;
        Directory.CreateDirectory(work);
        foreach (string f in files) File.Copy(Path.Combine(sibling, f), Path.Combine(work, f), overwrite: true);
        AnsiConsole.MarkupLine($"[grey]starting from {Markup.Escape(sibling)}'s {Markup.Escape(string.Join(" and ", files))}[/]");
        return true;
    }
}
