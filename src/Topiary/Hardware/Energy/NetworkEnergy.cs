// NetworkEnergy: a layer energy model applied to every weight layer of a network; totals are plain sums.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.Energy;

/// <summary>Per-layer energies of a network and their sum.</summary>
/// <param name="Network">Network name.</param>
/// <param name="Profile">Energy model name.</param>
/// <param name="Unit">Unit of every energy.</param>
/// <param name="Bits">Data bit width.</param>
/// <param name="Layers">One estimate per weight layer, in order.</param>
public sealed record NetworkEnergy(string Network, string Profile, string Unit, int Bits, IReadOnlyList<LayerEnergy> Layers)
{
    /// <summary>Σ of the layers' breakdowns.</summary>
    public EnergyBreakdown Total => Layers.Aggregate(default(EnergyBreakdown), (sum, l) => sum + l.Energy);

    /// <summary>Σ dense MACs.</summary>
    public long Macs => Layers.Sum(l => l.Macs);

    /// <summary>Σ non-skipped MACs.</summary>
    public double NonSkippedMacs => Layers.Sum(l => l.NonSkippedMacs);

    /// <summary>
    /// Estimates every layer of <paramref name="network"/> with <paramref name="model"/>.
    /// </summary>
    /// <param name="model">Layer energy model.</param>
    /// <param name="network">Network shape.</param>
    /// <param name="weightDensities">One weight density per layer (in layer order), each in [0, 1].</param>
    /// <param name="inputDensities">One input-activation density per layer, each in [0, 1].</param>
    /// <param name="bits">Data bit width, 1..32.</param>
    /// <exception cref="ArgumentException">A density list of the wrong length, or a layer the model rejects.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A density outside [0, 1] or bits outside [1, 32].</exception>
    public static NetworkEnergy Estimate(ILayerEnergyModel model, NetworkShape network, IReadOnlyList<double> weightDensities,
        IReadOnlyList<double> inputDensities, int bits)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(weightDensities);
        ArgumentNullException.ThrowIfNull(inputDensities);
        int n = network.Layers.Count;
        if (weightDensities.Count != n)
            throw new ArgumentException($"{weightDensities.Count} weight densities for {n} layers of '{network.Name}'.", nameof(weightDensities));
        if (inputDensities.Count != n)
            throw new ArgumentException($"{inputDensities.Count} input densities for {n} layers of '{network.Name}'.", nameof(inputDensities));
        var layers = new LayerEnergy[n];
        for (int i = 0; i < n; i++) layers[i] = model.Estimate(network.Layers[i], weightDensities[i], inputDensities[i], bits);
        return new NetworkEnergy(network.Name, model.Name, model.Costs.Unit, bits, layers);
    }
}
