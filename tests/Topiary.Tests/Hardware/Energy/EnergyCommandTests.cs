using System.Text.Json;
using Topiary.Cli;

namespace Topiary.Tests.Hardware.Energy;

[Collection("Console")]
public class EnergyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-energy-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Alexnet_writes_json_with_the_fields_and_a_png()
    {
        string json = Path.Combine(_dir, "e.json"), png = Path.Combine(_dir, "e.png");
        int code = await CliApp.RunAsync(["energy", "--model", "alexnet", "--densities", "han2015", "--json", json, "--plot", png]);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = doc.RootElement;
        var layers = root.GetProperty("layers");
        Assert.Equal(8, layers.GetArrayLength());
        double sum = 0;
        foreach (var l in layers.EnumerateArray())
        {
            sum += l.GetProperty("energy").GetDouble();
            Assert.True(l.GetProperty("nonskipped_macs").GetDouble() < l.GetProperty("macs").GetInt64());
            Assert.True(l.GetProperty("nonzero_weights").GetDouble() > 0);
        }
        Assert.Equal("conv1", layers[0].GetProperty("name").GetString());
        Assert.Equal(34848 * 0.84, layers[0].GetProperty("nonzero_weights").GetDouble(), 6);
        Assert.Equal(root.GetProperty("total_energy").GetDouble(), sum, 1e-9 * sum);
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G');
    }

    [Fact]
    public async Task Alexnet_dense_and_han2015_land_in_the_papers_bands()
    {
        async Task<JsonElement> Run(params string[] extra)
        {
            string json = Path.Combine(_dir, $"a{Guid.NewGuid():N}.json");
            Assert.Equal(0, await CliApp.RunAsync(["energy", "--model", "alexnet", .. extra, "--json", json]));
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            return doc.RootElement.Clone();
        }
        var dense = await Run("--densities", "dense");
        var han = await Run("--densities", "han2015");
        Assert.Equal(8, dense.GetProperty("batch").GetInt32());
        Assert.Contains("Eyeriss", dense.GetProperty("input_densities").GetString());
        Assert.Contains(dense.GetProperty("assumptions").EnumerateArray(), a => a.GetString()!.StartsWith("batch 8", StringComparison.Ordinal));
        Assert.Equal(0.613, dense.GetProperty("layers")[1].GetProperty("input_density").GetDouble(), 12);
        double e = dense.GetProperty("total_energy").GetDouble(), macs = dense.GetProperty("nonskipped_macs").GetDouble();
        Assert.Equal(4_187_972_384.64, e, 1e-2);
        Assert.InRange(e / 3.97e9, 0.85, 1.15);
        Assert.InRange(macs / 3.71e8, 0.85, 1.15);
        Assert.InRange(han.GetProperty("total_energy").GetDouble() / e, 0.42, 0.52);
        Assert.InRange(han.GetProperty("nonskipped_macs").GetDouble() / macs, 0.43, 0.53);
        // The old estimate stays reachable: batch 1 and the assumed densities.
        var old = await Run("--densities", "dense", "--batch", "1", "--input-density", "assumed");
        Assert.Equal(1, old.GetProperty("batch").GetInt32());
        Assert.True(old.GetProperty("total_energy").GetDouble() > 3.5 * 3.97e9);
        var uniform = await Run("--input-density", "0.4");
        Assert.Equal([1.0, 0.4, 0.4], uniform.GetProperty("layers").EnumerateArray().Take(3).Select(l => l.GetProperty("input_density").GetDouble()));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["energy", "--model", "alexnet", "--batch", "0"]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["energy", "--model", "alexnet", "--batch", "4", "--profile", "cpu45nm"]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["energy", "--model", "alexnet", "--input-density", "1.5"]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["energy", "--model", "vgg16", "--input-density", "published"]));
    }

    [Fact]
    public async Task Json_density_file_and_cpu_profile()
    {
        string map = Path.Combine(_dir, "d.json"), json = Path.Combine(_dir, "r.json");
        await File.WriteAllTextAsync(map, "{\"fc1\": 0.1}");
        Assert.Equal(0, await CliApp.RunAsync(["energy", "--model", "lenet-5", "--densities", map, "--profile", "cpu45nm", "--json", json]));
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal("pJ", doc.RootElement.GetProperty("unit").GetString());
        var fc1 = doc.RootElement.GetProperty("layers")[2];
        Assert.Equal(0.1, fc1.GetProperty("weight_density").GetDouble());
        Assert.Equal(1.0, doc.RootElement.GetProperty("layers")[0].GetProperty("weight_density").GetDouble());
        await File.WriteAllTextAsync(map, "{\"fc9\": 0.1}");
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["energy", "--model", "lenet-5", "--densities", map]));
    }

    [Fact]
    public async Task Unknown_model_exits_2_listing_the_known_names()
    {
        var previous = Console.Error;
        using var err = new StringWriter();
        Console.SetError(err);
        int code;
        try
        {
            code = await CliApp.RunAsync(["energy", "--model", "alexnet2", "--json", Path.Combine(_dir, "x.json")]);
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Equal(CliApp.BadInput, code);
        string text = err.ToString();
        foreach (string name in new[] { "alexnet", "vgg16", "googlenet", "squeezenet", "lenet-5" }) Assert.Contains(name, text);
        Assert.False(File.Exists(Path.Combine(_dir, "x.json")));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["energy", "--model", "googlenet", "--densities", "han2015"]));
        Assert.Equal(CliApp.BadInput, await CliApp.RunAsync(["energy", "--model", "vgg16", "--input-density", "measured"]));
    }
}
