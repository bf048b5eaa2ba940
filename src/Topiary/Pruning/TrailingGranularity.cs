// TrailingGranularity: Mao et al. 2017's regular granularities, each a group of the trailing axes of
// the weight tensor. For a conv weight W[C, K, R, S] (filters, input channels, kernel rows, columns):
//   vector (1-D) = W[c, k, r, :]   (1 trailing axis)     kernel (2-D) = W[c, k, :, :]   (2 trailing axes)
// (fine-grained 0-D is ElementGranularity; filter 3-D is RowGranularity). For an FC weight W[O, I], a
// "vector" is a row segment of `FcSegment` consecutive inputs (the last segment may be shorter) and a
// "kernel" is a whole row (there is nothing between a segment and a row).
namespace Topiary.Pruning;

/// <summary>Groups of the trailing axes of a weight (Mao et al. 2017's vector and kernel granularities).</summary>
public sealed class TrailingGranularity : IGranularity
{
    private TrailingGranularity(string name, int axes, int fcSegment)
    {
        Name = name;
        TrailingAxes = axes;
        FcSegment = fcSegment;
    }

    /// <summary>Vector (1-D) granularity: W[c, k, r, :] for conv; row segments of <paramref name="fcSegment"/> inputs for FC.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fcSegment"/> is below 1.</exception>
    public static TrailingGranularity Vector(int fcSegment = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fcSegment, 1);
        return new TrailingGranularity("vector", 1, fcSegment);
    }

    /// <summary>Kernel (2-D) granularity: W[c, k, :, :] for conv; whole rows for FC.</summary>
    public static TrailingGranularity Kernel { get; } = new("kernel", 2, int.MaxValue);

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Trailing axes a conv group spans (1 = vector, 2 = kernel).</summary>
    public int TrailingAxes { get; }

    /// <summary>Inputs per group of an FC (rank-2) weight.</summary>
    public int FcSegment { get; }

    /// <inheritdoc/>
    public int[] Groups(ReadOnlySpan<int> weightShape, out int groupCount)
    {
        if (weightShape.Length < 2) throw new ArgumentException($"{Name} granularity needs a weight of rank 2 or more (got rank {weightShape.Length}).", nameof(weightShape));
        long total = 1;
        foreach (int d in weightShape) total *= d;
        var g = new int[total];
        if (weightShape.Length == 2)
        {
            int rows = weightShape[0], cols = weightShape[1];
            int segment = Math.Min(FcSegment, Math.Max(cols, 1));
            int perRow = (cols + segment - 1) / segment;
            groupCount = rows * perRow;
            for (int o = 0; o < rows; o++)
                for (int c = 0; c < cols; c++)
                    g[o * cols + c] = o * perRow + c / segment;
            return g;
        }
        int axes = Math.Min(TrailingAxes, weightShape.Length - 1);
        int size = 1;
        for (int i = weightShape.Length - axes; i < weightShape.Length; i++) size *= weightShape[i];
        groupCount = (int)(total / Math.Max(size, 1));
        for (int i = 0; i < g.Length; i++) g[i] = i / size;
        return g;
    }
}
