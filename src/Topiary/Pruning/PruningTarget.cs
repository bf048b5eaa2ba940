// PruningTarget: how much of a layer to remove, independent of granularity and criterion.
//   SparsityTarget(f):       remove the fraction f of the layer's groups (counting groups already pruned).
//   StdThresholdTarget(s,σ): keep groups scoring above s·σ (Han et al. 2015's quality parameter s; σ is
//                            the std of the layer's weights — given, e.g. fixed from the dense layer, or
//                            computed from the current surviving weights when null).
//   ThresholdTarget(t):      keep groups scoring above t.
namespace Topiary.Pruning;

/// <summary>How much of a layer a pruning step removes.</summary>
public abstract record PruningTarget;

/// <summary>Remove the fraction <c>Sparsity</c> ∈ [0, 1] of the layer's groups.</summary>
/// <remarks>Creating the target with a sparsity outside [0, 1] throws <see cref="ArgumentOutOfRangeException"/>.</remarks>
public sealed record SparsityTarget(double Sparsity) : PruningTarget
{
    /// <summary>Fraction of groups removed.</summary>
    public double Sparsity { get; } = Guard.Fraction(Sparsity, "Sparsity", "sparsity");
}

/// <summary>Keep groups whose score exceeds <c>S·σ</c> (Han et al. 2015).</summary>
public sealed record StdThresholdTarget : PruningTarget
{
    /// <exception cref="ArgumentOutOfRangeException">s negative or σ negative.</exception>
    public StdThresholdTarget(double s, double? sigma = null)
    {
        if (!(s >= 0) || double.IsInfinity(s)) throw new ArgumentOutOfRangeException(nameof(s), s, "The quality parameter s must be a finite, non-negative number.");
        if (sigma is double v && !(v >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be non-negative.");
        S = s;
        Sigma = sigma;
    }

    /// <summary>The quality parameter s.</summary>
    public double S { get; }

    /// <summary>σ to use (e.g. the dense layer's); null = std of the current surviving weights.</summary>
    public double? Sigma { get; }
}

/// <summary>Keep groups whose score exceeds <c>Threshold</c>.</summary>
public sealed record ThresholdTarget(double Threshold) : PruningTarget;
