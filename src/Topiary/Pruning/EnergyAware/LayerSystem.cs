// LayerSystem: the normal-equation form of a FeatureMapSample, shared by greedy restoration and the
// least-squares refit:  G = XᵀX [K, K],  C = XᵀY [K, M] (column m is c_m),  yy_m = ‖Y[:, m]‖².
// Then a filter's output error is the quadratic  e_m(w) = yy_m − 2·wᵀc_m + wᵀ·G·w,  and its gradient
// residual g = c_m − G·w = Xᵀ(y_m − X·w). Built in double; G costs Rows·K²/2 multiply-adds.
using System.Numerics;
using Topiary.Tensors;

namespace Topiary.Pruning.EnergyAware;

/// <summary>G = XᵀX, C = XᵀY and ‖y_m‖² of one layer's sample.</summary>
public sealed class LayerSystem
{
    private LayerSystem(FeatureMapSample sample)
    {
        int rows = sample.Rows, k = sample.K, m = sample.M;
        Layer = sample.Layer;
        K = k;
        M = m;
        // Column-major copies (one contiguous vector per input / per filter) make every entry one dot product.
        var xt = ColumnMajor(sample.X, rows, k);
        var yt = ColumnMajor(sample.Y, rows, m);
        var gram = Gram = new double[(long)k * k];
        Threading.For(0, k, i =>
        {
            var xi = xt.AsSpan(i * rows, rows);
            for (int j = 0; j <= i; j++)
            {
                double v = TensorPrimitives.Dot<double>(xi, xt.AsSpan(j * rows, rows));
                gram[(long)i * k + j] = v;
                gram[(long)j * k + i] = v;
            }
        });
        var cross = Cross = new double[(long)m * k];
        var yy = YNorms = new double[m];
        Threading.For(0, m, f =>
        {
            var y = yt.AsSpan(f * rows, rows);
            yy[f] = TensorPrimitives.Dot<double>(y, y);
            for (int j = 0; j < k; j++) cross[(long)f * k + j] = TensorPrimitives.Dot<double>(y, xt.AsSpan(j * rows, rows));
        });
    }

    /// <summary>Layer name.</summary>
    public string Layer { get; }

    /// <summary>Weights per filter.</summary>
    public int K { get; }

    /// <summary>Filters.</summary>
    public int M { get; }

    /// <summary>G = XᵀX [K, K], row-major (symmetric, both triangles filled).</summary>
    public double[] Gram { get; }

    /// <summary>C = XᵀY stored per filter: [M, K], row m = c_m = Xᵀ·Y[:, m].</summary>
    public double[] Cross { get; }

    /// <summary>yy_m = ‖Y[:, m]‖².</summary>
    public double[] YNorms { get; }

    /// <summary>Builds the system of <paramref name="sample"/>.</summary>
    public static LayerSystem From(FeatureMapSample sample) => new(Guard.NotNull(sample));

    /// <summary>The [rows, cols] row-major <paramref name="matrix"/> as [cols, rows] row-major, in double.</summary>
    private static double[] ColumnMajor<T>(T[] matrix, int rows, int cols) where T : INumberBase<T>
    {
        var t = new double[(long)cols * rows];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) t[(long)j * rows + r] = double.CreateTruncating(matrix[(long)r * cols + j]);
        return t;
    }

    /// <summary>e_m(w) = yy_m − 2·wᵀc_m + wᵀGw for one filter's weights <paramref name="w"/> (length K).</summary>
    /// <exception cref="ArgumentException"><paramref name="w"/> is not K long.</exception>
    public double FilterError(int filter, ReadOnlySpan<float> w)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(filter);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(filter, M);
        if (w.Length != K) throw new ArgumentException($"Need {K} weights; got {w.Length}.", nameof(w));
        var c = Cross.AsSpan(filter * K, K);
        double lin = 0, quad = 0;
        for (int i = 0; i < K; i++)
        {
            if (w[i] == 0) continue;
            double wi = w[i];
            lin += wi * c[i];
            var gi = Gram.AsSpan(i * K, K);
            double row = 0;
            for (int j = 0; j < K; j++) if (w[j] != 0) row += gi[j] * w[j];
            quad += wi * row;
        }
        return Math.Max(0, YNorms[filter] - 2 * lin + quad);
    }

    /// <summary>Σ_m e_m over all filters of <paramref name="weights"/> [M, K] row-major.</summary>
    /// <exception cref="ArgumentException"><paramref name="weights"/> is not M·K long.</exception>
    public double Error(ReadOnlySpan<float> weights)
    {
        if (weights.Length != (long)M * K) throw new ArgumentException($"Need {M}x{K} weights; got {weights.Length}.", nameof(weights));
        double sum = 0;
        for (int f = 0; f < M; f++) sum += FilterError(f, weights.Slice(f * K, K));
        return sum;
    }
}
