using System.Buffers.Binary;
using System.Text.Json;
using Topiary.Cli;

namespace Topiary.Tests.Cli;

[Collection("Console")]
[Trait("Category", "EndToEnd")]
public class DemoCommandTests : IDisposable
{
    private static readonly string[] Figures =
        ["sensitivity.png", "weights.png", "rounds.png", "accuracy.png", "density.png", "size.png", "latency.png", "energy.png"];

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-demo-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    // One quick demo run (~30 s), checked from every side: figures, report.json, index.md, the container.
    [Fact]
    public async Task Quick_demo_writes_the_report_its_figures_and_a_runnable_container()
    {
        Assert.Equal(0, await CliApp.RunAsync(["demo", "--quick", "--out", _dir]));
        foreach (var f in new[] { "index.md", "report.json", "work/model.tpz" })
            Assert.True(File.Exists(Path.Combine(_dir, f)), f);
        foreach (var f in Figures) AssertPng(Path.Combine(_dir, f));

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "report.json")));
        var root = json.RootElement;
        var dc = root.GetProperty("deep_compression");
        double compression = dc.GetProperty("compression").GetDouble();
        double error = dc.GetProperty("compressed").GetProperty("test_error").GetDouble();
        Assert.True(compression > 20, $"compression {compression}");
        AssertLatency(root.GetProperty("latency"));
        AssertEnergy(root.GetProperty("energy"));
        var points = root.GetProperty("accuracy_vs_sparsity").EnumerateArray().ToArray();
        Assert.Equal(4, points.Length); // the reference + 3 quick rounds
        Assert.Equal(0, points[0].GetProperty("sparsity").GetDouble());
        for (int i = 1; i < points.Length; i++)
            Assert.True(points[i].GetProperty("sparsity").GetDouble() > points[i - 1].GetProperty("sparsity").GetDouble(), $"sparsity of round {i}");

        string md = await File.ReadAllTextAsync(Path.Combine(_dir, "index.md"));
        Assert.Contains($"**{compression:F1}x**", md, StringComparison.Ordinal);
        Assert.Contains($"| container (decoded) | {Pct(error)} |", md, StringComparison.Ordinal);
        foreach (var png in Directory.GetFiles(_dir, "*.png").Select(Path.GetFileName))
            Assert.Contains($"]({png})", md, StringComparison.Ordinal);
        Assert.Equal(Figures.Order(), Directory.GetFiles(_dir, "*.png").Select(f => Path.GetFileName(f)!).Order());
        double ratio = root.GetProperty("energy").GetProperty("ratio").GetDouble();
        Assert.Contains($"**{ratio.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)}x** less energy", md, StringComparison.Ordinal);
        Assert.DoesNotContain("join this report", md, StringComparison.Ordinal);

        Assert.Equal(0, await CliApp.RunAsync(["evaluate", "--model-file", Path.Combine(_dir, "work", "model.tpz")]));
    }

    private static void AssertPng(string path)
    {
        Assert.True(File.Exists(path), path);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 5000, $"{path}: only {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        Assert.True(width >= 400 && height >= 300, $"{path}: {width}x{height}");
    }

    private static void AssertLatency(JsonElement latency)
    {
        Assert.True(Positive(latency.GetProperty("decode_ms")), "decode_ms");
        var runs = latency.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal([1, 64], runs.Select(r => r.GetProperty("batch").GetInt32()));
        foreach (var run in runs)
        {
            int batch = run.GetProperty("batch").GetInt32();
            var runtimes = run.GetProperty("runtimes").EnumerateArray().ToDictionary(r => r.GetProperty("runtime").GetString()!);
            Assert.Contains("onnxruntime dense", runtimes.Keys);
            Assert.Contains("topiary pruned plan", runtimes.Keys);
            Assert.Contains("topiary .tpz plan", runtimes.Keys);
            Assert.Contains("topiary dense plan", runtimes.Keys);
            foreach (var (name, r) in runtimes)
            {
                foreach (var field in new[] { "median_us", "p99_us", "min_us", "us_per_image", "speedup_vs_ort_dense" })
                    Assert.True(Positive(r.GetProperty(field)), $"batch {batch} {name} {field}: {r.GetProperty(field)}");
                double median = r.GetProperty("median_us").GetDouble();
                Assert.True(r.GetProperty("min_us").GetDouble() <= median && median <= r.GetProperty("p99_us").GetDouble(), $"{name} min ≤ median ≤ p99");
                Assert.True(r.GetProperty("calls").GetInt32() >= 20, $"{name} calls");
                Assert.Equal(median / batch, r.GetProperty("us_per_image").GetDouble(), 9);
                Assert.Equal(runtimes["onnxruntime dense"].GetProperty("median_us").GetDouble() / median, r.GetProperty("speedup_vs_ort_dense").GetDouble(), 9);
            }
        }
        var plan = latency.GetProperty("pruned_plan").EnumerateArray().ToArray();
        Assert.Equal(3, plan.Length);
        Assert.All(plan, s => Assert.True(s.GetProperty("density").GetDouble() < 0.5, s.ToString()));
    }

    private static void AssertEnergy(JsonElement energy)
    {
        double dense = energy.GetProperty("dense").GetProperty("total").GetDouble(), pruned = energy.GetProperty("pruned").GetProperty("total").GetDouble();
        Assert.True(Positive(energy.GetProperty("ratio")) && dense > 0 && pruned > 0 && double.IsFinite(dense) && double.IsFinite(pruned), $"{dense} {pruned}");
        Assert.Equal(dense / pruned, energy.GetProperty("ratio").GetDouble(), 9);
        Assert.True(pruned < dense, $"pruned {pruned} vs dense {dense}");
        var layers = energy.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(["fc1", "fc2", "fc3"], layers.Select(l => l.GetProperty("name").GetString()));
        double sum = 0;
        foreach (var l in layers)
        {
            var d = l.GetProperty("dense");
            var p = l.GetProperty("pruned");
            Assert.Equal(1.0, d.GetProperty("weight_density").GetDouble());
            Assert.InRange(p.GetProperty("weight_density").GetDouble(), 0.01, 0.5);
            foreach (var m in new[] { d, p })
            {
                double input = m.GetProperty("input_density").GetDouble();
                Assert.True(input > 0 && input < 1, $"{l.GetProperty("name")} input density {input}: measured, not assumed 1.0");
                foreach (var part in new[] { "computation", "dram", "buffer", "array", "rf", "total" })
                    Assert.True(Positive(m.GetProperty("energy").GetProperty(part)), $"{l.GetProperty("name")} {part}");
            }
            sum += p.GetProperty("energy").GetProperty("total").GetDouble();
        }
        Assert.Equal(pruned, sum, pruned * 1e-12);
    }

    private static bool Positive(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.GetDouble() is var v && double.IsFinite(v) && v > 0;

    private static string Pct(double fraction) => (fraction * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "%";
}
