// EnergyReport: what `topiary energy --json` writes — the estimated inference energy of one image through a network on
// the chosen energy model (Eyeriss-like row-stationary accelerator or the 45 nm CPU view), per layer and in total, with
// the densities and assumptions the estimate rests on. An estimate from our energy model, not a measurement. Every
// energy is in the report's Unit; access counts are values of the data width (not bytes).
using Topiary.Hardware.Energy;

namespace Topiary.Cli.Reports;

/// <summary>The <c>energy</c> command's JSON report.</summary>
/// <param name="Model">The network's name.</param>
/// <param name="Profile">The energy model: <c>eyeriss</c> or <c>cpu45nm</c>.</param>
/// <param name="Unit">Unit of every energy in the report: <c>normalised (one 16-bit MAC = 1)</c> (eyeriss) or <c>pJ</c> (cpu45nm).</param>
/// <param name="Bits">Data bit width (costs scale linearly with it).</param>
/// <param name="Batch">Eyeriss: images sharing one fetch of the weights; absent for cpu45nm.</param>
/// <param name="WeightDensities">Where the weight densities came from (e.g. <c>model weights</c>, <c>han2015 (…)</c>, <c>dense</c>).</param>
/// <param name="InputDensities">Where the input-activation densities came from (published table, measured on N images, assumed, given).</param>
/// <param name="Assumptions">The estimate's assumptions in words (as printed under the table).</param>
/// <param name="TotalEnergy">Energy of one inference, all layers (= <c>totals.total</c>).</param>
/// <param name="Totals">Σ of the layers' breakdowns.</param>
/// <param name="Macs">Σ dense multiply-accumulates.</param>
/// <param name="NonskippedMacs">Σ MACs whose weight and input are both non-zero (expected value, so fractional).</param>
/// <param name="Layers">One entry per weight layer (conv, fc), in order; pooling, LRN and ReLU are not charged.</param>
public sealed record EnergyReport(
    string Model,
    string Profile,
    string Unit,
    int Bits,
    int? Batch,
    string WeightDensities,
    string InputDensities,
    IReadOnlyList<string> Assumptions,
    double TotalEnergy,
    EnergyParts Totals,
    long Macs,
    double NonskippedMacs,
    IReadOnlyList<EnergyLayerReport> Layers)
{
    /// <summary>The report of <paramref name="energy"/>.</summary>
    public static EnergyReport Of(NetworkEnergy energy, int? batch, string weightDensities, string inputDensities, IReadOnlyList<string> assumptions)
    {
        ArgumentNullException.ThrowIfNull(energy);
        return new(energy.Network, energy.Profile, energy.Unit, energy.Bits, batch, weightDensities, inputDensities, assumptions,
            energy.Total.Total, EnergyParts.Of(energy.Total), energy.Macs, energy.NonSkippedMacs,
            energy.Layers.Select(EnergyLayerReport.Of).ToArray());
    }
}

/// <summary>One weight layer of an <see cref="EnergyReport"/>.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Kind"><c>conv</c> or <c>fc</c>.</param>
/// <param name="Energy">The layer's energy per inference (= <c>breakdown.total</c>).</param>
/// <param name="Breakdown">The layer's energy by where it is spent.</param>
/// <param name="WeightDensity">Fraction of non-zero weights (0..1).</param>
/// <param name="InputDensity">Fraction of non-zero input activations (0..1).</param>
/// <param name="Weights">Weights of the layer (without bias).</param>
/// <param name="NonzeroWeights">Expected non-zero weights: weights × weight density.</param>
/// <param name="Macs">Dense multiply-accumulates.</param>
/// <param name="NonskippedMacs">MACs whose weight and input are both non-zero: MACs × weight density × input density.</param>
/// <param name="Accesses">Data accesses per storage level and data type.</param>
/// <param name="Mapping">Eyeriss: how the row-stationary model mapped the layer (per group); absent for cpu45nm.</param>
public sealed record EnergyLayerReport(
    string Name,
    string Kind,
    double Energy,
    EnergyParts Breakdown,
    double WeightDensity,
    double InputDensity,
    long Weights,
    double NonzeroWeights,
    long Macs,
    double NonskippedMacs,
    EnergyAccessReport Accesses,
    RowStationaryMapping? Mapping)
{
    /// <summary>The report of <paramref name="layer"/>.</summary>
    public static EnergyLayerReport Of(LayerEnergy layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var a = layer.Accesses;
        return new(layer.Layer.Name, layer.Layer.Kind == Models.Shapes.LayerKind.Conv ? "conv" : "fc", layer.Energy.Total,
            EnergyParts.Of(layer.Energy), layer.WeightDensity, layer.InputDensity, layer.Layer.Weights, layer.NonzeroWeights,
            layer.Macs, layer.NonSkippedMacs,
            new EnergyAccessReport(AccessCounts.Of(a.Dram), AccessCounts.Of(a.Buffer), AccessCounts.Of(a.Array), AccessCounts.Of(a.Rf)),
            layer.Mapping);
    }
}

/// <summary>Energy by where it is spent, in the report's unit.</summary>
/// <param name="Computation">The non-skipped MACs.</param>
/// <param name="Dram">Off-chip DRAM accesses.</param>
/// <param name="Buffer">Global buffer (on-chip SRAM) accesses.</param>
/// <param name="Array">Transfers between processing elements.</param>
/// <param name="Rf">Register-file accesses.</param>
/// <param name="Total">Computation + data movement.</param>
public sealed record EnergyParts(double Computation, double Dram, double Buffer, double Array, double Rf, double Total)
{
    /// <summary>The parts of <paramref name="e"/>.</summary>
    public static EnergyParts Of(EnergyBreakdown e) => new(e.Computation, e.Dram, e.Buffer, e.Array, e.Rf, e.Total);
}

/// <summary>Data accesses of one layer per storage level (counts of values, not bytes).</summary>
/// <param name="Dram">Off-chip DRAM (compressed traffic counted in value equivalents).</param>
/// <param name="Buffer">Global buffer / on-chip SRAM.</param>
/// <param name="Array">Inter-PE network transfers.</param>
/// <param name="Rf">Register files.</param>
public sealed record EnergyAccessReport(AccessCounts Dram, AccessCounts Buffer, AccessCounts Array, AccessCounts Rf);

/// <summary>Accesses at one storage level by data type (expected counts, so fractional).</summary>
/// <param name="Inputs">Input-activation accesses.</param>
/// <param name="Weights">Weight accesses.</param>
/// <param name="Psums">Partial-sum (and final output) accesses.</param>
public sealed record AccessCounts(double Inputs, double Weights, double Psums)
{
    /// <summary>The counts of <paramref name="a"/>.</summary>
    public static AccessCounts Of(DataAccesses a) => new(a.Inputs, a.Weights, a.Psums);
}
