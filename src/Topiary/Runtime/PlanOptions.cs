// PlanOptions: the knobs of InferencePlan.Compile — which format each weight layer runs in (FormatChooser), or the
// codes a compressed container stored for it (CodebookWeight).
using Topiary.Compression.Container;
using Topiary.Runtime.Sparse;

namespace Topiary.Runtime;

/// <summary>Options for <see cref="InferencePlan.Compile"/>.</summary>
public sealed record PlanOptions
{
    /// <summary>An unstructured-sparse layer whose weight density is below this runs as CSR; default 0.35.
    /// (Group- and block-structured layers have their own break-even densities, see <see cref="FormatChooser"/>.)</summary>
    public double SparseDensityThreshold { get; init; } = 0.35;

    /// <summary>An unstructured-sparse Linear layer whose density is below this runs as <see cref="SellWeight"/> at batch ≤ 4 on
    /// AVX-512 hosts (its measured break-even is ~50% sparsity); default 0.6; 0 turns the format off.</summary>
    public double SellDensityThreshold { get; init; } = FormatChooser.SellDensity;

    /// <summary>When true (default), pruned convolutions may run sparse (weights × im2col columns).</summary>
    public bool SparseConv { get; init; } = true;

    /// <summary>When set: every pruned layer (density &lt; 1) runs in this format; <see cref="SparseFormat.Dense"/> makes every layer dense.</summary>
    public SparseFormat? Format { get; init; }

    /// <summary>Per-layer formats by module name (win over everything else).</summary>
    public IReadOnlyDictionary<string, SparseFormat>? LayerFormats { get; init; }

    /// <summary>Choose each layer's format by timing every candidate on its real weight (slower to compile).</summary>
    public bool Measure { get; init; }

    /// <summary>Timing budget per layer in seconds when <see cref="Measure"/> is set.</summary>
    public double MeasureSeconds { get; init; } = 0.2;

    /// <summary>
    /// With <see cref="Measure"/>: time every candidate with its weights out of the caches
    /// (<see cref="LatencyMeter.CompareFromMemory"/>), as the layers of a network whose weights exceed the last-level
    /// cache meet them on every pass (InferenceGraph sets it for such networks). Off: timed warm, as a small network runs.
    /// </summary>
    public bool WeightsFromMemory { get; init; }

    /// <summary>Group width and block size for formats built by <see cref="Format"/> or <see cref="LayerFormats"/>.</summary>
    public SparseWeightOptions? WeightOptions { get; init; }

    /// <summary>
    /// Codes and codebooks of weight-shared layers by parameter name (e.g. <c>fc1.weight</c>, from
    /// <see cref="CompressedModel.LoadWithCodes"/>): such a layer runs as a <see cref="CodebookWeight"/> from its codes
    /// (no float copy of its weights), whatever the other options say — unless its codebook has more than 255 centroids;
    /// then it runs from the model's weights as usual.
    /// </summary>
    public IReadOnlyDictionary<string, QuantizedLayerCodes>? Codes { get; init; }

    /// <summary>Threads a Run may use (null = Threading.MaxDegreeOfParallelism at compile time); the batch is split into
    /// example ranges of at least 4 examples per thread.</summary>
    public int? Threads { get; init; }

    /// <summary>The defaults (rule-based choice).</summary>
    public static PlanOptions Default { get; } = new();

    /// <summary>Every layer dense (the dense baseline).</summary>
    public static PlanOptions AllDense { get; } = new() { Format = SparseFormat.Dense };

    /// <summary>Every pruned layer in <paramref name="format"/>, the others dense.</summary>
    public static PlanOptions AllSparse(SparseFormat format) => new() { Format = format };
}
