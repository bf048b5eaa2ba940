using System.Text.Json;
using Topiary.Cli;
using Topiary.Experiments;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.EnergyAware;

namespace Topiary.Tests.Experiments;

[Trait("Category", "EndToEnd")]
public class Yang2017Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("topiary-yang-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Small_reproduction_compares_three_networks_at_matched_accuracy()
    {
        var report = Yang2017.Run(new Yang2017Options
        {
            Model = "lenet-5", WorkDirectory = _dir, ReferenceEpochs = 1, TrainLimit = 1500, ValidationImages = 300, TestLimit = 500,
            FineTuneEpochs = 0, Passes = 1, Tolerance = 0.01, EnergyAwareMinStep = 0.5, MagnitudeMinStep = 0.5, MagnitudeEpochs = 0,
            Sampler = new SamplerOptions(Images: 100, PositionsPerImage: 2, MaxLinearImages: 300),
        });
        Assert.Equal(["original", "magnitude", "energy-aware"], report.Rows.Select(r => r.Name));
        var (orig, mag, ea) = (report.Rows[0], report.Rows[1], report.Rows[2]);
        Assert.Equal(1.0, orig.NormalizedEnergy, 12);
        Assert.Equal(431_080 - 50 - 20 - 500 - 10, orig.Weights);
        Assert.Equal(orig.Weights, orig.NonzeroWeights);
        Assert.True(ea.NonzeroWeights < orig.NonzeroWeights);
        Assert.True(ea.Energy < orig.Energy);
        Assert.Equal(orig.Energy / ea.Energy, ea.EnergyReduction, 9);
        Assert.Equal(mag.Energy / ea.Energy, report.EnergyAwareVsMagnitude, 9);
        Assert.Equal(mag.TestError - ea.TestError, report.ErrorGap, 12);
        Assert.All(report.Rows, r => Assert.True(r.NonSkippedMacs <= r.Macs));
        Assert.Equal("fc1", report.EnergyOrder[0]);
        Assert.Equal(12, report.Layers.Count);
        // The magnitude network is the last accepted trial: within the target error whenever one was accepted.
        if (report.MagnitudeTrials.Any(t => t.Accepted)) Assert.True(mag.TestError <= report.TargetError + 1e-12);
        // Its global density is the last accepted trial's (1 when none was accepted).
        Assert.Equal(report.MagnitudeTrials.Where(t => t.Accepted).Select(t => t.Density).DefaultIfEmpty(1).Min(),
            (double)mag.NonzeroWeights / mag.Weights, 3);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, JsonReport.Options));
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(ea.Energy, rows[2].GetProperty("energy").GetDouble());
        Assert.Equal(ea.NonSkippedMacs, rows[2].GetProperty("non_skipped_macs").GetDouble());
        Assert.True(File.Exists(Path.Combine(_dir, "energy-aware.ckpt")));
        Assert.True(File.Exists(Path.Combine(_dir, "magnitude.ckpt")));
    }

    [Fact]
    public void ConvNet_has_the_documented_shape_and_an_energy_order()
    {
        var model = Topiary.Models.ModelZoo.Create("convnet", 3);
        Assert.Equal(870_634, model.ParameterCount());
        var images = new Topiary.Tensors.Tensor(2, 1, 28, 28);
        var rng = new Random(2);
        for (int i = 0; i < images.Length; i++) images.Data[i] = (float)rng.NextDouble();
        Assert.Equal([2, 10], model.Forward(images, training: false).Shape.ToArray());
        var energy = ModelEnergy.Estimate(model, images);
        Assert.Equal(["conv1", "conv2", "conv3", "conv4", "fc1", "fc2"], energy.Layers.Select(l => l.Layer.Name));
        Assert.Equal(6, ModelEnergy.EnergyOrder(energy).Count);
        Assert.Equal("fashion-mnist", Yang2017.DatasetOf("convnet"));
        Assert.Throws<ArgumentException>(() => Yang2017.DatasetOf("lenet-300-100"));
        // The clone used for the three networks is independent of the original.
        var clone = ModelSnapshot.Clone(model);
        Assert.Equal(model.Forward(images, false).Data, clone.Forward(images, false).Data);
        clone.Parameters().First().Value.Data[0] += 1;
        Assert.NotEqual(model.Parameters().First().Value.Data[0], clone.Parameters().First().Value.Data[0]);
    }
}
