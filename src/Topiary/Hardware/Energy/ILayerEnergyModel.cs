// ILayerEnergyModel: a pure function (layer shape, weight density, input density, bit width) → LayerEnergy.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.Energy;

/// <summary>An energy model of one layer.</summary>
public interface ILayerEnergyModel
{
    /// <summary>Short profile name (e.g. <c>eyeriss</c>, <c>cpu45nm</c>).</summary>
    string Name { get; }

    /// <summary>The costs the model charges (their Unit is the unit of every energy it returns).</summary>
    EnergyCosts Costs { get; }

    /// <summary>Estimates the energy of one example through <paramref name="layer"/>.</summary>
    /// <param name="layer">Layer shape.</param>
    /// <param name="weightDensity">Fraction of non-zero weights, in [0, 1].</param>
    /// <param name="inputDensity">Fraction of non-zero input activations, in [0, 1].</param>
    /// <param name="bits">Data bit width, 1..32.</param>
    /// <exception cref="ArgumentOutOfRangeException">A density outside [0, 1] or bits outside [1, 32].</exception>
    LayerEnergy Estimate(LayerShape layer, double weightDensity, double inputDensity, int bits);
}
