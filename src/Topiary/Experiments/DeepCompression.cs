// DeepCompression: the three-stage pipeline of Han, Mao, Dally (ICLR 2016) on a zoo model —
// prune (the Han 2015 schedule, resumable from its checkpoints), quantize every layer by 1-D k-means
// weight sharing (code 0 reserved for zero), fine-tune the centroids, then encode with relative indices
// and Huffman coding into a .tpz container. The container is decoded again and evaluated, so the
// reported compressed error is that of the file, and compression is dense float32 bytes / file bytes.
using System.Diagnostics;
using Topiary.Compression;
using Topiary.Compression.Container;
using Topiary.Compression.Quantization;
using Topiary.Data;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Training;

namespace Topiary.Experiments;

/// <summary>Options of the Deep Compression reproduction.</summary>
public sealed record DeepCompressionOptions
{
    /// <summary>Pruning stage options (model, seed, work directory, schedule); dead-neuron removal is forced off.</summary>
    public required Han2015Options Pruning { get; init; }

    /// <summary>Code width per layer (default: the paper's — LeNet-300-100 6 bits, else conv 8 / FC 5).</summary>
    public BitsRule? WeightBits { get; init; }

    /// <summary>Relative-index width per layer; null = per layer, the width that minimises the coded size (see
    /// <see cref="QuantizedLayerCodec.BestIndexBits"/>). The paper's fixed choice is conv 8, FC 5.</summary>
    public BitsRule? IndexBits { get; init; }

    /// <summary>Centroid initialisation (the paper: linear is best).</summary>
    public CentroidInit Init { get; init; } = CentroidInit.Linear;

    /// <summary>Epochs of centroid fine-tuning.</summary>
    public int FineTuneEpochs { get; init; } = 3;

    /// <summary>Fine-tuning base learning rate as a fraction of the recipe's.</summary>
    public float FineTuneLearningRateScale { get; init; } = 0.1f;
}

/// <summary>Error of one stage.</summary>
public sealed record StageError(string Stage, double TestError);

/// <summary>The reproduction's report.</summary>
public sealed record DeepCompressionReport(
    string Model, int Seed, ModelSummary Reference, ModelSummary Compressed, double BytesOriginal, double BytesCompressed,
    double Compression, IReadOnlyList<StageStorage> Stages, IReadOnlyList<LayerStorage> Layers, IReadOnlyList<StageError> Errors,
    string ContainerPath, DeepCompressionPaperResult Paper, double Seconds)
{
    /// <summary>The pruning stage's full report (sensitivity, rounds, per-layer kept fractions, figures' data).</summary>
    public Han2015Report? PruningReport { get; init; }
}

/// <summary>Runs the Deep Compression reproduction.</summary>
public static class DeepCompression
{
    /// <summary>Runs pruning → quantization → Huffman and writes <c>model.tpz</c> into the work directory.</summary>
    public static DeepCompressionReport Run(DeepCompressionOptions options, IProgress<TrainingProgress>? progress = null,
        IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sw = Stopwatch.StartNew();
        var han = Han2015.Run(options.Pruning with { RemoveDeadNeurons = false }, progress, messages, cancellationToken);
        var model = han.Network ?? throw new InvalidOperationException("The pruning stage returned no model.");
        string name = han.Model;
        var paper = DeepCompressionPaper.Results.GetValueOrDefault(name)
            ?? throw new ArgumentException($"reproduce deep-compression supports {string.Join(", ", DeepCompressionPaper.Results.Keys)}; got '{name}'.");
        var test = TrainingRun.LoadDataset("mnist", DatasetSplit.Test, cancellationToken: cancellationToken);
        var train = TrainingRun.LoadDataset("mnist", DatasetSplit.Train, cancellationToken: cancellationToken);
        if (options.Pruning.TrainLimit is int limit) train = TrainingRun.Take(train, limit);
        var errors = new List<StageError> { new("dense", han.Reference.TestError), new("pruning", han.Pruned.TestError) };
        string container = Path.Combine(options.Pruning.WorkDirectory, "model.tpz");

        var (encoded, compressedError, decodedModel) = Compress(name, model, train, test, options, container, errors, progress, messages, cancellationToken);
        var account = StorageAccount.From(encoded);
        double original = 4.0 * model.ParameterCount();
        return new DeepCompressionReport(name, options.Pruning.Seed, han.Reference,
            new ModelSummary(compressedError, model.ParameterCount(), PruningState.NonZeroParameters(decodedModel)),
            original, encoded.Bytes.Length, original / encoded.Bytes.Length, account.Stages, account.Layers, errors, container, paper,
            sw.Elapsed.TotalSeconds)
        { PruningReport = han };
    }

    /// <summary>
    /// Stages 2 and 3 on an already pruned model: quantize (k-means per layer), fine-tune the centroids, encode
    /// into <paramref name="container"/> (atomically), decode it again and evaluate the decoded model.
    /// Appends the test error after each stage to <paramref name="errors"/>.
    /// </summary>
    public static (EncodedModel Encoded, double ContainerError, Nn.Module Decoded) Compress(string name, Nn.Module model, ImageDataset train,
        ImageDataset test, DeepCompressionOptions options, string container, List<StageError> errors,
        IProgress<TrainingProgress>? progress = null, IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var weightBits = options.WeightBits ?? BitsRule.Paper(name);
        var layers = PrunableLayer.Find(model);
        weightBits.Validate(layers);
        options.IndexBits?.Validate(layers);
        messages?.Report($"quantizing: {weightBits}; relative indices: {options.IndexBits?.ToString() ?? "best width per layer"}");
        var codebooks = Quantizer.Quantize(model, weightBits, options.Init, options.Pruning.Seed);
        errors.Add(new("quantization", TrainingRun.Evaluate(model, test, cancellationToken).Error));

        var recipe = ModelZoo.Get(name).Recipe;
        if (options.FineTuneEpochs > 0)
        {
            messages?.Report($"fine-tuning the centroids for {options.FineTuneEpochs} epochs");
            TrainedQuantization.FineTune(model, codebooks, train, recipe, options.FineTuneEpochs,
                recipe.LearningRate * options.FineTuneLearningRateScale, options.Pruning.Seed, progress, cancellationToken);
            errors.Add(new("trained quantization", TrainingRun.Evaluate(model, test, cancellationToken).Error));
        }

        var chosen = codebooks.ToDictionary(cb => cb, cb => options.IndexBits?.For(cb.Layer) ?? QuantizedLayerCodec.BestIndexBits(cb.Name, cb));
        var encoded = CompressedModel.Encode(name, model, codebooks, cb => chosen[cb], new Dictionary<string, string>
        {
            ["dataset"] = "mnist",
            ["pipeline"] = "deep-compression",
            ["weight_bits"] = weightBits.ToString(),
            ["index_bits"] = string.Join(",", chosen.Select(kv => $"{kv.Key.Name}={kv.Value}")),
        });
        IO.AtomicFile.WriteAllBytes(container, encoded.Bytes);
        var decoded = CompressedModel.Load(container);
        double compressedError = TrainingRun.Evaluate(decoded.Network, test, cancellationToken).Error;
        errors.Add(new("container (decoded)", compressedError));

        return (encoded, compressedError, decoded.Network);
    }
}
