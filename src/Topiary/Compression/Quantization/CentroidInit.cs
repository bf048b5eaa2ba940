// CentroidInit: how KMeans1D places its initial centroids (Han, Mao, Dally 2016, §3.2 and Fig. 4).
// Linear spreads them evenly over [min, max] and keeps the large, rare weights representable — the
// paper's best; Density and Random follow the weight distribution and crowd the centroids near zero.
namespace Topiary.Compression.Quantization;

/// <summary>Initial centroid placement of <see cref="KMeans1D"/>.</summary>
public enum CentroidInit
{
    /// <summary>Evenly spaced between the minimum and the maximum value: <c>c_j = min + (max − min)·j/(k − 1)</c> (midpoint when k = 1). The paper's best.</summary>
    Linear,

    /// <summary>Evenly spaced on the empirical CDF: <c>c_j</c> = the value at quantile <c>(j + ½)/k</c>.</summary>
    Density,

    /// <summary>Forgy: k data points with pairwise distinct values, drawn uniformly (by point) from a seeded shuffle.</summary>
    Random,
}
