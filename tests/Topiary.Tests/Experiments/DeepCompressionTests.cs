using System.Text.Json;
using Topiary.Cli;
using Topiary.Experiments;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Training;

namespace Topiary.Tests.Experiments;

[Trait("Category", "EndToEnd")]
public class DeepCompressionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-dc-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Small_pipeline_writes_a_container_whose_decoded_error_is_the_reported_one()
    {
        var report = DeepCompression.Run(new DeepCompressionOptions
        {
            Pruning = new Han2015Options
            {
                Model = "lenet-300-100", WorkDirectory = _dir, ReferenceEpochs = 1, TrainLimit = 2000, Rounds = 1, EpochsPerRound = 1,
                FinalEpochs = 0, Sensitivity = false,
                Targets = new Dictionary<string, LayerTarget> { ["fc1"] = new(Sparsity: 0.9), ["fc2"] = new(Sparsity: 0.9), ["fc3"] = new(Sparsity: 0.5) },
            },
            FineTuneEpochs = 1,
        });
        Assert.Equal(new FileInfo(report.ContainerPath).Length, (long)report.BytesCompressed);
        Assert.Equal(266_610 * 4.0, report.BytesOriginal);
        Assert.Equal(report.BytesOriginal / report.BytesCompressed, report.Compression, 9);
        Assert.Equal(["dense", "pruning", "quantization", "huffman", "container"], report.Stages.Select(s => s.Name));
        Assert.Equal(report.Errors[^1].TestError, report.Compressed.TestError);

        // Evaluating the file on its own gives exactly the reported compressed error.
        var loaded = ModelFile.Load(report.ContainerPath);
        Assert.Equal(report.Compressed.TestError, TrainingRun.Evaluate(loaded.Network, TrainingRun.LoadDataset("mnist", Topiary.Data.DatasetSplit.Test)).Error);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, JsonReport.Options));
        var root = json.RootElement;
        Assert.Equal(report.BytesCompressed, root.GetProperty("bytes_compressed").GetDouble());
        Assert.Equal(report.BytesOriginal, root.GetProperty("bytes_original").GetDouble());
        Assert.Equal(report.Compression, root.GetProperty("compression").GetDouble());
        Assert.Equal("huffman", root.GetProperty("stages")[3].GetProperty("name").GetString());
        Assert.True(root.GetProperty("stages")[3].GetProperty("compression").GetDouble() > 1);
        Assert.Equal(report.Reference.TestError, root.GetProperty("reference").GetProperty("test_error").GetDouble());
        Assert.Equal(report.Compressed.TestError, root.GetProperty("compressed").GetProperty("test_error").GetDouble());
    }
}
