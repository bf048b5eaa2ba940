// NetworkCost: sums per-layer costs of a network with a per-layer format choice and compares them with an
// all-dense baseline (by default the same layers; for node pruning pass the original, unshrunk layers).
// Speedup = Σ baseline seconds / Σ seconds; size reduction = 1 − Σ weight bytes / Σ baseline weight bytes.
using Topiary.Runtime.Sparse;

namespace Topiary.Hardware;

/// <summary>A network's summed cost against its all-dense baseline on one platform.</summary>
/// <param name="Platform">Platform name.</param>
/// <param name="Layers">Per-layer costs in the chosen formats.</param>
/// <param name="Baseline">Per-layer costs of the all-dense baseline.</param>
/// <param name="Assumptions">The model's assumptions plus any network-level ones (e.g. SRAM placement).</param>
public sealed record NetworkCostResult(string Platform, IReadOnlyList<LayerCost> Layers, IReadOnlyList<LayerCost> Baseline,
    IReadOnlyList<string> Assumptions)
{
    /// <summary>Σ seconds of the chosen formats.</summary>
    public double Seconds => Layers.Sum(l => l.Seconds);

    /// <summary>Σ seconds of the dense baseline.</summary>
    public double BaselineSeconds => Baseline.Sum(l => l.Seconds);

    /// <summary>Σ weight bytes of the chosen formats.</summary>
    public long WeightBytes => Layers.Sum(l => l.WeightBytes);

    /// <summary>Σ weight bytes of the dense baseline.</summary>
    public long BaselineWeightBytes => Baseline.Sum(l => l.WeightBytes);

    /// <summary>BaselineSeconds / Seconds (&gt; 1 = faster than dense).</summary>
    public double Speedup => BaselineSeconds / Seconds;

    /// <summary>1 − WeightBytes / BaselineWeightBytes (0.88 = 88% smaller; negative = larger than dense).</summary>
    public double SizeReduction => 1 - (double)WeightBytes / BaselineWeightBytes;
}

/// <summary>Sums per-layer costs and compares with the dense network.</summary>
public static class NetworkCost
{
    /// <summary>
    /// Costs <paramref name="layers"/>[i] in <paramref name="formats"/>[i] with <paramref name="model"/>, and every
    /// layer of <paramref name="baseline"/> (default: <paramref name="layers"/>) as Dense with
    /// <paramref name="baselineModel"/> (default: <paramref name="model"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The lists are empty or differ in length; a format is not covered by the model.</exception>
    public static NetworkCostResult Evaluate(ILayerCostModel model, IReadOnlyList<LayerWorkload> layers, IReadOnlyList<SparseFormat> formats,
        IReadOnlyList<LayerWorkload>? baseline = null, ILayerCostModel? baselineModel = null, IEnumerable<string>? extraAssumptions = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(formats);
        if (layers.Count == 0) throw new ArgumentException("The network has no layers.", nameof(layers));
        if (layers.Count != formats.Count)
            throw new ArgumentException($"{formats.Count} formats for {layers.Count} layers.", nameof(formats));
        baseline ??= layers;
        if (baseline.Count == 0) throw new ArgumentException("The baseline has no layers.", nameof(baseline));
        baselineModel ??= model;
        var costs = new LayerCost[layers.Count];
        for (int i = 0; i < layers.Count; i++) costs[i] = model.Cost(layers[i], formats[i]);
        var dense = new LayerCost[baseline.Count];
        for (int i = 0; i < baseline.Count; i++) dense[i] = baselineModel.Cost(baseline[i], SparseFormat.Dense);
        var assumptions = new List<string>(model.Assumptions);
        if (extraAssumptions is not null) assumptions.AddRange(extraAssumptions);
        return new NetworkCostResult(model.Platform, costs, dense, assumptions);
    }
}
