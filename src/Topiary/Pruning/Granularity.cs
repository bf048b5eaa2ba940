// Granularity: how weights are grouped for pruning; a method keeps or removes whole groups.
// A granularity maps every weight of a layer to a group index in [0, groupCount). Element
// granularity is Han et al.'s fine-grained pruning; Row removes whole output units (an FC neuron's
// incoming weights, or a conv filter W[c,:,:,:]). Later granularities (vector, kernel, SIMD group,
// block, N:M) implement the same interface.
namespace Topiary.Pruning;

/// <summary>Groups the weights of a layer.</summary>
public interface IGranularity
{
    /// <summary>Short name (<c>element</c>, <c>row</c>, ...).</summary>
    string Name { get; }

    /// <summary>The group of every weight of a tensor of shape <paramref name="weightShape"/> (row-major), and the group count.</summary>
    int[] Groups(ReadOnlySpan<int> weightShape, out int groupCount);
}

/// <summary>Every weight is its own group (fine-grained, "0-D").</summary>
public sealed class ElementGranularity : IGranularity
{
    /// <summary>The shared instance.</summary>
    public static ElementGranularity Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "element";

    /// <inheritdoc/>
    public int[] Groups(ReadOnlySpan<int> weightShape, out int groupCount)
    {
        long n = 1;
        foreach (int d in weightShape) n *= d;
        groupCount = (int)n;
        var g = new int[groupCount];
        for (int i = 0; i < g.Length; i++) g[i] = i;
        return g;
    }
}

/// <summary>One group per output unit: W[o, ...] (an FC neuron's incoming weights or a whole conv filter, "3-D").</summary>
public sealed class RowGranularity : IGranularity
{
    /// <summary>The shared instance.</summary>
    public static RowGranularity Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "row";

    /// <inheritdoc/>
    public int[] Groups(ReadOnlySpan<int> weightShape, out int groupCount)
    {
        if (weightShape.Length < 2) throw new ArgumentException("Row granularity needs a weight of rank 2 or more.", nameof(weightShape));
        groupCount = weightShape[0];
        int per = 1;
        for (int i = 1; i < weightShape.Length; i++) per *= weightShape[i];
        var g = new int[groupCount * per];
        for (int i = 0; i < g.Length; i++) g[i] = i / per;
        return g;
    }
}
