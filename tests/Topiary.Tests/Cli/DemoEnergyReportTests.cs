// DemoEnergyReport.Of: the demo's energy stage pairs ModelEnergy's estimates of the dense reference and the pruned
// model layer by layer — each layer keeps its own densities and energies, the ratios are dense / pruned (per layer
// and in total) — and refuses two estimates whose weight layers differ.
using Topiary.Cli.Reports;
using Topiary.Hardware.Energy;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Tensors;

namespace Topiary.Tests.Cli;

public sealed class DemoEnergyReportTests
{
    private static Tensor Images()
    {
        var images = new Tensor(4, 1, 28, 28);
        var rng = new Random(3);
        for (int i = 0; i < images.Length; i++) images.Data[i] = (float)rng.NextDouble();
        return images;
    }

    private static NetworkEnergy Estimate(string model, Action<Topiary.Nn.Module>? prune = null)
    {
        var net = ModelZoo.Create(model, 1);
        prune?.Invoke(net);
        return ModelEnergy.Estimate(net, Images(), EyerissEnergyModel.Default, DemoEnergyReport.DataBits, model);
    }

    [Fact]
    public void Pairs_the_dense_and_pruned_estimates_layer_by_layer()
    {
        var dense = Estimate("lenet-300-100");
        var pruned = Estimate("lenet-300-100", m => new LayerDensities("test", [new("fc1", 0.1)]).Apply(m));
        var report = DemoEnergyReport.Of(dense, pruned, 4);
        Assert.Equal(["fc1", "fc2", "fc3"], report.Layers.Select(l => l.Name));
        Assert.Equal((4, 16, dense.Unit), (report.Images, report.Bits, report.Unit));
        var fc1 = report.Layers[0];
        Assert.Equal(1.0, fc1.Dense.WeightDensity);
        Assert.Equal(0.1, fc1.Pruned.WeightDensity, 3);
        Assert.Equal(pruned.Layers[0].Energy, fc1.Pruned.Energy);
        Assert.Equal(fc1.Dense.Energy.Total / fc1.Pruned.Energy.Total, fc1.Ratio);
        Assert.True(fc1.Ratio > 1, $"fc1 ratio {fc1.Ratio}");
        Assert.Equal(dense.Total.Total / pruned.Total.Total, report.Ratio);
    }

    [Fact]
    public void Estimates_of_different_layers_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => DemoEnergyReport.Of(Estimate("lenet-300-100"), Estimate("lenet-5"), 4));
        Assert.Contains("weight layers differ", e.Message, StringComparison.Ordinal);
    }
}
