// What a channel-pruning run reports: cost and error before and after, channels per layer, every round, and what the
// analysis left alone (with reasons).
using System.Text.Json.Serialization;
using Topiary.Nn;
using Topiary.Data;
using Topiary.Training;

namespace Topiary.Pruning.Channels;

/// <summary>Output channels of one Conv2d/Linear layer before and after pruning.</summary>
public sealed record LayerChannels(string Layer, string Kind, int Before, int After);

/// <summary>One prune (→ fine-tune) round.</summary>
/// <param name="Round">1-based round.</param>
/// <param name="Macs">Forward MACs per example after the round.</param>
/// <param name="Params">Parameters after the round.</param>
/// <param name="RemovedChannels">Channels removed in the round.</param>
/// <param name="TestError">Test error after the round's fine-tuning (null without test data).</param>
/// <param name="Seconds">Wall time of the round.</param>
/// <param name="LatencyUs">Measured latency after the round (latency-budget runs only).</param>
public sealed record ChannelRound(int Round, long Macs, long Params, int RemovedChannels, double? TestError, double Seconds, double? LatencyUs = null);

/// <summary>The data a channel-pruning run fine-tunes on (and ranks by, for Taylor) and is evaluated on.</summary>
/// <param name="Recipe">The model's training recipe (fine-tuning scales its learning rate).</param>
/// <param name="Train">Training images.</param>
/// <param name="Test">Test images (null: no test error is reported).</param>
public sealed record ChannelPruningData(TrainingRecipe Recipe, ImageDataset Train, ImageDataset? Test);

/// <summary>The outcome of <see cref="ChannelPruning.Run"/>.</summary>
public sealed record ChannelPruningResult
{
    /// <summary>The pruned model (the input model, shrunk in place, or the one reloaded on resume).</summary>
    [JsonIgnore]
    public Module Model { get; init; } = null!;

    /// <summary>Forward MACs per example before pruning.</summary>
    public long DenseMacs { get; init; }

    /// <summary>Forward MACs per example after pruning.</summary>
    public long Macs { get; init; }

    /// <summary>DenseMacs / Macs.</summary>
    public double MacsReduction => Macs == 0 ? double.PositiveInfinity : (double)DenseMacs / Macs;

    /// <summary>Parameters before.</summary>
    public long DenseParams { get; init; }

    /// <summary>Parameters after.</summary>
    public long Params { get; init; }

    /// <summary>Measured latency before pruning (latency-budget runs only).</summary>
    public double? DenseLatencyUs { get; init; }

    /// <summary>Test error before pruning (null without test data).</summary>
    public double? DenseTestError { get; init; }

    /// <summary>Test error after the last fine-tuning (null without test data).</summary>
    public double? TestError { get; init; }

    /// <summary>False when the constraints (max ratio, protected layers, unanalysable ops) stopped short of the target.</summary>
    public bool TargetReached { get; init; }

    /// <summary>Channel groups found in the dense model.</summary>
    public int Groups { get; init; }

    /// <summary>Prunable channels of the dense model.</summary>
    public int PrunableChannels { get; init; }

    /// <summary>Output channels of every Conv2d/Linear, before and after.</summary>
    public IReadOnlyList<LayerChannels> Layers { get; init; } = [];

    /// <summary>Every round.</summary>
    public IReadOnlyList<ChannelRound> Rounds { get; init; } = [];

    /// <summary>Channels kept whatever the target, with reasons.</summary>
    public IReadOnlyList<UnprunableChannels> Unprunable { get; init; } = [];

    /// <summary>Layers the analysis could not see through.</summary>
    public IReadOnlyList<UnsupportedLayer> Unsupported { get; init; } = [];
}
