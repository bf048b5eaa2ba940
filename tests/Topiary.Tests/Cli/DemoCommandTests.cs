using System.Text.Json;
using Topiary.Cli;

namespace Topiary.Tests.Cli;

[Collection("Console")]
[Trait("Category", "EndToEnd")]
public class DemoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-demo-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Quick_demo_writes_the_report_its_figures_and_a_runnable_container()
    {
        Assert.Equal(0, await CliApp.RunAsync(["demo", "--quick", "--out", _dir]));
        foreach (var f in new[] { "index.md", "report.json", "sensitivity.png", "weights.png", "rounds.png", "size.png", "density.png", "work/model.tpz" })
            Assert.True(File.Exists(Path.Combine(_dir, f)), f);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "report.json")));
        double compression = json.RootElement.GetProperty("compression").GetDouble();
        double error = json.RootElement.GetProperty("compressed").GetProperty("test_error").GetDouble();
        Assert.True(compression > 20, $"compression {compression}");
        string md = await File.ReadAllTextAsync(Path.Combine(_dir, "index.md"));
        Assert.Contains($"**{compression:F1}x**", md, StringComparison.Ordinal);
        Assert.Contains($"| container (decoded) | {(error * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}% |", md, StringComparison.Ordinal);
        Assert.Equal(0, await CliApp.RunAsync(["evaluate", "--model-file", Path.Combine(_dir, "work", "model.tpz")]));
    }
}
