// DemoEnergy: the demo's energy stage — the Eyeriss-like row-stationary estimate (Yang et al. 2017's model,
// 16-bit data) of one inference of the dense reference and of the pruned model. Weight densities are the
// models' real non-zero fractions; input-activation densities are MEASURED (ActivationDensities.Measure) on the
// first `images` test images through each model, so the pruned model's own activations are used for it.
// Energies are in the model's normalised unit (one 16-bit MAC = 1); the ratio is dense total / pruned total. The
// estimate of each model is ModelEnergy's (the same one energy-aware pruning ranks layers by).
using Topiary.Cli.Reports;
using Topiary.Data;
using Topiary.Hardware.Energy;
using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Cli.Commands;

/// <summary>Runs the demo's energy stage.</summary>
public static class DemoEnergy
{
    /// <summary>Data bit width of the estimate (Eyeriss's).</summary>
    public const int Bits = 16;

    /// <summary>Estimates one inference of <paramref name="dense"/> and <paramref name="pruned"/> on the Eyeriss-like model.</summary>
    /// <param name="name">Network name for the shape.</param>
    /// <param name="dense">The dense reference.</param>
    /// <param name="pruned">The pruned model (same architecture).</param>
    /// <param name="test">Test images in the models' pixel scaling.</param>
    /// <param name="images">How many of them to measure activation densities on, 1..test.Count.</param>
    /// <param name="cancellationToken">Cancels the measurement.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="images"/> outside 1..test.Count.</exception>
    /// <exception cref="ArgumentException">The two models' weight layers differ.</exception>
    public static DemoEnergyReport Run(string name, Module dense, Module pruned, ImageDataset test, int images,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(images, test.Count);
        var inputs = test.Slice(0, images).AsTensor();
        var d = ModelEnergy.Estimate(dense, inputs, EyerissEnergyModel.Default, Bits, name, cancellationToken);
        var p = ModelEnergy.Estimate(pruned, inputs, EyerissEnergyModel.Default, Bits, name, cancellationToken);
        if (d.Layers.Count != p.Layers.Count || d.Layers.Zip(p.Layers).Any(x => x.First.Layer.Name != x.Second.Layer.Name))
            throw new ArgumentException("The dense and pruned models' weight layers differ.", nameof(pruned));
        var layers = d.Layers.Zip(p.Layers, (a, b) => new DemoEnergyLayer(a.Layer.Name, a.Macs, Of(a), Of(b))).ToArray();
        return new DemoEnergyReport(d.Profile, d.Unit, Bits, images, layers, d.Total, p.Total, d.Total.Total / p.Total.Total);
    }

    private static DemoLayerEnergy Of(LayerEnergy l) => new(l.WeightDensity, l.InputDensity, l.NonSkippedMacs, l.Energy);
}
