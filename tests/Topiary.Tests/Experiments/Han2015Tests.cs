using System.Text.Json;
using Topiary.Cli;
using Topiary.Cli.Commands;
using Topiary.Experiments;
using Topiary.Pruning;

namespace Topiary.Tests.Experiments;

[Trait("Category", "EndToEnd")]
public class Han2015Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-han-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Small_reproduction_reports_the_required_fields_and_writes_its_figures()
    {
        var report = Han2015.Run(new Han2015Options
        {
            Model = "lenet-300-100", WorkDirectory = _dir, ReferenceEpochs = 1, TrainLimit = 2000, Rounds = 2, EpochsPerRound = 1,
            FinalEpochs = 0,
            Targets = new Dictionary<string, LayerTarget> { ["fc1"] = new(Sparsity: 0.9), ["fc2"] = new(Sparsity: 0.8), ["fc3"] = new(Sparsity: 0.5) },
        });
        Assert.Equal(0.1, report.Layers.Single(l => l.Name == "fc1").KeptFraction, 3);
        Assert.Equal(0.08, report.Layers.Single(l => l.Name == "fc1").PaperKeptFraction);
        Assert.Equal((double)report.Reference.Params / report.Pruned.NonzeroParams, report.Compression, 9);
        Assert.InRange(report.Compression, 7, 9);
        Assert.Equal(2, report.Rounds.Count);
        Assert.Equal(3, report.Sensitivity.Count);
        Assert.True(report.DeadNeurons is not null);
        Assert.All(report.Layers, l => Assert.True(l.EffectiveS > 0, $"{l.Name}: s = {l.EffectiveS}"));

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, JsonReport.Options));
        var root = json.RootElement;
        Assert.Equal(report.Reference.TestError, root.GetProperty("reference").GetProperty("test_error").GetDouble());
        Assert.Equal(report.Pruned.TestError, root.GetProperty("pruned").GetProperty("test_error").GetDouble());
        Assert.Equal(report.Pruned.NonzeroParams, root.GetProperty("pruned").GetProperty("nonzero_params").GetInt64());
        Assert.Equal(report.Compression, root.GetProperty("compression").GetDouble());
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(["fc1", "fc2", "fc3"], layers.Select(l => l.GetProperty("name").GetString()));
        Assert.Equal(0.5, layers[2].GetProperty("kept_fraction").GetDouble(), 3);

        var pngs = Han2015View.Figures(_dir, report);
        Assert.Equal(["sensitivity.png", "weights.png", "rounds.png"], pngs);
        Assert.All(pngs, p => Assert.True(new FileInfo(Path.Combine(_dir, p)).Length > 1000));
        Assert.True(File.Exists(Path.Combine(_dir, "reference.ckpt")));
        Assert.True(File.Exists(Path.Combine(_dir, "pruning.ckpt")));
    }
}
