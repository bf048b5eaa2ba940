// EnergyCosts: energy of one access at each memory level and of one MAC, for data of ReferenceBits bits.
// Yang, Chen, Sze (CVPR 2017) normalise to one 16-bit MAC: DRAM 200, global buffer 6, inter-PE array 2,
// register file 1, MAC 1. Costs are assumed to scale LINEARLY with bit width relative to ReferenceBits
// (an access moves bits/ReferenceBits times the data; a MAC is charged the same way — a simplification:
// real multipliers grow faster than linearly).
namespace Topiary.Hardware.Energy;

/// <summary>Per-access and per-MAC energy at a reference bit width.</summary>
/// <param name="Dram">One DRAM access.</param>
/// <param name="Buffer">One global-buffer (on-chip SRAM) access.</param>
/// <param name="Array">One inter-PE (array network) transfer.</param>
/// <param name="Rf">One register-file access.</param>
/// <param name="Mac">One multiply-accumulate.</param>
/// <param name="ReferenceBits">Bit width the costs are given for.</param>
/// <param name="Unit">Unit of the costs (e.g. "normalised (16-bit MAC = 1)" or "pJ").</param>
public sealed record EnergyCosts(double Dram, double Buffer, double Array, double Rf, double Mac, int ReferenceBits, string Unit)
{
    /// <summary>Yang et al. 2017 normalised costs: DRAM 200, buffer 6, array 2, RF 1, MAC 1 at 16 bits.</summary>
    public static EnergyCosts Eyeriss { get; } = new(200, 6, 2, 1, 1, 16, "normalised (one 16-bit MAC = 1)");

    /// <summary>Factor applied to every cost for data of <paramref name="bits"/> bits: bits / ReferenceBits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is outside [1, 32].</exception>
    public double Scale(int bits)
    {
        EnergyGuard.Bits(bits);
        return (double)bits / ReferenceBits;
    }
}
