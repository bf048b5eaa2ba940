// `topiary memrefs --model vgg16 --density 0.3 --granularity fine|vector`: output memory references of a
// sparse convolution dataflow per conv layer (Mao et al. 2017), on synthetic seeded masks. --preset picks the
// setting (mao2017, the default: no cache, 8-byte coalesced requests, halo 1, activation density 0.3; cpu: a
// 32 KiB 8-way 64 B-line cache, one request per product, no halo, activation density 0.5); every other flag
// overrides one field of the preset.
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
        var preset = new Option<string>("--preset")
        {
            Description = "mao2017 (no cache, 8 B coalesced requests, halo 1, activation density 0.3: reproduces Mao et al.) or " +
                "cpu (32 KiB 8-way 64 B-line cache, one 4 B request per product, no halo, activation density 0.5).",
            DefaultValueFactory = _ => "mao2017",
        };
        var activation = new Option<double?>("--activation-density") { Description = "Input activation density after the first layer (first layer: 1). Default: the preset's." };
        var cacheKb = new Option<int?>("--cache-kb") { Description = "Cache size in KiB; 0 = no cache (every request is a reference). Default: the preset's." };
        var line = new Option<int?>("--line") { Description = "Cache line in bytes (with a cache; default 64)." };
        var ways = new Option<int?>("--ways") { Description = "Cache associativity (with a cache; default 8)." };
        var request = new Option<int?>("--request-bytes") { Description = "Bytes per output request (power of two ≥ 4); a group's products in one word coalesce. Default: the preset's." };
        var halo = new Option<int?>("--output-halo") { Description = "Zero border (outputs) stored around each output map. Default: the preset's." };
        var layers = new Option<string?>("--layers") { Description = "Comma-separated conv layer names (default: all)." };
        var sample = new Option<int>("--filter-stride") { Description = "Simulate every k-th filter and scale the counts (1 = exact).", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic masks.", DefaultValueFactory = _ => 1 };
        var cmd = new Command("memrefs", "Output memory references of sparse convolutions (Mao et al. 2017), with or without a cache model.")
        {
            model, density, granularity, preset, activation, cacheKb, line, ways, request, halo, layers, sample, seed,
        };
        return cmd.Reports((parse, _, ct) =>
        {
            var network = ShapeZoo.ByName(parse.GetValue(model)!);
            var flow = CommonOptions.Choice("--granularity", parse.GetValue(granularity)!, ("fine", SparseDataflow.Fine), ("vector", SparseDataflow.Vector));
            var basis = CommonOptions.Choice("--preset", parse.GetValue(preset)!, ("mao2017", MemRefStudyOptions.Mao2017), ("cpu", MemRefStudyOptions.CpuCache));
            var options = basis with
            {
                WeightDensity = Fraction(parse.GetValue(density), "--density"),
                ActivationDensity = Fraction(parse.GetValue(activation) ?? basis.ActivationDensity, "--activation-density"),
                Granularity = flow,
                CacheKb = CommonOptions.AtLeast(parse.GetValue(cacheKb) ?? basis.CacheKb, 0, "--cache-kb"),
                LineBytes = CommonOptions.AtLeast(parse.GetValue(line) ?? basis.LineBytes, 1, "--line"),
                Ways = CommonOptions.AtLeast(parse.GetValue(ways) ?? basis.Ways, 1, "--ways"),
                Layout = new OutputLayout
                {
                    RequestBytes = Request(parse.GetValue(request) ?? basis.Layout.RequestBytes),
                    Halo = CommonOptions.AtLeast(parse.GetValue(halo) ?? basis.Layout.Halo, 0, "--output-halo"),
                },
                Seed = parse.GetValue(seed),
                FilterStride = CommonOptions.AtLeast(parse.GetValue(sample), 1, "--filter-stride"),
                Layers = parse.GetValue(layers)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            if (options.HasCache && options.Layout.RequestBytes > options.LineBytes)
                throw new ArgumentException($"--request-bytes {options.Layout.RequestBytes} is wider than the --line of {options.LineBytes} bytes.");
            try
            {
                options.NewCache();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new ArgumentException($"Bad cache geometry (--cache-kb {options.CacheKb}, --line {options.LineBytes}, --ways {options.Ways}): {e.Message}", e);
            }
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var report = MemRefStudy.Run(network, options, CliOutput.Messages(), ct);
            Print(report, sw.Elapsed.TotalSeconds);
            return report;
        }, threads: false);
    }

    private static double Fraction(double v, string option) =>
        v is >= 0 and <= 1 ? v : throw new ArgumentException($"{option} must be in [0, 1]; got {v.ToString(CultureInfo.InvariantCulture)}.");

    private static int Request(int v) =>
        v >= OutputLayout.AccumulatorBytes && (v & (v - 1)) == 0 ? v
            : throw new ArgumentException($"--request-bytes must be a power of two of at least {OutputLayout.AccumulatorBytes}; got {v}.");

    private static void Print(MemRefStudyReport r, double seconds)
    {
        CliOutput.Table($"{r.Model}: {r.Granularity} sparsity, weight density {r.WeightDensity:0.###}{(r.Sampled ? " (SAMPLED, scaled)" : "")}",
            ["layer", "products", "requests", "output refs", "hit rate", "write-backs", "output lines"],
        [
            .. r.Layers.Select(l => new[]
            {
                l.Name, $"{l.Products:N0}", $"{l.Accesses:N0}", $"{l.OutputReferences:N0}", CliOutput.Pct(l.Accesses == 0 ? 0 : (double)l.Hits / l.Accesses),
                $"{l.Writebacks:N0}", $"{l.OutputLines:N0}",
            }),
            ["[bold]total[/]", $"{r.TotalProducts:N0}", $"{r.TotalAccesses:N0}", $"[bold]{r.TotalOutputReferences:N0}[/]", "", "", ""],
        ]);
        foreach (string a in r.Assumptions) AnsiConsole.MarkupLine($"[grey]- {Markup.Escape(a)}[/]");
        AnsiConsole.MarkupLine($"time: {seconds:F1} s");
    }
}
