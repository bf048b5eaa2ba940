using System.Text.Json;
using Topiary.Cli;

namespace Topiary.Tests.Hardware.MemoryReferences;

[Collection("Console")]
public class MemrefsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-memrefs-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Json_has_per_layer_and_total_output_references()
    {
        string json = Path.Combine(_dir, "m.json");
        Assert.Equal(0, await CliApp.RunAsync(["memrefs", "--model", "lenet-5", "--density", "0.3", "--granularity", "vector", "--cache-kb", "1", "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = doc.RootElement;
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(["conv1", "conv2"], layers.Select(l => l.GetProperty("name").GetString()));
        long total = layers.Sum(l => l.GetProperty("output_references").GetInt64());
        Assert.True(total > 0);
        Assert.Equal(total, root.GetProperty("total_output_references").GetInt64());
        Assert.All(layers, l => Assert.True(l.GetProperty("accesses").GetInt64() >= l.GetProperty("misses").GetInt64()));
        Assert.Equal(8, root.GetProperty("request_bytes").GetInt32());
        Assert.All(layers, l => Assert.True(l.GetProperty("products").GetInt64() >= l.GetProperty("accesses").GetInt64()));
        string cpu = Path.Combine(_dir, "c.json");
        Assert.Equal(0, await CliApp.RunAsync(["memrefs", "--model", "lenet-5", "--preset", "cpu", "--output-halo", "2", "--json", cpu]));
        using var cdoc = JsonDocument.Parse(await File.ReadAllTextAsync(cpu));
        Assert.Equal((32, 4, 2, 0.5), (cdoc.RootElement.GetProperty("cache_kb").GetInt32(), cdoc.RootElement.GetProperty("request_bytes").GetInt32(),
            cdoc.RootElement.GetProperty("output_halo").GetInt32(), cdoc.RootElement.GetProperty("activation_density").GetDouble()));
        foreach (string[] bad in new string[][]
        {
            new[] { "--preset", "gpu" }, ["--request-bytes", "6"], ["--output-halo", "-1"], ["--cache-kb", "-1"], ["--density", "2"],
            ["--activation-density", "-0.1"], ["--cache-kb", "1", "--line", "4"], ["--cache-kb", "1", "--line", "48"], ["--filter-stride", "0"],
        })
            Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["memrefs", "--model", "lenet-5", .. bad]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["memrefs", "--model", "lenet-5", "--granularity", "kernel"]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["memrefs", "--model", "vgg16", "--layers", "fc6"]));
    }
}
