// ScalpelTests: `reproduce scalpel --quick` end to end on LeNet-300-100 — the JSON report has a row per platform with the
// issue's fields, the host row is measured and the others modelled, node pruning shrank the GPU variant, SIMD-aware
// variants hold whole aligned groups, and the speedup chart is written.
using System.Text.Json;
using Topiary.Cli;
using Topiary.Models;
using Topiary.Tests.IO;

namespace Topiary.Tests.Experiments;

[Collection("Console")]
[Trait("Category", "EndToEnd")]
public class ScalpelTests
{
    [Fact]
    public async Task Quick_reproduction_reports_every_platform()
    {
        using var dir = new TempDirectory();
        string json = dir.File("r.json");
        Assert.Equal(0, await CliApp.RunAsync(["reproduce", "scalpel", "--model", "lenet-300-100", "--quick", "--latency-seconds", "0.3", "--out", dir.Path, "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var platforms = doc.RootElement.GetProperty("platforms").EnumerateArray().ToArray();
        Assert.Equal(new[] { "cortex-m4", "host", "gpu" }, platforms.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(new[] { false, true, false }, platforms.Select(p => p.GetProperty("measured").GetBoolean()));
        foreach (var p in platforms)
        {
            Assert.True(p.GetProperty("traditional_speedup").GetDouble() > 0);
            Assert.True(p.GetProperty("scalpel_speedup").GetDouble() > 0);
            double size = p.GetProperty("size_reduction").GetDouble();
            Assert.InRange(size, 0.0, 1.0);
            Assert.NotEmpty(p.GetProperty("assumptions").EnumerateArray());
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, "speedup.png")));

        // The GPU variant is node-pruned: a physically smaller dense network.
        var gpu = ModelFile.Load(Path.Combine(dir.Path, "scalpel-gpu.safetensors")).Network;
        Assert.True(gpu.ParameterCount() < ModelZoo.Create("lenet-300-100", 1).ParameterCount());
        // The Cortex-M4 variant keeps or removes whole aligned pairs of weights.
        var m4 = ModelFile.Load(Path.Combine(dir.Path, "scalpel-cortex-m4.safetensors")).Network;
        foreach (var layer in Topiary.Pruning.PrunableLayer.Find(m4))
        {
            var w = layer.Weight.Value.Data;
            int cols = w.Length / layer.Weight.Value.Dim(0);
            for (int r = 0; r < layer.Weight.Value.Dim(0); r++)
                for (int c = 0; c + 1 < cols; c += 2)
                    Assert.True((w[r * cols + c] == 0) == (w[r * cols + c + 1] == 0), $"{layer.Name}[{r}, {c}..{c + 1}] is a half-pruned pair");
        }
    }
}
