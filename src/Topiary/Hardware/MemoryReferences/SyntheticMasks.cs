// SyntheticMasks: seeded random sparsity patterns for structure studies on shape-only networks. Exactly
// round(density·n) units are kept, chosen uniformly without replacement (partial Fisher–Yates with
// new Random(seed)): for weights the unit is one weight (fine) or one vector W[m,k,r,:] (vector); for
// activations one input value a[c,y,x].
using Topiary.Models.Shapes;

namespace Topiary.Hardware.MemoryReferences;

/// <summary>Seeded synthetic weight and activation masks.</summary>
public static class SyntheticMasks
{
    /// <summary>A weight mask ([M, C/G, R, S] row-major) of the given pattern and density.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Density outside [0, 1].</exception>
    public static bool[] Weights(LayerShape layer, double density, SparseDataflow pattern, int seed)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int unit = pattern == SparseDataflow.Vector ? layer.S : 1;
        var units = Choose(checked((int)(layer.Weights / unit)), density, seed);
        var mask = new bool[layer.Weights];
        for (int u = 0; u < units.Length; u++)
            if (units[u]) mask.AsSpan(u * unit, unit).Fill(true);
        return mask;
    }

    /// <summary>An input activation mask ([C, H, W] row-major) of the given density.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Density outside [0, 1].</exception>
    public static bool[] Activations(LayerShape layer, double density, int seed)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return Choose(checked((int)layer.Inputs), density, seed);
    }

    private static bool[] Choose(int n, double density, int seed)
    {
        if (!(density >= 0 && density <= 1)) throw new ArgumentOutOfRangeException(nameof(density), density, "Density must be in [0, 1].");
        int keep = (int)Math.Round(density * n, MidpointRounding.AwayFromZero);
        var index = new int[n];
        for (int i = 0; i < n; i++) index[i] = i;
        var rng = new Random(seed);
        var mask = new bool[n];
        for (int i = 0; i < keep; i++)
        {
            int j = rng.Next(i, n);
            (index[i], index[j]) = (index[j], index[i]);
            mask[index[i]] = true;
        }
        return mask;
    }
}
