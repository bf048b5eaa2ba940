// Quantizer: weight sharing for a whole model — one LayerCodebook per Linear/Conv2d (PrunableLayer.Find
// order), written into the weights at once so the model computes with W = C[I] from then on.
// Layer l's k-means seed is derived from (seed, l), so random initialisations differ between layers.
using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Compression.Quantization;

/// <summary>Quantizes every weight layer of a model by weight sharing.</summary>
public static class Quantizer
{
    /// <summary>
    /// Builds a codebook for every Linear and Conv2d of <paramref name="model"/> and writes the shared weights
    /// (<see cref="LayerCodebook.Reconstruct"/>) into them. Biases stay full precision.
    /// </summary>
    /// <param name="model">The (possibly pruned) model; its weights are overwritten.</param>
    /// <param name="bitsForLayer">Code width per layer, e.g. <c>BitsRule.Paper("lenet-5").For</c>.</param>
    /// <param name="init">Centroid initialisation.</param>
    /// <param name="seed">Seed of the random initialisation.</param>
    /// <returns>The codebooks, in module order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A width outside [1, 16] (the message names the layer).</exception>
    /// <exception cref="ArgumentException">A surviving weight is NaN or infinite.</exception>
    public static IReadOnlyList<LayerCodebook> Quantize(Module model, Func<PrunableLayer, int> bitsForLayer,
        CentroidInit init = CentroidInit.Linear, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(bitsForLayer);
        var layers = PrunableLayer.Find(model);
        var books = new LayerCodebook[layers.Count];
        for (int l = 0; l < layers.Count; l++)
            books[l] = LayerCodebook.Create(layers[l], bitsForLayer(layers[l]), init, LayerSeed(seed, l));
        foreach (var book in books) book.Reconstruct();
        return books;
    }

    /// <summary>As <see cref="Quantize(Module, Func{PrunableLayer, int}, CentroidInit, int)"/>, after checking that every
    /// per-layer override of <paramref name="rule"/> names a layer of the model.</summary>
    /// <exception cref="ArgumentException">An override names no layer.</exception>
    public static IReadOnlyList<LayerCodebook> Quantize(Module model, BitsRule rule, CentroidInit init = CentroidInit.Linear, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rule);
        rule.Validate(PrunableLayer.Find(model));
        return Quantize(model, rule.For, init, seed);
    }

    private static int LayerSeed(int seed, int layer) => unchecked(seed ^ (layer * -1640531535));
}
