using System.Text.Json;
using Topiary.Cli;
using Topiary.Compression.Container;
using Topiary.Compression.Grouped;
using Topiary.Experiments;
using Topiary.Hardware.MemoryReferences;
using Topiary.Pruning;

namespace Topiary.Tests.Experiments;

[Trait("Category", "EndToEnd")]
public class Mao2017Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-mao-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private Mao2017Options Quick(bool resume = false) => new()
    {
        Model = "lenet-5", WorkDirectory = _dir, Resume = resume, Densities = [0.1, 0.3], ReferenceEpochs = 1, EpochsPerDensity = 1,
        TrainLimit = 600, TestLimit = 300, EqualDensity = 0.12, Tolerance = 1,
        MemoryReferences = MemRefStudyOptions.Mao2017 with { Layers = ["conv5_3"], FilterStride = 16 },
    };

    [Fact]
    public void Quick_study_sweeps_every_granularity_and_builds_both_tables_and_resumes()
    {
        var report = Mao2017.Run(Quick());
        Assert.Equal(Mao2017.GranularityNames.SelectMany(g => new[] { (g, 0.3), (g, 0.1) }), report.Points.Select(p => (p.Granularity, p.TargetDensity)));
        foreach (var p in report.Points)
        {
            // Density counted in weights over all prunable layers (conv1 kept at >= 0.5 adds 250 of 430,500 weights at most).
            Assert.InRange(p.Density, p.TargetDensity - 0.01, p.TargetDensity + 0.01);
            Assert.InRange(p.TestError, 0, 1);
            // The storage is the container's: each GroupSparseLayer section = the storage model's bits (byte-rounded) + its frame.
            Assert.Equal(p.Layers.Sum(l => l.TotalBits), p.StreamBits);
            Assert.Equal(p.Layers.Sum(l => 8L * (GroupSparseLayerCodec.HeaderBytes(l.Name.StartsWith("conv", StringComparison.Ordinal) ? 4 : 2) + (l.TotalBits + 7) / 8)), p.StorageBits);
            string file = Path.Combine(_dir, p.ContainerFile!);
            Assert.Equal(new FileInfo(file).Length, p.ContainerBytes);
            Assert.InRange(p.ContainerTestError, 0, 1);
            Assert.Equal(p.Granularity == "filter", p.Physical is not null);
            Assert.Equal(430_500L * 32, p.DenseBits);
            Assert.True(p.StorageRatio < p.Density, $"{p.Granularity} at {p.TargetDensity}: ratio {p.StorageRatio} with 8-bit values");
        }
        // Filter pruning made physical: fewer filters, fewer parameters, the same predictions as the masked network.
        foreach (var p in report.Points.Where(p => p.Physical is not null))
        {
            Assert.True(p.Physical!.ParametersAfter < p.Physical.ParametersBefore);
            Assert.Contains(p.Physical.Units, u => u.Layer == "conv2" && u.After < u.Before);
            Assert.Equal(p.TestError, p.Physical.TestError, 3);
        }
        // Coarser groups need fewer indices: at equal density filter storage < fine storage.
        Assert.True(report.Points.Single(p => p.Granularity == "filter" && p.TargetDensity == 0.1).StorageRatio
            < report.Points.Single(p => p.Granularity == "fine" && p.TargetDensity == 0.1).StorageRatio);
        Assert.Equal(0.1, report.EqualDensity);
        Assert.All(report.EqualDensityTable, r => Assert.NotNull(r.TestError));
        // Tolerance 1 (100 points): every granularity's lowest density qualifies.
        Assert.All(report.EqualAccuracyTable, r => Assert.Equal(report.Points.Where(p => p.Granularity == r.Granularity).Min(p => p.Density), r.Density));

        // The VGG-16 memory-reference table (here one layer, sampled): paper rows beside ours, vector below fine.
        Assert.Equal([0.401, 0.331, 0.275], report.MemoryReferences!.Select(r => r.Density));
        Assert.All(report.MemoryReferences!, r => Assert.True(r.Vector > 0 && r.Vector < r.Fine && r.Fine == r.Products));
        Assert.Null(Mao2017.Run(Quick(resume: true) with { MemoryReferences = null }).MemoryReferences);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, JsonReport.Options));
        Assert.Equal(8, json.RootElement.GetProperty("points").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("points")[0].GetProperty("storage_ratio").GetDouble() > 0);

        // Resume: every point is checkpointed, so nothing is recomputed and the numbers are identical.
        var again = Mao2017.Run(Quick(resume: true));
        Assert.Equal(report.Points.Select(p => (p.TestError, p.StorageBits)), again.Points.Select(p => (p.TestError, p.StorageBits)));
        Assert.Throws<InvalidDataException>(() => Mao2017.Run(Quick(resume: true) with { EpochsPerDensity = 2 }));
    }

    [Fact]
    public void Layer_plan_maps_granularities_and_guards_the_first_and_last_layer()
    {
        var o = new Mao2017Options { WorkDirectory = _dir };
        Assert.Same(ElementGranularity.Instance, Mao2017.LayerPlan("fine", 1, 4, 0.1, o).Granularity);
        Assert.Equal(0.5, Mao2017.LayerPlan("filter", 0, 4, 0.1, o).Density);
        Assert.Same(RowGranularity.Instance, Mao2017.LayerPlan("filter", 2, 4, 0.1, o).Granularity);
        Assert.Equal("vector", Mao2017.LayerPlan("filter", 3, 4, 0.1, o).Granularity.Name);
        Assert.Equal("kernel", Mao2017.LayerPlan("kernel", 1, 4, 0.1, o).Granularity.Name);
        Assert.Throws<ArgumentException>(() => Mao2017.Granularity("block"));
        Assert.Throws<ArgumentException>(() => Mao2017.Run(o with { Densities = [0] }));
        Assert.Throws<ArgumentException>(() => Mao2017.Run(o with { Dataset = "cifar" }));
        _ = new GroupCodingOptions();
    }
}
