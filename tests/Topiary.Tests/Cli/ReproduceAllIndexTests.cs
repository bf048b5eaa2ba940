// reproduce all's aggregation with made-up target reports (nothing is trained): each target's main table carries the
// report's numbers beside the paper's, the index links every target's report and figures and shows failures, the
// combined report.json lists the targets, and a resumed run indexes a finished target from its summary.json.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Cli.Commands;
using Topiary.Experiments;
using Topiary.Tests.IO;

namespace Topiary.Tests.Cli;

[Collection("Console")]
public class ReproduceAllIndexTests
{
    private static Han2015Report FakeHan() => new("lenet-300-100", "mnist", 1,
        new ModelSummary(0.0148, 266_610, 266_610), new ModelSummary(0.0147, 266_610, 17_172), 15.52,
        [new Han2015Layer("fc1", "fc", 235_200, 14_112, 0.06, 0.08, 1.1, 0.04)], [], null, [], Han2015Paper.Results["lenet-300-100"], 23, 39, 64);

    private static Yang2017Report FakeYang() => new("lenet-5", "mnist", 1,
    [
        new Yang2017Row("original", 0.0095, 431_080, 431_080, 2_293_000, 2_000_000, 20e6, 1, 1),
        new Yang2017Row("energy-aware", 0.0192, 431_080, 20_000, 2_293_000, 300_000, 12.09e6, 0.6046, 1.654),
    ], [], ["fc1", "conv2"], 0.02, 0.0001, 0.95, [], [], 1, 2, 3, 6);

    [Fact]
    public void Target_tables_carry_the_reports_numbers_beside_the_papers()
    {
        var han = Han2015View.Summary("han2015-lenet-300-100", FakeHan(), 64.2);
        Assert.Equal("done", han.Status);
        Assert.Equal("han2015-lenet-300-100/report.json", han.Report);
        Assert.Equal(["reference error", "1.48%", "1.64%"], han.Rows[0]);
        Assert.Equal(["pruned error", "1.47%", "1.59%"], han.Rows[1]);
        Assert.Equal("15.5x", han.Rows[3][1]);
        Assert.Equal("fc1 6%", han.Rows[4][1]);
        Assert.Contains("han2015-lenet-300-100/rounds.png", han.Figures);

        var yang = Yang2017View.Summary("yang2017-lenet-5", FakeYang(), 6);
        Assert.Equal(["energy-aware", "1.92%", "20,000 / 431,080", "0.605", "1.7x"], yang.Rows[1]);
    }

    [Fact]
    public void Index_links_every_target_and_shows_failures()
    {
        var report = new ReproduceAllReport(Quick: true, TotalSeconds: 125, Targets:
        [
            Han2015View.Summary("han2015-lenet-300-100", FakeHan(), 64),
            ReproduceAllIndex.Failed("scalpel-lenet-5", "scalpel-lenet-5", 3, "InvalidDataException: a | b"),
            Yang2017View.Summary("yang2017-lenet-5", FakeYang(), 6) with { Status = "reused", Seconds = 0 },
        ]);
        string md = ReproduceAllIndex.Markdown(report);
        Assert.Contains("`topiary reproduce all --quick` (2.1 min in this run)", md, StringComparison.Ordinal);
        Assert.Contains("**Quick mode**", md, StringComparison.Ordinal);
        Assert.Contains("| [han2015-lenet-300-100](#han2015-lenet-300-100) | Han et al. 2015, lenet-300-100: iterative magnitude pruning with retraining | done | 64 s | [report.json](han2015-lenet-300-100/report.json) |", md, StringComparison.Ordinal);
        Assert.Contains("| [yang2017-lenet-5](#yang2017-lenet-5) |", md, StringComparison.Ordinal);
        Assert.Contains("| reused |  | [report.json](yang2017-lenet-5/report.json) |", md, StringComparison.Ordinal);
        Assert.Contains("\n## scalpel-lenet-5\n", md, StringComparison.Ordinal);
        Assert.Contains("**Failed**: InvalidDataException: a \\| b", md, StringComparison.Ordinal); // pipes escaped
        Assert.Contains("| pruned error | 1.47% | 1.59% |", md, StringComparison.Ordinal);
        Assert.Contains("| --- | --- | --- |", md, StringComparison.Ordinal);
        Assert.Contains("![rounds](han2015-lenet-300-100/rounds.png)", md, StringComparison.Ordinal);
        Assert.Contains("| energy-aware | 1.92% | 20,000 / 431,080 | 0.605 | 1.7x |", md, StringComparison.Ordinal);
        // Sections in run order.
        Assert.True(md.IndexOf("## han2015", StringComparison.Ordinal) < md.IndexOf("## scalpel", StringComparison.Ordinal));
        Assert.True(md.IndexOf("## scalpel", StringComparison.Ordinal) < md.IndexOf("## yang2017", StringComparison.Ordinal));
    }

    [Fact]
    public void Write_produces_index_and_combined_report_and_summaries_read_back()
    {
        using var dir = new TempDirectory();
        var han = Han2015View.Summary("han2015-lenet-300-100", FakeHan(), 64);
        ReproduceAllIndex.Write(dir.Path, new ReproduceAllReport(false, 70, [han]));
        Assert.True(File.Exists(dir.File("index.md")));
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        var target = json.RootElement.GetProperty("targets")[0];
        Assert.Equal("han2015-lenet-300-100", target.GetProperty("name").GetString());
        Assert.Equal("1.47%", target.GetProperty("rows")[1][1].GetString());
        Assert.False(json.RootElement.GetProperty("quick").GetBoolean());

        string summary = dir.File("summary.json");
        JsonReport.Write(summary, han);
        var back = ReproduceAllIndex.ReadSummary(summary)!;
        Assert.Equal(han.Rows.Select(r => string.Join("|", r)), back.Rows.Select(r => string.Join("|", r)));
        Assert.Equal(han.Figures, back.Figures);
        File.WriteAllText(summary, "{ not json");
        Assert.Null(ReproduceAllIndex.ReadSummary(summary));
        Assert.Null(ReproduceAllIndex.ReadSummary(dir.File("missing.json")));
    }

    [Fact]
    public void Resume_skips_finished_targets_and_indexes_them_from_their_summary()
    {
        using var dir = new TempDirectory();
        // A finished han2015 target: report.json and summary.json exist, so --resume must not rerun it (no data is touched).
        string work = Path.Combine(dir.Path, "han2015-lenet-300-100");
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "report.json"), "{}");
        JsonReport.Write(Path.Combine(work, "summary.json"), Han2015View.Summary("han2015-lenet-300-100", FakeHan(), 64));
        var report = ReproduceAllCommand.Run(dir.Path, ["han2015-lenet-300-100"], quick: false, resume: true, CancellationToken.None);
        var t = Assert.Single(report.Targets);
        Assert.Equal("reused", t.Status);
        Assert.Equal(0, t.Seconds);
        Assert.Equal("1.47%", t.Rows[1][1]);
        Assert.Contains("| pruned error | 1.47% | 1.59% |", File.ReadAllText(dir.File("index.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_target_is_a_bad_input()
    {
        using var dir = new TempDirectory();
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["reproduce", "all", "--targets", "han2015-lenet-300-100,alexnet", "--out", dir.Path]));
        Assert.False(File.Exists(dir.File("index.md")));
    }
}
