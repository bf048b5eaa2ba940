// PrunableLayer: a weight layer a pruning method may write masks to — every Linear and Conv2d of a
// model, in module order, named by its dotted module path (fc1, conv2, features.0, ...).
using Topiary.Nn;

namespace Topiary.Pruning;

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

    /// <summary>Checks that every name in <paramref name="names"/> is a weight layer of <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="modelName">Its name, for the message.</param>
    /// <param name="key">The setting the names come from (e.g. <c>prune.targets</c>), for the message.</param>
    /// <param name="names">The names to check.</param>
    /// <exception cref="ArgumentException">An unknown name; the message lists the model's weight layers.</exception>
    public static void CheckNames(Module model, string modelName, string key, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var layers = Find(model);
        foreach (string n in names.Where(n => !layers.Any(l => l.Name == n)))
            throw new ArgumentException($"{key}: '{n}' is not a weight layer of {modelName} ({string.Join(", ", layers.Select(l => l.Name))}).");
    }
}
