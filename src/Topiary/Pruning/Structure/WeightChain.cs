// WeightChain: a Sequential model analysed for structural shrinking — its flat module chain
// (ModuleChain), the Linear/Conv2d layers of that chain in order with their chain positions, and the
// LayerBoundary between every pair of consecutive weight layers (boundary k joins Layers[k] and
// Layers[k + 1]; Between(k) lists the modules in between). Shared by DeadNeuronRemover, UnitRemover
// and node pruning's mask placement.
using Topiary.Nn;

namespace Topiary.Pruning.Structure;

/// <summary>The weight layers of a model's chain and the boundaries between consecutive ones.</summary>
internal sealed class WeightChain
{
    private WeightChain(List<(string Name, Module Module)> chain, List<WeightLayer> layers, List<int> positions, List<LayerBoundary> boundaries)
    {
        Chain = chain;
        Layers = layers;
        Positions = positions;
        Boundaries = boundaries;
    }

    /// <summary>Every module of the model in execution order (nested Sequentials expanded).</summary>
    public IReadOnlyList<(string Name, Module Module)> Chain { get; }

    /// <summary>The Linear/Conv2d layers, in execution order.</summary>
    public IReadOnlyList<WeightLayer> Layers { get; }

    /// <summary>Index in <see cref="Chain"/> of each layer of <see cref="Layers"/>.</summary>
    public IReadOnlyList<int> Positions { get; }

    /// <summary>Boundary k joins Layers[k] (producer) and Layers[k + 1] (consumer).</summary>
    public IReadOnlyList<LayerBoundary> Boundaries { get; }

    /// <summary>The modules strictly between Layers[k] and Layers[k + 1].</summary>
    public List<(string Name, Module Module)> Between(int k) =>
        [.. Chain.Skip(Positions[k] + 1).Take(Positions[k + 1] - Positions[k] - 1)];

    /// <summary>Index of the weight layer named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name)
    {
        for (int k = 0; k < Layers.Count; k++) if (Layers[k].Name == name) return k;
        return -1;
    }

    /// <summary>Walks and analyses <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The same Linear/Conv2d instance appears twice in the chain.</exception>
    public static WeightChain Analyse(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var chain = ModuleChain.Walk(model);
        var layers = new List<WeightLayer>();
        var positions = new List<int>();
        for (int i = 0; i < chain.Count; i++)
        {
            if (WeightLayer.TryCreate(chain[i].Name, chain[i].Module) is not { } layer) continue;
            if (layers.Exists(l => ReferenceEquals(l.Module, layer.Module)))
                throw new ArgumentException($"Layer '{layer.Name}' ({layer.Module}) appears more than once in the model; shared layers cannot be shrunk.", nameof(model));
            layers.Add(layer);
            positions.Add(i);
        }
        var boundaries = new List<LayerBoundary>();
        for (int k = 0; k + 1 < layers.Count; k++)
        {
            var between = chain.GetRange(positions[k] + 1, positions[k + 1] - positions[k] - 1);
            boundaries.Add(LayerBoundary.Analyse(layers[k], layers[k + 1], between));
        }
        return new WeightChain(chain, layers, positions, boundaries);
    }
}
