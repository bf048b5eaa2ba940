// Yang2017Report: the data of `reproduce yang2017` — one row per network (original, magnitude-pruned,
// energy-aware-pruned) with test error, non-zero weights, MACs, non-skipped MACs and Eyeriss energy, a
// per-layer breakdown, the energy order, the energy-aware steps and the magnitude search trials.
using Topiary.Pruning.EnergyAware;

namespace Topiary.Experiments;

/// <summary>One network of the comparison.</summary>
/// <param name="Name">original, magnitude or energy-aware.</param>
/// <param name="TestError">Test error (fraction).</param>
/// <param name="Weights">Weights of the weight layers (without biases) of the deployed network (dead units removed).</param>
/// <param name="NonzeroWeights">Non-zero weights.</param>
/// <param name="Macs">Dense MACs per example of the deployed network.</param>
/// <param name="NonSkippedMacs">Σ layers MACs·weight density·measured input density.</param>
/// <param name="Energy">Eyeriss energy per example of the deployed network (normalised to one 16-bit MAC = 1).</param>
/// <param name="NormalizedEnergy">Energy / the original's.</param>
/// <param name="EnergyReduction">The original's energy / this energy.</param>
public sealed record Yang2017Row(string Name, double TestError, long Weights, long NonzeroWeights, long Macs, double NonSkippedMacs,
    double Energy, double NormalizedEnergy, double EnergyReduction);

/// <summary>One layer of one network.</summary>
/// <param name="Network">original, magnitude or energy-aware.</param>
/// <param name="Layer">Layer name.</param>
/// <param name="WeightDensity">Non-zero fraction of the weights.</param>
/// <param name="InputDensity">Measured non-zero fraction of the layer's input.</param>
/// <param name="NonSkippedMacs">MACs·weight density·input density.</param>
/// <param name="Energy">Total energy.</param>
/// <param name="Computation">MAC energy.</param>
/// <param name="Dram">DRAM energy.</param>
/// <param name="OnChip">Buffer + array + RF energy.</param>
public sealed record Yang2017Layer(string Network, string Layer, double WeightDensity, double InputDensity, double NonSkippedMacs,
    double Energy, double Computation, double Dram, double OnChip);

/// <summary>One trial of the magnitude-pruning search.</summary>
/// <param name="Density">Global weight density tried.</param>
/// <param name="TestError">Test error after pruning and retraining.</param>
/// <param name="Accepted">Within the accuracy target (kept as the new starting point).</param>
public sealed record MagnitudeTrial(double Density, double TestError, bool Accepted);

/// <summary>The reproduction's report.</summary>
/// <param name="Model">Zoo model.</param>
/// <param name="Dataset">Dataset.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Rows">original, magnitude, energy-aware.</param>
/// <param name="Layers">Per-layer breakdown of every row.</param>
/// <param name="EnergyOrder">Pruning order (highest estimated energy first).</param>
/// <param name="TargetError">The magnitude search's error bound: energy-aware test error + the match margin.</param>
/// <param name="ErrorGap">Magnitude test error − energy-aware test error (points as a fraction).</param>
/// <param name="EnergyAwareVsMagnitude">Magnitude energy / energy-aware energy (&gt; 1: energy-aware wins).</param>
/// <param name="EnergyAware">Energy-aware pruning details (steps per layer).</param>
/// <param name="MagnitudeTrials">The magnitude search.</param>
/// <param name="ReferenceSeconds">Reference training time.</param>
/// <param name="EnergyAwareSeconds">Energy-aware pruning + fine-tune time.</param>
/// <param name="MagnitudeSeconds">Magnitude search time.</param>
/// <param name="TotalSeconds">Whole run.</param>
/// <param name="AlexnetTable1">The energy model's calibration: Yang et al.'s AlexNet Table 1 beside our estimate (Yang2017Table1).</param>
public sealed record Yang2017Report(string Model, string Dataset, int Seed, IReadOnlyList<Yang2017Row> Rows, IReadOnlyList<Yang2017Layer> Layers,
    IReadOnlyList<string> EnergyOrder, double TargetError, double ErrorGap, double EnergyAwareVsMagnitude,
    IReadOnlyList<EnergyAwareLayer> EnergyAware, IReadOnlyList<MagnitudeTrial> MagnitudeTrials,
    double ReferenceSeconds, double EnergyAwareSeconds, double MagnitudeSeconds, double TotalSeconds,
    IReadOnlyList<Yang2017TableRow>? AlexnetTable1 = null);
