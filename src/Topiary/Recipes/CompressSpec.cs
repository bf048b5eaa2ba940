// CompressSpec: the compress section of a recipe — Deep Compression's stages 2 and 3 on the pruned model:
// k-means weight sharing with a code width per layer kind or layer (bits), centroid fine-tuning, relative
// indices (index_bits, default: the width that minimises each layer's coded size) and Huffman coding into a
// .tpz container. BitsSpec is one "bits per kind or layer" value: YAML `bits: 5` (every layer) or
// `bits: { conv: 8, fc: 5, fc1: 6 }` (a layer's own entry wins over its kind's).
// The scalar keys are [Setting]s (RecipeLoader, RecipeWriter and `topiary compress`'s flags read them from here).
using Topiary.Compression.Quantization;
using Topiary.Settings;

namespace Topiary.Recipes;

/// <summary>Deep Compression settings (YAML section <c>compress</c>).</summary>
public sealed record CompressSpec
{
    /// <summary>Code width per kind or layer, each in [1, 16]; null = the paper's (LeNet-300-100 6 bits, else conv 8 / fc 5). YAML <c>bits</c>.</summary>
    public BitsSpec? Bits { get; init; }

    /// <summary>Relative-index width per kind or layer, each in [1, 16]; null = the best width per layer. YAML <c>index_bits</c>.</summary>
    public BitsSpec? IndexBits { get; init; }

    /// <summary>Epochs of centroid fine-tuning, ≥ 0. YAML <c>fine_tune_epochs</c>, default 3.</summary>
    [Setting("fine_tune_epochs", "Epochs of centroid fine-tuning.", Min = 0, Max = 100_000)]
    public int FineTuneEpochs { get; init; } = 3;

    /// <summary>Fine-tuning learning rate as a multiple of the training rate, &gt; 0. YAML <c>fine_tune_lr_scale</c>, default 0.1.</summary>
    [Setting("fine_tune_lr_scale", "Fine-tuning learning rate as a multiple of the training rate.", Min = 0, MinExclusive = true, Max = 1e6)]
    public double FineTuneLrScale { get; init; } = 0.1;

    /// <summary>Write the Huffman-coded .tpz container (true, default); false stops after weight sharing and saves the
    /// quantized model as safetensors (the storage table is still computed from the encoder). YAML <c>huffman</c>.</summary>
    [Setting("huffman", "Write the Huffman-coded .tpz container (false: stop after weight sharing).")]
    public bool Huffman { get; init; } = true;
}

/// <summary>Bits per layer kind (<c>conv</c>, <c>fc</c>) with per-layer overrides; unset kinds fall back to a default rule.</summary>
/// <param name="Conv">Width of Conv2d layers, or null for the default's.</param>
/// <param name="Fc">Width of Linear layers, or null for the default's.</param>
/// <param name="Layers">Per-layer widths by layer name (win over the kind).</param>
public sealed record BitsSpec(int? Conv, int? Fc, RecipeMap<int> Layers)
{
    /// <summary>The same width for every layer.</summary>
    public static BitsSpec All(int bits) => new(bits, bits, RecipeMap<int>.Empty);

    /// <summary>The library rule: this spec's widths over <paramref name="defaults"/>'.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A width outside [1, 16].</exception>
    public BitsRule ToRule(BitsRule defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var layers = new Dictionary<string, int>(defaults.LayerBits, StringComparer.Ordinal);
        foreach ((string name, int bits) in Layers) layers[name] = bits;
        return new BitsRule(Conv ?? defaults.ConvBits, Fc ?? defaults.FcBits, layers);
    }
}
