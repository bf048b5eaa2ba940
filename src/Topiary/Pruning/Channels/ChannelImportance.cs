// ChannelImportance: one score per channel of every group, summed over all of the channel's coupled slices.
//   L1        Σ |w| over its weight slices (producer rows, consumer inputs, depthwise filters)   (Li et al. 2017)
//   L2        √(Σ w²) over the same slices
//   BnScale   Σ |γ| of its BatchNorm entries (network slimming, Liu et al. 2017; 0 for a group without BatchNorm)
//   Taylor    Σ |w·∂L/∂w| over every parameter slice, averaged over the batches given (Molchanov et al. 2017/2019)
//   Random    uniform in [0, 1) from a seed (the baseline every criterion must beat)
// Global ranking compares groups of different sizes and depths through normalised scores: each score divided by the
// mean score of its group (Torch-Pruning's "mean" normaliser); a group whose scores are all zero keeps them at zero.
using Topiary.Nn;

namespace Topiary.Pruning.Channels;

/// <summary>How channels are ranked.</summary>
public enum ChannelCriterion
{
    /// <summary>Sum of |w| over the channel's weight slices.</summary>
    L1,

    /// <summary>Euclidean norm of the channel's weight slices.</summary>
    L2,

    /// <summary>Sum of |γ| over the channel's BatchNorm entries.</summary>
    BnScale,

    /// <summary>First-order Taylor: Σ |w·∂L/∂w| over every slice, averaged over batches.</summary>
    Taylor,

    /// <summary>Seeded uniform random scores (baseline).</summary>
    Random,
}

/// <summary>Scores channels by a criterion.</summary>
public static class ChannelImportance
{
    /// <summary>Per group (in <see cref="ChannelDependencies.Groups"/> order), one score per channel.</summary>
    /// <param name="deps">The analysis.</param>
    /// <param name="criterion">The criterion.</param>
    /// <param name="seed">Seed of <see cref="ChannelCriterion.Random"/>.</param>
    /// <param name="taylor">Accumulated |w·g| (required for <see cref="ChannelCriterion.Taylor"/>).</param>
    /// <exception cref="ArgumentException">Taylor without accumulated batches.</exception>
    public static double[][] Compute(ChannelDependencies deps, ChannelCriterion criterion, int seed = 0, TaylorAccumulator? taylor = null)
    {
        ArgumentNullException.ThrowIfNull(deps);
        if (criterion == ChannelCriterion.Taylor && (taylor is null || taylor.Batches == 0))
            throw new ArgumentException("The Taylor criterion needs gradients: accumulate at least one batch (TaylorAccumulator) first.", nameof(taylor));
        var rng = new Random(seed);
        return deps.Groups.Select(g => g.Slices.Select(slices => criterion switch
        {
            ChannelCriterion.L1 => Sum(slices, s => s.Role == SliceRole.Weight, Math.Abs),
            ChannelCriterion.L2 => Math.Sqrt(Sum(slices, s => s.Role == SliceRole.Weight, v => v * v)),
            ChannelCriterion.BnScale => Sum(slices, s => s.Role == SliceRole.NormScale, Math.Abs),
            ChannelCriterion.Taylor => taylor!.Score(slices),
            ChannelCriterion.Random => rng.NextDouble(),
            _ => throw new ArgumentOutOfRangeException(nameof(criterion), criterion, "Unknown criterion."),
        }).ToArray()).ToArray();
    }

    /// <summary>Scores divided by their group's mean (groups of zeros stay zero).</summary>
    public static double[][] Normalise(double[][] scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return scores.Select(g =>
        {
            double mean = g.Length == 0 ? 0 : g.Average();
            return mean > 0 ? g.Select(v => v / mean).ToArray() : (double[])g.Clone();
        }).ToArray();
    }

    private static double Sum(IReadOnlyList<ChannelSlice> slices, Func<ChannelSlice, bool> which, Func<double, double> f)
    {
        double sum = 0;
        foreach (var slice in slices)
        {
            if (!which(slice)) continue;
            var data = slice.Parameter.Value.Data;
            slice.ForEachIndex(i => sum += f(data[i]));
        }
        return sum;
    }
}

/// <summary>Accumulates |w·∂L/∂w| per parameter element over batches for the Taylor criterion.</summary>
public sealed class TaylorAccumulator
{
    private readonly Dictionary<Parameter, double[]> _sums = new(ReferenceEqualityComparer.Instance);

    /// <summary>Batches accumulated.</summary>
    public int Batches { get; private set; }

    /// <summary>Adds |w·g| of every parameter of <paramref name="model"/> (call after Backward, before the optimizer step).</summary>
    public void Accumulate(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var p in model.Parameters())
        {
            if (!_sums.TryGetValue(p, out var sum) || sum.Length != p.Length) _sums[p] = sum = new double[p.Length];
            var w = p.Value.Data;
            var g = p.Grad.Data;
            for (int i = 0; i < sum.Length; i++) sum[i] += Math.Abs((double)w[i] * g[i]);
        }
        Batches++;
    }

    internal double Score(IReadOnlyList<ChannelSlice> slices)
    {
        double total = 0;
        foreach (var slice in slices)
        {
            if (!_sums.TryGetValue(slice.Parameter, out var sum) || sum.Length != slice.Parameter.Length) continue;
            slice.ForEachIndex(i => total += sum[i]);
        }
        return total / Batches;
    }
}
