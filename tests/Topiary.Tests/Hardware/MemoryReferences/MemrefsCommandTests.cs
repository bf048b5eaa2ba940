using System.Text.Json;
using Topiary.Cli;

namespace Topiary.Tests.Hardware.MemoryReferences;

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
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["memrefs", "--model", "lenet-5", "--granularity", "kernel"]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["memrefs", "--model", "vgg16", "--layers", "fc6"]));
    }
}
