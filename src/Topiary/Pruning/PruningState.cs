// PruningState: counting what pruning left (per layer and total) and making pruning permanent.
// Compression rate = all weights-and-biases / non-zero weights-and-biases (Han et al. count every
// parameter: LeNet-300-100 267K → 22K is "12x").
using Topiary.Nn;

namespace Topiary.Pruning;

/// <summary>Kept weights of one layer.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Kind">Conv or FC.</param>
/// <param name="Weights">Weight count.</param>
/// <param name="Kept">Non-zero weights.</param>
public sealed record LayerDensity(string Name, LayerKind Kind, long Weights, long Kept)
{
    /// <summary>Kept / Weights.</summary>
    public double KeptFraction => Weights == 0 ? 1 : (double)Kept / Weights;
}

/// <summary>Inspection and finalisation of pruned models.</summary>
public static class PruningState
{
    /// <summary>Non-zero weights per prunable layer.</summary>
    public static IReadOnlyList<LayerDensity> Densities(Module model) =>
        PrunableLayer.Find(model).Select(l => new LayerDensity(l.Name, l.Kind, l.Weight.Length, CountNonZero(l.Weight.Value.Data))).ToArray();

    /// <summary>Non-zero parameters (weights and biases) of the model.</summary>
    public static long NonZeroParameters(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Parameters().Sum(p => CountNonZero(p.Value.Data));
    }

    /// <summary>Total parameters / non-zero parameters.</summary>
    public static double CompressionRate(Module model)
    {
        long nz = NonZeroParameters(model);
        return nz == 0 ? double.PositiveInfinity : (double)model.ParameterCount() / nz;
    }

    /// <summary>Drops every mask: the zeros stay in the values, pruning becomes permanent (PyTorch's <c>prune.remove</c>).</summary>
    public static void MakePermanent(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var p in model.Parameters())
        {
            p.ApplyMask();
            p.RemoveMask();
        }
    }

    private static long CountNonZero(float[] data)
    {
        long n = 0;
        foreach (float v in data) if (v != 0) n++;
        return n;
    }
}
