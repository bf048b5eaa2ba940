// SimdGroupGranularity: Scalpel's SIMD-aware groups (Yu et al., ISCA 2017). Each weight row — an FC
// neuron's incoming weights W[o, :], or a conv filter flattened to W[o, c·kh·kw] — is cut into aligned
// groups of `Width` consecutive weights: group (o, j) covers columns [j·Width, j·Width + Width) of row o.
// A row whose length is not a multiple of Width ends with a shorter group. Groups never cross rows, so a
// kept group is exactly what one SIMD load of the input at column j·Width multiplies (one index per group
// in the SIMD-group CSR format, Runtime/Sparse).
//   groups per row = ceil(cols / Width);  group of weight (o, c) = o·ceil(cols / Width) + c / Width.
namespace Topiary.Pruning;

/// <summary>Aligned groups of <see cref="Width"/> consecutive weights along each output row (Scalpel's SIMD-aware pruning).</summary>
public sealed class SimdGroupGranularity : IGranularity
{
    /// <summary>Creates the granularity for a SIMD width (lanes per group).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below 1.</exception>
    public SimdGroupGranularity(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Width = width;
    }

    /// <summary>Weights per group (2 for a Cortex-M4's 16-bit dual MAC, 8 for AVX float, 16 for AVX-512 float).</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public string Name => $"simd{Width}";

    /// <inheritdoc/>
    public int[] Groups(ReadOnlySpan<int> weightShape, out int groupCount)
    {
        if (weightShape.Length < 2) throw new ArgumentException($"SIMD-group granularity needs a weight of rank 2 or more (got rank {weightShape.Length}).", nameof(weightShape));
        int rows = weightShape[0];
        int cols = 1;
        for (int i = 1; i < weightShape.Length; i++) cols *= weightShape[i];
        int perRow = (cols + Width - 1) / Width;
        groupCount = rows * perRow;
        var g = new int[rows * cols];
        for (int o = 0; o < rows; o++)
            for (int c = 0; c < cols; c++)
                g[o * cols + c] = o * perRow + c / Width;
        return g;
    }
}
