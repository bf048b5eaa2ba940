// Cpu45nmProfile: a simple CPU-like view of a layer's energy with the 45 nm table the project uses
// (32-bit: DRAM 640 pJ, SRAM 5 pJ, register file 1 pJ, float MULT 3.7 pJ, float ADD 0.9 pJ).
//   computation = ns · (MULT + ADD)                    ns = MACs·wd·ad (zero operands skipped)
//   DRAM        = z(Weights, wd) + z(Inputs, ad) + Outputs     — each datum crosses DRAM once (weights and
//                 activations read once, outputs written once); z as in EyerissEnergyModel (compressed, with
//                 an index of IndexBits per non-zero, never worse than dense)
//   SRAM        = 2·ns reads (weight + input operand from the cache for every non-skipped MAC; reported in the
//                 Buffer slot, Array is 0)
//   RF          = 2·ns (the accumulator read + write in a register per MAC)
// Costs scale linearly with the bit width relative to 32 bits. No tiling or cache-capacity effects: this is the
// "every operand comes from SRAM, every datum from DRAM once" lower-bound view, not a cache simulation.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.Energy;

/// <summary>45 nm CPU-like energy profile (pJ).</summary>
public sealed class Cpu45nmProfile : ILayerEnergyModel
{
    /// <summary>The 45 nm table: DRAM 640, SRAM 5, (no array), RF 1, MAC = float MULT 3.7 + float ADD 0.9, at 32 bits, in pJ.</summary>
    public static EnergyCosts Table { get; } = new(640, 5, 0, 1, 3.7 + 0.9, 32, "pJ");

    /// <summary>The profile with a 5-bit index per non-zero in DRAM.</summary>
    public static Cpu45nmProfile Default { get; } = new();

    /// <summary>Creates the profile.</summary>
    /// <param name="indexBits">Index bits stored with each non-zero in DRAM (≥ 0).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexBits"/> is negative.</exception>
    public Cpu45nmProfile(int indexBits = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(indexBits);
        IndexBits = indexBits;
    }

    /// <summary>Index bits per non-zero in DRAM.</summary>
    public int IndexBits { get; }

    /// <inheritdoc/>
    public string Name => "cpu45nm";

    /// <inheritdoc/>
    public EnergyCosts Costs => Table;

    /// <inheritdoc/>
    public LayerEnergy Estimate(LayerShape layer, double weightDensity, double inputDensity, int bits)
    {
        ArgumentNullException.ThrowIfNull(layer);
        EnergyGuard.Density(weightDensity, nameof(weightDensity));
        EnergyGuard.Density(inputDensity, nameof(inputDensity));
        EnergyGuard.Bits(bits);
        double ns = layer.Macs * weightDensity * inputDensity;
        var accesses = new LevelAccesses(
            Dram: new DataAccesses(EnergyGuard.Compressed(layer.Inputs, inputDensity, IndexBits, bits),
                EnergyGuard.Compressed(layer.Weights, weightDensity, IndexBits, bits), layer.Outputs),
            Buffer: new DataAccesses(ns, ns, 0),
            Array: default,
            Rf: new DataAccesses(0, 0, 2 * ns));
        var energy = EnergyBreakdown.Of(accesses, ns, Table, Table.Scale(bits));
        return new LayerEnergy(layer, weightDensity, inputDensity, bits, layer.Macs, ns, accesses, energy, null);
    }
}
