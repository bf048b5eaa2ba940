// FeatureMapSample: what the per-layer operations of energy-aware pruning work on. For one weight layer
// with K inputs per output (K = C·KH·KW for a convolution, in-features for a linear layer) and M filters:
//   X [Rows, K]  im2col'd inputs of the CURRENT model at sampled output positions (float, row-major);
//   Y [Rows, M]  the ORIGINAL (dense reference) layer's outputs at the same positions, without bias:
//                Y[r, m] = Σ_k W_ref[m, k]·X_ref[r, k] (double).
// A filter's output error is e_m(w) = ‖Y[:, m] − X·w‖². LayerSystem holds the normal-equation form.
namespace Topiary.Pruning.EnergyAware;

/// <summary>Sampled inputs X and original outputs Y of one layer.</summary>
/// <param name="layer">Layer name.</param>
/// <param name="x">Inputs [rows, k], row-major (not copied).</param>
/// <param name="y">Original outputs [rows, m], row-major (not copied).</param>
/// <param name="rows">Sampled output positions.</param>
/// <param name="k">Inputs per output.</param>
/// <param name="m">Filters.</param>
/// <remarks>Creating a sample throws <see cref="ArgumentException"/> when the sizes disagree or are not positive.</remarks>
public sealed class FeatureMapSample(string layer, float[] x, double[] y, int rows, int k, int m)
{
    /// <summary>Sampled output positions.</summary>
    public int Rows { get; } = Guard.AtLeast(rows, 1);

    /// <summary>Inputs per output (weights per filter).</summary>
    public int K { get; } = Guard.AtLeast(k, 1);

    /// <summary>Filters (output channels / features).</summary>
    public int M { get; } = Guard.AtLeast(m, 1);

    /// <summary>Inputs [Rows, K], row-major.</summary>
    public float[] X { get; } = Guard.NotNull(x).Length == (long)rows * k ? x
        : throw new ArgumentException($"X holds {x.Length} values; expected {rows}x{k}.", nameof(x));

    /// <summary>Original outputs [Rows, M], row-major, without bias.</summary>
    public double[] Y { get; } = Guard.NotNull(y).Length == (long)rows * m ? y
        : throw new ArgumentException($"Y holds {y.Length} values; expected {rows}x{m}.", nameof(y));

    /// <summary>Layer name.</summary>
    public string Layer { get; } = layer;

    /// <summary>
    /// Σ_m ‖Y[:, m] − X·w_m‖² computed directly from X and Y, for <paramref name="weights"/> [M, K] row-major
    /// (a test oracle for <see cref="LayerSystem.Error(ReadOnlySpan{float})"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="weights"/> is not M·K long.</exception>
    public double Error(ReadOnlySpan<float> weights)
    {
        if (weights.Length != (long)M * K) throw new ArgumentException($"Need {M}x{K} weights; got {weights.Length}.", nameof(weights));
        double sum = 0;
        for (int r = 0; r < Rows; r++)
        {
            var x = X.AsSpan(r * K, K);
            for (int m = 0; m < M; m++)
            {
                double p = 0;
                var w = weights.Slice(m * K, K);
                for (int k = 0; k < K; k++) p += (double)w[k] * x[k];
                double d = Y[r * M + m] - p;
                sum += d * d;
            }
        }
        return sum;
    }
}
