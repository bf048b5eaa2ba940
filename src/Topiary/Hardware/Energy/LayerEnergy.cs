// LayerEnergy and its parts: the auditable result of an energy model for one layer — access counts per
// memory level per data type, MACs, non-skipped MACs, and energy per level. Counts are expected values
// (doubles): compressed traffic and skipped MACs scale with densities.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.Energy;

/// <summary>Accesses at one level, per data type.</summary>
/// <param name="Inputs">Input-activation accesses.</param>
/// <param name="Weights">Weight accesses.</param>
/// <param name="Psums">Partial-sum (and final output) accesses.</param>
public readonly record struct DataAccesses(double Inputs, double Weights, double Psums)
{
    /// <summary>Inputs + Weights + Psums.</summary>
    public double Total => Inputs + Weights + Psums;

    /// <summary>Every count multiplied by <paramref name="factor"/>.</summary>
    public DataAccesses Times(double factor) => new(Inputs * factor, Weights * factor, Psums * factor);
}

/// <summary>Accesses at every level of the hierarchy.</summary>
/// <param name="Dram">Off-chip DRAM (values of the data width; compressed traffic counts value equivalents).</param>
/// <param name="Buffer">Global buffer / on-chip SRAM.</param>
/// <param name="Array">Inter-PE network transfers.</param>
/// <param name="Rf">Register-file accesses.</param>
public readonly record struct LevelAccesses(DataAccesses Dram, DataAccesses Buffer, DataAccesses Array, DataAccesses Rf);

/// <summary>Energy split into computation and data movement per level.</summary>
/// <param name="Computation">Non-skipped MACs × MAC cost.</param>
/// <param name="Dram">DRAM accesses × DRAM cost.</param>
/// <param name="Buffer">Buffer accesses × buffer cost.</param>
/// <param name="Array">Array transfers × array cost.</param>
/// <param name="Rf">RF accesses × RF cost.</param>
public readonly record struct EnergyBreakdown(double Computation, double Dram, double Buffer, double Array, double Rf)
{
    /// <summary>Computation + data movement.</summary>
    public double Total => Computation + DataMovement;

    /// <summary>Dram + Buffer + Array + Rf.</summary>
    public double DataMovement => Dram + Buffer + Array + Rf;

    /// <summary>Element-wise sum.</summary>
    public static EnergyBreakdown operator +(EnergyBreakdown a, EnergyBreakdown b) =>
        new(a.Computation + b.Computation, a.Dram + b.Dram, a.Buffer + b.Buffer, a.Array + b.Array, a.Rf + b.Rf);

    /// <summary>Energy of <paramref name="accesses"/> and <paramref name="nonSkippedMacs"/> at <paramref name="costs"/>
    /// scaled by <paramref name="scale"/> (bit width / reference bits).</summary>
    public static EnergyBreakdown Of(LevelAccesses accesses, double nonSkippedMacs, EnergyCosts costs, double scale)
    {
        ArgumentNullException.ThrowIfNull(costs);
        return new(nonSkippedMacs * costs.Mac * scale, accesses.Dram.Total * costs.Dram * scale,
            accesses.Buffer.Total * costs.Buffer * scale, accesses.Array.Total * costs.Array * scale, accesses.Rf.Total * costs.Rf * scale);
    }
}

/// <summary>How the row-stationary model mapped a layer (per group), for auditing the counts.</summary>
/// <param name="FiltersPerPe">p: filter rows one PE keeps in its RF.</param>
/// <param name="FiltersInFlight">Filters the array processes at once (p × PE sets side by side, ≤ M/G).</param>
/// <param name="FilterSubPasses">⌈(M/G) / FiltersInFlight⌉: times each input is sent from the buffer.</param>
/// <param name="OutputRowsPerBand">e_t: output rows per buffer tile (E when the layer fits).</param>
/// <param name="RowBands">⌈E / e_t⌉: tiling passes; weights are fetched from DRAM once per band.</param>
/// <param name="ChainsPerOutput">Vertical accumulation chains per output value (each ends in a buffer update).</param>
/// <param name="InputDramPasses">Times each band's inputs are fetched from DRAM: 1 when the band of all channels stays
/// in the buffer, FilterSubPasses when the channels must be streamed.</param>
public sealed record RowStationaryMapping(int FiltersPerPe, int FiltersInFlight, int FilterSubPasses, int OutputRowsPerBand,
    int RowBands, int ChainsPerOutput, int InputDramPasses);

/// <summary>Energy estimate of one layer.</summary>
/// <param name="Layer">The layer shape.</param>
/// <param name="WeightDensity">Fraction of non-zero weights.</param>
/// <param name="InputDensity">Fraction of non-zero input activations.</param>
/// <param name="Bits">Data bit width.</param>
/// <param name="Macs">Dense MACs (<see cref="LayerShape.Macs"/>).</param>
/// <param name="NonSkippedMacs">MACs whose weight and input are both non-zero: Macs·wd·ad (independence assumed).</param>
/// <param name="Accesses">Access counts per level and data type.</param>
/// <param name="Energy">Energy per level.</param>
/// <param name="Mapping">Row-stationary mapping details, or null for models without one.</param>
public sealed record LayerEnergy(LayerShape Layer, double WeightDensity, double InputDensity, int Bits, long Macs,
    double NonSkippedMacs, LevelAccesses Accesses, EnergyBreakdown Energy, RowStationaryMapping? Mapping)
{
    /// <summary>Expected non-zero weights: Weights · WeightDensity.</summary>
    public double NonzeroWeights => Layer.Weights * WeightDensity;
}
