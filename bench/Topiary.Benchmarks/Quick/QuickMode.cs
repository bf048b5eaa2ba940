// QuickMode: `dotnet run -c Release --project bench/Topiary.Benchmarks -- quick [--json FILE]
// [--threads N] [--only NAME[,NAME]] [--time-scale X]`. Runs every IQuickSection in Sections
// order in one process (so ratios compare numbers measured in the same run), prints one table
// and optionally writes the rows and published values as JSON. Extension point: append a new
// IQuickSection to Sections.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace Topiary.Benchmarks.Quick;

/// <summary>The quick ratio mode: a few seconds per section, one table, optional JSON.</summary>
public static class QuickMode
{
    /// <summary>The sections, in run order. Later sections may read values earlier ones published.</summary>
    public static List<IQuickSection> Sections { get; } =
    [
        new FmaPeakSection(),
        new MemoryBandwidthSection(),
        new CoreLatencySection(),
        new GemmQuickSection(),
        new TrainingThroughputSection(),
        new SparseCrossoverSection(),
        new DepthwiseQuickSection(),
        new DepthwiseNhwcQuickSection(),
        new ConvQuickSection(),
        new EntryConvQuickSection(),
        new SparseConvQuickSection(),
        new CodebookPlanSection(),
    ];

    /// <summary>Runs the quick mode with the arguments after "quick"; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        string? json = null;
        HashSet<string>? only = null;
        int threads = Topiary.Tensors.Threading.MaxDegreeOfParallelism;
        double timeScale = 1.0;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"Option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--json": json = value; break;
                case "--only": only = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries)]; break;
                case "--threads": threads = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--time-scale": timeScale = double.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown quick-mode option '{args[i]}'. Use --json FILE, --only NAMES, --threads N, --time-scale X.");
            }
            i++;
        }

        var context = new QuickContext { Threads = threads, TimeScale = timeScale };
        var machine = Machine(threads);
        Console.WriteLine(machine);
        var rows = new List<QuickRow>();
        foreach (var section in Sections)
        {
            if (only is not null && !only.Contains(section.Name)) continue;
            Console.Error.WriteLine($"[quick] {section.Name} ...");
            var sectionRows = section.Run(context);
            rows.AddRange(sectionRows);
            Print(sectionRows);
        }

        if (json is not null)
        {
            var report = new
            {
                machine,
                date = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                rows,
                values = context.Values,
            };
            string tmp = json + ".tmp";
            File.WriteAllText(tmp, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            File.Move(tmp, json, overwrite: true);
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }

    private static string Machine(int threads) =>
        $"{RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}; {Environment.ProcessorCount} logical cores; " +
        $"threads={threads}; Vector512={Vector512.IsHardwareAccelerated} Vector256={Vector256.IsHardwareAccelerated}; " +
        $"GEMM tier {Topiary.Tensors.GemmTiers.Best}";

    private static void Print(IReadOnlyList<QuickRow> rows)
    {
        foreach (var r in rows)
        {
            string ratio = r.Ratio is double x ? $"{x,8:0.000} x {r.RatioOf}" : "";
            string note = r.AbovePeak ? "  ** above the measured peak: a measurement error (was the peak measured on busy cores?) **"
                : r.Note is { } n ? "  ** " + n + " **" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Section,-10} {r.Name,-48} {r.Value,10:0.00} {r.Unit,-8} {ratio}{note}"));
        }
    }
}
