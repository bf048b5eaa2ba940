// `topiary memrefs --model vgg16 --density 0.3 --granularity fine|vector`: output memory references of a
// sparse convolution dataflow per conv layer under a cache model (Mao et al. 2017), on synthetic seeded masks.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Hardware.MemoryReferences;
using Topiary.Models.Shapes;

namespace Topiary.Cli.Commands;

/// <summary>The <c>memrefs</c> command.</summary>
public static class MemrefsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = $"Shape-zoo model: {string.Join(", ", ShapeZoo.Names)}.", Required = true };
        var density = new Option<double>("--density") { Description = "Weight density (kept fraction).", DefaultValueFactory = _ => 0.3 };
        var granularity = new Option<string>("--granularity") { Description = "fine or vector.", DefaultValueFactory = _ => "fine" };
        var activation = new Option<double>("--activation-density") { Description = "Input activation density (first layer: 1).", DefaultValueFactory = _ => 0.5 };
        var cacheKb = new Option<int>("--cache-kb") { Description = "Cache size in KiB.", DefaultValueFactory = _ => 32 };
        var line = new Option<int>("--line") { Description = "Cache line in bytes.", DefaultValueFactory = _ => 64 };
        var ways = new Option<int>("--ways") { Description = "Associativity.", DefaultValueFactory = _ => 8 };
        var layers = new Option<string?>("--layers") { Description = "Comma-separated conv layer names (default: all)." };
        var sample = new Option<int>("--filter-stride") { Description = "Simulate every k-th filter and scale the counts (1 = exact).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic masks.", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var cmd = new Command("memrefs", "Output memory references of sparse convolutions under a cache model (Mao et al. 2017).")
        {
            model, density, granularity, activation, cacheKb, line, ways, layers, sample, seed, json,
        };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            var network = ShapeZoo.ByName(parse.GetValue(model)!);
            string g = parse.GetValue(granularity)!;
            var flow = g switch
            {
                "fine" => SparseDataflow.Fine,
                "vector" => SparseDataflow.Vector,
                _ => throw new ArgumentException($"--granularity must be fine or vector; got '{g}'."),
            };
            var options = new MemRefStudyOptions
            {
                WeightDensity = parse.GetValue(density),
                ActivationDensity = parse.GetValue(activation),
                Granularity = flow,
                CacheKb = parse.GetValue(cacheKb),
                LineBytes = parse.GetValue(line),
                Ways = parse.GetValue(ways),
                Seed = parse.GetValue(seed),
                FilterStride = parse.GetValue(sample),
                Layers = parse.GetValue(layers)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var report = MemRefStudy.Run(network, options, CliOutput.Messages(), ct);
            Print(report, sw.Elapsed.TotalSeconds);
            JsonReport.Write(parse.GetValue(json), report);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static void Print(MemRefStudyReport r, double seconds)
    {
        var t = new Table().Title($"{r.Model}: {r.Granularity} sparsity, weight density {r.WeightDensity.ToString("0.###", CultureInfo.InvariantCulture)}{(r.Sampled ? " (SAMPLED, scaled)" : "")}")
            .AddColumns("layer", "accesses", "misses = output refs", "hit rate", "write-backs", "output lines");
        foreach (var l in r.Layers)
            t.AddRow(l.Name, $"{l.Accesses:N0}", $"{l.OutputReferences:N0}", CliOutput.Pct(l.Accesses == 0 ? 0 : (double)l.Hits / l.Accesses), $"{l.Writebacks:N0}", $"{l.OutputLines:N0}");
        t.AddRow("[bold]total[/]", $"{r.TotalAccesses:N0}", $"[bold]{r.TotalOutputReferences:N0}[/]", "", "", "");
        AnsiConsole.Write(t);
        foreach (string a in r.Assumptions) AnsiConsole.MarkupLine($"[grey]- {Markup.Escape(a)}[/]");
        AnsiConsole.MarkupLine($"time: {seconds:F1} s");
    }
}
