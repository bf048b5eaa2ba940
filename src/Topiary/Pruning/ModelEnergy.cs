// ModelEnergy: the energy estimate of a trainable model as it stands — its shape (NetworkShape.FromModel),
// the fraction of non-zero weights of every weight layer, and input-activation densities MEASURED on
// example images (ActivationDensities.Measure) — through a layer energy model (Eyeriss by default, 16-bit).
// EstimateDeployed estimates the network as it would be deployed: a copy with its dead units (neurons/channels
// without inputs or outputs) physically removed by DeadNeuronRemover, constants folded — a pruned unit's
// feature map is then neither computed nor moved. EnergyOrder ranks layers by estimated energy, highest first
// (ties: earlier layer first).
using Topiary.Hardware.Energy;
using Topiary.Models.Shapes;
using Topiary.Nn;
using Topiary.Pruning.Structure;
using Topiary.Tensors;

namespace Topiary.Pruning;

/// <summary>Energy estimates of trainable models.</summary>
public static class ModelEnergy
{
    /// <summary>Estimates <paramref name="model"/> with measured activation densities.</summary>
    /// <param name="model">A model of Linear/Conv2d layers (inputs [N, C, H, W]).</param>
    /// <param name="images">Example images [N, C, H, W] for the activation densities.</param>
    /// <param name="energyModel">Layer model (default <see cref="EyerissEnergyModel.Default"/>).</param>
    /// <param name="bits">Data bit width (default 16, the paper's).</param>
    /// <param name="name">Network name in the result.</param>
    /// <param name="cancellationToken">Cancels the activation measurement.</param>
    /// <exception cref="ArgumentException">Images without examples, or a model the shape tracer or the energy model rejects.</exception>
    public static NetworkEnergy Estimate(Module model, Tensor images, ILayerEnergyModel? energyModel = null, int bits = 16, string name = "model",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank < 2 || images.Dim(0) == 0) throw new ArgumentException("Need at least one example image [N, ...].", nameof(images));
        var shape = NetworkShape.FromModel(model, images.Shape[1..].ToArray(), name);
        var weights = WeightDensities(model, shape);
        var inputs = ActivationDensities.Measure(model, images, cancellationToken: cancellationToken).Select(d => d.Density).ToArray();
        return NetworkEnergy.Estimate(energyModel ?? EyerissEnergyModel.Default, shape, weights, inputs, bits);
    }

    /// <summary>
    /// Estimates a copy of <paramref name="model"/> with its dead units removed (DeadNeuronRemover; a model that is not a
    /// <see cref="Sequential"/> is estimated as is). Layer names are kept; shapes are the shrunk ones.
    /// </summary>
    /// <exception cref="ArgumentException">See <see cref="Estimate"/>.</exception>
    public static NetworkEnergy EstimateDeployed(Module model, Tensor images, ILayerEnergyModel? energyModel = null, int bits = 16, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        var copy = ModelSnapshot.Clone(model);
        if (copy is Sequential seq) DeadNeuronRemover.Remove(seq);
        return Estimate(copy, images, energyModel, bits, name);
    }

    /// <summary>Non-zero fraction of each weight layer's weights, in the order of <paramref name="shape"/>.</summary>
    public static double[] WeightDensities(Module model, NetworkShape shape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(shape);
        var layers = PrunableLayer.Find(model);
        return shape.Layers.Select(l =>
        {
            var data = PrunableLayer.ByName(layers, l.Name).Weight.Value.Data;
            long nz = 0;
            foreach (float v in data) if (v != 0) nz++;
            return data.Length == 0 ? 0 : (double)nz / data.Length;
        }).ToArray();
    }

    /// <summary>Layer names ordered by estimated energy, highest first; equal energies keep layer order.</summary>
    public static IReadOnlyList<string> EnergyOrder(NetworkEnergy energy)
    {
        ArgumentNullException.ThrowIfNull(energy);
        return energy.Layers.Select((l, i) => (l.Layer.Name, l.Energy.Total, i))
            .OrderByDescending(x => x.Total).ThenBy(x => x.i).Select(x => x.Name).ToArray();
    }
}
