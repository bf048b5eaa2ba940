// CompressStage: the compress stage of a run — a recipe's compress section (CompressSpec) becomes the library's
// CompressionSettings and ModelCompressor writes the .tpz container (or, huffman: false, the quantized model).
// RecipeRunner's compress stage and `topiary compress` both run it, so a recipe and the flags mean the same run.
using Topiary.Compression;
using Topiary.Compression.Container;
using Topiary.Data;
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Recipes;

/// <summary>Runs Deep Compression's stages 2–3 from a <see cref="CompressSpec"/>.</summary>
public static class CompressStage
{
    /// <summary>The library settings of <paramref name="compress"/> for model <paramref name="name"/> (bits over the paper's rule).</summary>
    public static CompressionSettings Settings(CompressSpec compress, string name, int seed)
    {
        ArgumentNullException.ThrowIfNull(compress);
        return new CompressionSettings
        {
            WeightBits = RecipeSchedules.WeightBits(compress, name),
            IndexBits = RecipeSchedules.IndexBits(compress),
            FineTuneEpochs = compress.FineTuneEpochs,
            FineTuneLrScale = compress.FineTuneLrScale,
            Huffman = compress.Huffman,
            Seed = seed,
        };
    }

    /// <summary>Compresses <paramref name="model"/> into <paramref name="file"/> (fine-tuning on <paramref name="train"/>
    /// with <paramref name="training"/>'s rate, errors on <paramref name="test"/>).</summary>
    /// <returns>The result, the decoded model and the encoded container.</returns>
    public static (CompressionResult Result, Module Decoded, EncodedModel Encoded) Run(string name, Module model, TrainingRecipe training,
        ImageDataset train, ImageDataset test, CompressSpec compress, int seed, string file, IReadOnlyDictionary<string, string> metadata,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? messages = null, CancellationToken cancellationToken = default) =>
        ModelCompressor.Run(name, model, training, train, test, Settings(compress, name, seed), file, metadata, progress, messages, cancellationToken);
}
