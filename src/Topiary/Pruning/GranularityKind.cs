// GranularityKind: the granularities a user can name (recipes, flags), and the one mapping from a name to its
// IGranularity: element; row and filter (whole rows / filters); kernel; vector (Mao et al.'s 1-D kernel rows, FC
// rows in segments of 4); simd (aligned groups of the host's float lanes, Scalpel) and simd2..simd16.
using Topiary.Runtime.Sparse;

namespace Topiary.Pruning;

/// <summary>Pruning granularities by name (kebab-case: element, row, filter, kernel, vector, simd, simd2 … simd16).</summary>
public enum GranularityKind
{
    /// <summary>Single weights (<c>element</c>).</summary>
    Element,
    /// <summary>Rows of a weight matrix / output neurons (<c>row</c>).</summary>
    Row,
    /// <summary>Whole convolution filters (<c>filter</c>; the same groups as row).</summary>
    Filter,
    /// <summary>2-D kernels (<c>kernel</c>).</summary>
    Kernel,
    /// <summary>1-D kernel vectors (<c>vector</c>).</summary>
    Vector,
    /// <summary>Aligned groups of the host's float SIMD width (Scalpel; <c>simd</c>).</summary>
    Simd,
    /// <summary>Aligned groups of 2 weights (<c>simd2</c>).</summary>
    Simd2,
    /// <summary>Aligned groups of 4 weights (<c>simd4</c>).</summary>
    Simd4,
    /// <summary>Aligned groups of 8 weights (<c>simd8</c>).</summary>
    Simd8,
    /// <summary>Aligned groups of 16 weights (<c>simd16</c>).</summary>
    Simd16,
}

/// <summary>The granularity of a <see cref="GranularityKind"/>.</summary>
public static class Granularities
{
    /// <summary>The grouping <paramref name="kind"/> names.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An undefined value.</exception>
    public static IGranularity Of(GranularityKind kind) => kind switch
    {
        GranularityKind.Element => ElementGranularity.Instance,
        GranularityKind.Row or GranularityKind.Filter => RowGranularity.Instance,
        GranularityKind.Kernel => TrailingGranularity.Kernel,
        GranularityKind.Vector => TrailingGranularity.Vector(),
        GranularityKind.Simd => new SimdGroupGranularity(SparseWeightOptions.HostLanes),
        GranularityKind.Simd2 => new SimdGroupGranularity(2),
        GranularityKind.Simd4 => new SimdGroupGranularity(4),
        GranularityKind.Simd8 => new SimdGroupGranularity(8),
        GranularityKind.Simd16 => new SimdGroupGranularity(16),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown granularity."),
    };
}
