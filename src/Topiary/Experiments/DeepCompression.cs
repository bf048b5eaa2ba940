// DeepCompression: the three-stage pipeline of Han, Mao, Dally (ICLR 2016) on a zoo model —
// prune (the Han 2015 schedule, resumable from its checkpoints), quantize every layer by 1-D k-means
// weight sharing (code 0 reserved for zero), fine-tune the centroids, then encode with relative indices
// and Huffman coding into a .tpz container. The container is decoded again and evaluated, so the
// reported compressed error is that of the file, and compression is dense float32 bytes / file bytes.
using System.Diagnostics;
using Topiary.Compression;
using Topiary.Compression.Container;
using Topiary.Compression.Quantization;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Settings;
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
    [Setting("fine_tune_epochs", "Epochs of centroid fine-tuning.", Min = 0)]
    public int FineTuneEpochs { get; init; } = 3;

    /// <summary>The seed of every stage (that of <see cref="Pruning"/>; setting it sets the pruning stage's).</summary>
    [Setting("seed", "Seed of training, pruning and quantization.")]
    public int Seed { get => Pruning.Seed; init => Pruning = Pruning with { Seed = value }; }

    /// <summary>Fine-tuning base learning rate as a fraction of the recipe's.</summary>
    public float FineTuneLearningRateScale { get; init; } = 0.1f;

    /// <summary>The smoke run: the Han 2015 quick schedule and 1 fine-tuning epoch.</summary>
    public DeepCompressionOptions Quick() => this with { Pruning = Pruning.Quick(), FineTuneEpochs = 1 };
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
        var (train, test) = ExperimentStages.Data(options.Pruning, "mnist", null, cancellationToken);
        string container = Path.Combine(options.Pruning.WorkDirectory, "model.tpz");

        // Stages 2 and 3 (ModelCompressor) with the reproduction's settings.
        var settings = new CompressionSettings
        {
            WeightBits = options.WeightBits,
            IndexBits = options.IndexBits,
            Init = options.Init,
            FineTuneEpochs = options.FineTuneEpochs,
            FineTuneLrScale = options.FineTuneLearningRateScale,
            Seed = options.Pruning.Seed,
        };
        var (result, decoded, encoded) = ModelCompressor.Run(name, model, ModelZoo.Get(name).Recipe, train, test, settings, container,
            new Dictionary<string, string> { ["dataset"] = "mnist" }, progress, messages, cancellationToken);
        double containerError = result.ContainerError!.Value;
        var errors = new List<StageError> { new("dense", han.Reference.TestError), new("pruning", han.Pruned.TestError), new("quantization", result.QuantizedError) };
        if (result.FineTunedError is { } fineTuned) errors.Add(new("trained quantization", fineTuned));
        errors.Add(new("container (decoded)", containerError));

        var account = StorageAccount.From(encoded);
        double original = 4.0 * model.ParameterCount();
        return new DeepCompressionReport(name, options.Pruning.Seed, han.Reference,
            ModelSummary.Of(decoded, containerError),
            original, encoded.Bytes.Length, original / encoded.Bytes.Length, account.Stages, account.Layers, errors, container, paper,
            sw.Elapsed.TotalSeconds)
        { PruningReport = han };
    }
}
