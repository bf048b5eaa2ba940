// CortexM4LayerEstimate: the auditable breakdown of one layer's Cortex-M4 cycle estimate — cycles per term
// (loads, MACs, index decode, loop control, per-output work, im2col, flash stalls), their total, the time at
// the clock, the weight bytes of the format, the activation bytes the layer needs in SRAM, and the formula
// with the numbers substituted. Total = sum of the terms.
using Topiary.Runtime.Sparse;

namespace Topiary.Hardware;

/// <summary>Cycle breakdown of one layer on the Cortex-M4 model (per example).</summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Format">Storage format.</param>
/// <param name="LoadCycles">Weight, index and activation loads.</param>
/// <param name="MacCycles">SMLAD/MLA instructions.</param>
/// <param name="IndexDecodeCycles">Index arithmetic and address-dependency stalls (relative indices).</param>
/// <param name="LoopCycles">Loop counter updates and taken branches.</param>
/// <param name="OutputCycles">Per-output work (bias, requantise, store) and sparse row setup.</param>
/// <param name="Im2ColCycles">Copying conv input patches into a contiguous buffer (0 for FC).</param>
/// <param name="FlashStallCycles">Flash wait states when the weights do not fit in SRAM (else 0).</param>
/// <param name="WeightBytes">Weight storage in this format.</param>
/// <param name="ActivationBytes">Input + output (+ im2col buffer) activations, 16-bit.</param>
/// <param name="ClockHz">Clock used for <see cref="Seconds"/>.</param>
/// <param name="Formula">The per-term formulas with the numbers substituted.</param>
public sealed record CortexM4LayerEstimate(string Layer, SparseFormat Format, double LoadCycles, double MacCycles,
    double IndexDecodeCycles, double LoopCycles, double OutputCycles, double Im2ColCycles, double FlashStallCycles,
    long WeightBytes, long ActivationBytes, double ClockHz, string Formula)
{
    /// <summary>Sum of all terms.</summary>
    public double TotalCycles => LoadCycles + MacCycles + IndexDecodeCycles + LoopCycles + OutputCycles + Im2ColCycles + FlashStallCycles;

    /// <summary>TotalCycles / ClockHz.</summary>
    public double Seconds => TotalCycles / ClockHz;

    /// <summary>Whether this layer alone (weights + activations) fits in <paramref name="sramBytes"/>.</summary>
    public bool FitsInSram(long sramBytes) => WeightBytes + ActivationBytes <= sramBytes;
}
