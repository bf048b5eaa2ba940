// KMeansResult: the outcome of KMeans1D.Fit. Invariants: Centroids strictly ascending, length EffectiveK;
// every Assignments[i] in [0, EffectiveK) names the nearest centroid of value i (ties to the lower one);
// Counts[j] >= 1 for every j — no cluster is ever empty.
namespace Topiary.Compression.Quantization;

/// <summary>Result of a 1-D k-means clustering.</summary>
/// <param name="Centroids">Cluster centres, strictly ascending; length <paramref name="EffectiveK"/>.</param>
/// <param name="Assignments">Cluster index of every input value, in input order.</param>
/// <param name="Counts">Members per cluster; every entry is at least 1.</param>
/// <param name="RequestedK">The k asked for.</param>
/// <param name="EffectiveK">Clusters produced: <c>min(RequestedK, distinct values)</c> (0 for no data).</param>
/// <param name="Iterations">Lloyd iterations run (0 when every distinct value became its own centroid).</param>
/// <param name="Converged">True when the assignment stopped changing or the largest centroid move fell within the tolerance.</param>
/// <param name="Reseeded">Times an emptied cluster was re-seeded by splitting the cluster with the largest squared error at its median.</param>
/// <param name="Inertia">Sum of squared distances from each value to its centroid.</param>
public sealed record KMeansResult(
    float[] Centroids, int[] Assignments, int[] Counts, int RequestedK, int EffectiveK, int Iterations, bool Converged,
    int Reseeded, double Inertia)
{
    /// <summary>True when fewer clusters than requested were produced because the data has fewer distinct values.</summary>
    public bool ReducedK => EffectiveK < RequestedK;
}
