// Mao2017Report: the data of a Mao et al. 2017 granularity study (Mao2017.Run) — one point per
// (granularity, density) of the retraining sweep, the equal-density table (error per granularity at one
// density) and the equal-accuracy table (per granularity, the lowest density whose error stays within a
// tolerance of the dense error, with its storage ratio). JSON fields are snake_case through the CLI.
using Topiary.Compression.Grouped;

namespace Topiary.Experiments;

/// <summary>One point of the sweep: a granularity pruned to a density and retrained.</summary>
/// <param name="Granularity">fine, vector, kernel or filter.</param>
/// <param name="TargetDensity">The per-layer density asked for.</param>
/// <param name="Density">Kept fraction of all prunable weights (measured on the masks).</param>
/// <param name="ErrorBeforeRetraining">Test error right after pruning.</param>
/// <param name="TestError">Test error after retraining.</param>
/// <param name="StorageBits">Bits the .tpz container writes for the prunable layers: 8 × the bytes of their GroupSparseLayer sections' payloads.</param>
/// <param name="DenseBits">Bits of the dense float32 prunable layers.</param>
/// <param name="Layers">Per-layer storage (GroupStorageModel; equal to the encoder's bits).</param>
/// <param name="Seconds">Wall time of the point (prune, evaluate, retrain, encode).</param>
public sealed record Mao2017Point(string Granularity, double TargetDensity, double Density, double ErrorBeforeRetraining, double TestError,
    long StorageBits, long DenseBits, IReadOnlyList<GroupLayerStorage> Layers, double Seconds)
{
    /// <summary><c>StorageBits / DenseBits</c>.</summary>
    public double StorageRatio => DenseBits == 0 ? 0 : (double)StorageBits / DenseBits;

    /// <summary>Bits of the encoder's streams inside those sections (= the storage model's total, <c>Σ Layers.TotalBits</c>).</summary>
    public long StreamBits { get; init; }

    /// <summary>File name of the point's container in the work directory.</summary>
    public string? ContainerFile { get; init; }

    /// <summary>Size of the whole container (metadata, biases and every section frame included).</summary>
    public long ContainerBytes { get; init; }

    /// <summary>Test error of the model decoded from the container (values quantised to the study's value bits).</summary>
    public double ContainerTestError { get; init; }

    /// <summary>Filter granularity only: the network with its pruned filters physically removed.</summary>
    public Mao2017Physical? Physical { get; init; }
}

/// <summary>Units of one weight layer before and after physical removal.</summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Before">Units (filters / neurons) before.</param>
/// <param name="After">Units after.</param>
public sealed record Mao2017Units(string Layer, int Before, int After);

/// <summary>A filter-pruned network made physically smaller (DeadNeuronRemover; bias constants folded).</summary>
/// <param name="Units">Per weight layer.</param>
/// <param name="ParametersBefore">Parameters of the masked network.</param>
/// <param name="ParametersAfter">Parameters of the smaller dense network.</param>
/// <param name="TestError">Its test error (equals the masked network's up to float rounding).</param>
public sealed record Mao2017Physical(IReadOnlyList<Mao2017Units> Units, long ParametersBefore, long ParametersAfter, double TestError);

/// <summary>A row of the equal-density or equal-accuracy table; null fields when no point qualifies.</summary>
/// <param name="Granularity">Granularity.</param>
/// <param name="Density">Measured density of the chosen point.</param>
/// <param name="TestError">Its test error.</param>
/// <param name="StorageRatio">Its storage ratio (stored bits / dense float32 bits).</param>
public sealed record Mao2017Row(string Granularity, double? Density, double? TestError, double? StorageRatio);

/// <summary>The result of <see cref="Mao2017.Run"/> (MemoryReferences: the VGG-16 memory-reference table, paper beside ours,
/// or null when not asked for).</summary>
public sealed record Mao2017Report(
    string Model, string Dataset, int Seed, double ReferenceError, int ValueBits, int IndexBits, int FcSegment,
    int EpochsPerDensity, double EqualDensity, double Tolerance, IReadOnlyList<Mao2017Point> Points,
    IReadOnlyList<Mao2017Row> EqualDensityTable, IReadOnlyList<Mao2017Row> EqualAccuracyTable,
    IReadOnlyList<string> Assumptions, double ReferenceSeconds, double SweepSeconds, double TotalSeconds,
    IReadOnlyList<Mao2017MemRefRow>? MemoryReferences = null);
