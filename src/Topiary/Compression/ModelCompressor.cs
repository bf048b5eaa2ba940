// ModelCompressor: Deep Compression's stages 2–3 (Han, Mao, Dally, ICLR 2016) on a pruned model, the one
// implementation behind `topiary compress`, a recipe's compress stage and the deep-compression reproduction:
// quantize every layer by 1-D k-means weight sharing (code 0 reserved for zero; the model is changed in place),
// fine-tune the centroids, choose the relative-index widths, encode with relative indices + Huffman into a .tpz
// container (atomically), decode it again and evaluate the decoded model — the reported error is the file's. With
// Huffman off, the quantized model is saved as safetensors instead and the sizes stop at the quantization stage.
using Topiary.Compression.Container;
using Topiary.Compression.Quantization;
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Training;

namespace Topiary.Compression;

/// <summary>Settings of Deep Compression's quantization and coding stages.</summary>
public sealed record CompressionSettings
{
    /// <summary>Code width per layer; null = the paper's (LeNet-300-100 6 bits, else conv 8 / FC 5).</summary>
    public BitsRule? WeightBits { get; init; }

    /// <summary>Relative-index width per layer; null = per layer, the width that minimises the coded size.</summary>
    public BitsRule? IndexBits { get; init; }

    /// <summary>Centroid initialisation (the paper: linear is best).</summary>
    public CentroidInit Init { get; init; } = CentroidInit.Linear;

    /// <summary>Epochs of centroid fine-tuning.</summary>
    public int FineTuneEpochs { get; init; } = 3;

    /// <summary>Fine-tuning learning rate as a fraction of the training recipe's.</summary>
    public double FineTuneLrScale { get; init; } = 0.1;

    /// <summary>Relative indices + Huffman into a .tpz container; false = weight sharing only (quantized safetensors).</summary>
    public bool Huffman { get; init; } = true;

    /// <summary>Seed of k-means and fine-tuning.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>What compression did.</summary>
/// <param name="WeightBits">The code widths used.</param>
/// <param name="IndexBits">The relative-index width chosen per layer (<c>layer=bits,…</c>).</param>
/// <param name="QuantizedError">Test error right after quantization.</param>
/// <param name="FineTunedError">Test error after centroid fine-tuning (null without it).</param>
/// <param name="ContainerError">Test error of the decoded container (null without Huffman).</param>
/// <param name="BytesOriginal">Dense float32 bytes of the model.</param>
/// <param name="BytesCompressed">Bytes of the container (or of the quantized model's stage without Huffman).</param>
/// <param name="Compression">BytesOriginal / BytesCompressed.</param>
/// <param name="Stages">Storage per stage (dense, pruning, quantization[, huffman, container]).</param>
/// <param name="Layers">Storage per layer and stage.</param>
/// <param name="File">The .tpz container, or the quantized safetensors model without Huffman.</param>
public sealed record CompressionResult(string WeightBits, string IndexBits, double QuantizedError, double? FineTunedError,
    double? ContainerError, double BytesOriginal, double BytesCompressed, double Compression, IReadOnlyList<StageStorage> Stages,
    IReadOnlyList<LayerStorage> Layers, string File);

/// <summary>Runs Deep Compression's stages 2–3.</summary>
public static class ModelCompressor
{
    /// <summary>Quantizes <paramref name="model"/> in place, fine-tunes, encodes into <paramref name="file"/> and evaluates the file.</summary>
    /// <param name="name">The zoo architecture (the container rebuilds zoo models).</param>
    /// <param name="model">The pruned model; quantized in place.</param>
    /// <param name="training">Its training recipe (fine-tuning's batch size, optimizer and base rate).</param>
    /// <param name="train">Fine-tuning data.</param>
    /// <param name="test">Test data.</param>
    /// <param name="settings">Widths, fine-tuning, Huffman, seed.</param>
    /// <param name="file">The container (or quantized model) to write, atomically.</param>
    /// <param name="metadata">Metadata written into the file (the widths are added).</param>
    /// <param name="progress">Fine-tuning progress.</param>
    /// <param name="messages">Stage messages.</param>
    /// <param name="cancellationToken">Cancels between batches.</param>
    /// <returns>The result, the final model (the decoded container, or the quantized model) and the encoding.</returns>
    /// <exception cref="ArgumentException">A width rule naming unknown layers.</exception>
    public static (CompressionResult Result, Module Final, EncodedModel Encoded) Run(string name, Module model, TrainingRecipe training,
        ImageDataset train, ImageDataset test, CompressionSettings settings, string file, IReadOnlyDictionary<string, string> metadata,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metadata);
        var ct = cancellationToken;
        var weightBits = settings.WeightBits ?? BitsRule.Paper(name);
        var layers = PrunableLayer.Find(model);
        weightBits.Validate(layers);
        settings.IndexBits?.Validate(layers);
        messages?.Report($"quantizing: {weightBits}; relative indices: {settings.IndexBits?.ToString() ?? "best width per layer"}");
        var codebooks = Quantizer.Quantize(model, weightBits, settings.Init, settings.Seed);
        double quantizedError = TrainingRun.Evaluate(model, test, ct).Error;
        double? fineTunedError = null;
        if (settings.FineTuneEpochs > 0)
        {
            messages?.Report($"fine-tuning the centroids for {settings.FineTuneEpochs} epoch(s)");
            TrainedQuantization.FineTune(model, codebooks, train, training, settings.FineTuneEpochs,
                training.LearningRate * (float)settings.FineTuneLrScale, settings.Seed, progress, ct);
            fineTunedError = TrainingRun.Evaluate(model, test, ct).Error;
        }
        var chosen = codebooks.ToDictionary(cb => cb, cb => settings.IndexBits?.For(cb.Layer) ?? QuantizedLayerCodec.BestIndexBits(cb.Name, cb));
        string indexBits = string.Join(",", chosen.Select(kv => $"{kv.Key.Name}={kv.Value}"));
        var meta = new Dictionary<string, string>(metadata, StringComparer.Ordinal)
        {
            ["pipeline"] = "deep-compression",
            ["weight_bits"] = weightBits.ToString(),
            ["index_bits"] = indexBits,
        };
        var encoded = CompressedModel.Encode(name, model, codebooks, cb => chosen[cb], meta);
        var account = StorageAccount.From(encoded);
        double original = 4.0 * model.ParameterCount();
        if (!settings.Huffman)
        {
            ModelFile.Save(file, name, model, meta);
            var upTo = account.Stages.Take(3).ToArray();
            return (new CompressionResult(weightBits.ToString(), indexBits, quantizedError, fineTunedError, null, original, upTo[^1].Bytes,
                original / upTo[^1].Bytes, upTo, account.Layers, file), model, encoded);
        }
        IO.AtomicFile.WriteAllBytes(file, encoded.Bytes);
        var decoded = CompressedModel.Load(file);
        double containerError = TrainingRun.Evaluate(decoded.Network, test, ct).Error;
        messages?.Report($"container {file}: {encoded.Bytes.Length:N0} bytes, test error {containerError:P2}");
        return (new CompressionResult(weightBits.ToString(), indexBits, quantizedError, fineTunedError, containerError, original, encoded.Bytes.Length,
            original / encoded.Bytes.Length, account.Stages, account.Layers, file), decoded.Network, encoded);
    }
}
