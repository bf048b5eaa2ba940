// PrunableLayer: a weight layer a pruning method may write masks to — every Linear and Conv2d of a
// model, in module order, named by its dotted module path (fc1, conv2, features.0, ...).
using Topiary.Nn;

namespace Topiary.Pruning;

/// <summary>Kind of a prunable layer (Han et al. treat convolutional and fully connected layers differently).</summary>
public enum LayerKind
{
    /// <summary>Conv2d.</summary>
    Conv,
    /// <summary>Linear (fully connected).</summary>
    Fc,
}

/// <summary>A layer whose weight can be pruned.</summary>
/// <param name="Name">Dotted module name, e.g. <c>fc1</c>.</param>
/// <param name="Module">The Linear or Conv2d module.</param>
/// <param name="Weight">Its weight parameter (the one masks are written to).</param>
/// <param name="Bias">Its bias, if any (never pruned by weight pruning).</param>
/// <param name="Kind">Conv or FC.</param>
public sealed record PrunableLayer(string Name, Module Module, Parameter Weight, Parameter? Bias, LayerKind Kind)
{
    /// <summary>Weights not removed by the mask.</summary>
    public int KeptWeights => Weight.UnmaskedCount;

    /// <summary>Fraction of weights kept (1 when unpruned).</summary>
    public double KeptFraction => Weight.Length == 0 ? 1 : (double)KeptWeights / Weight.Length;

    /// <summary>All Linear and Conv2d layers of <paramref name="model"/>, in module order.</summary>
    public static IReadOnlyList<PrunableLayer> Find(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var list = new List<PrunableLayer>();
        foreach (var (name, m) in model.NamedModules())
        {
            switch (m)
            {
                case Linear l: list.Add(new PrunableLayer(name, l, l.Weight, l.Bias, LayerKind.Fc)); break;
                case Conv2d c: list.Add(new PrunableLayer(name, c, c.Weight, c.Bias, LayerKind.Conv)); break;
            }
        }
        return list;
    }

    /// <summary>Selects layers by name; unknown names throw <see cref="ArgumentException"/> listing the known ones.</summary>
    public static PrunableLayer ByName(IReadOnlyList<PrunableLayer> layers, string name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return layers.FirstOrDefault(l => l.Name == name)
            ?? throw new ArgumentException($"No prunable layer '{name}'. Prunable layers: {string.Join(", ", layers.Select(l => l.Name))}.", nameof(name));
    }
}
