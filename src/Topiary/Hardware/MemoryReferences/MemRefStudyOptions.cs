// MemRefStudyOptions: the settings of a network-wide memory-reference study, with two presets.
//   Mao2017 (the defaults): no cache — every request to the output memory is a reference, as Mao et al. (NIPS 2017)
//     count them for a sparse accelerator's output (accumulator) buffer; 8-byte requests (two 4-byte accumulators) that
//     coalesce the products of one weight group and one activation; output maps stored with a one-output halo;
//     activation density 0.3 after the first layer. With these, VGG-16's conv layers reproduce the paper's
//     fine-grained and vector counts at densities 40.1/33.1/27.5% (see the README).
//   CpuCache: the study as it first was — a 32 KiB, 8-way, 64-byte-line LRU cache (a CPU L1d) in front of the
//     output, one 4-byte request per product, dense layout, activation density 0.5. It describes a CPU running the
//     sparse loop better: a real cache absorbs almost every accumulator update, so references are line fills.
namespace Topiary.Hardware.MemoryReferences;

/// <summary>Options of a network-wide memory-reference study.</summary>
public sealed record MemRefStudyOptions
{
    /// <summary>Mao et al. 2017's setting (the defaults): no cache, 8-byte coalesced requests, halo 1, activation density 0.3.</summary>
    public static MemRefStudyOptions Mao2017 { get; } = new();

    /// <summary>A CPU-like setting: 32 KiB 8-way 64-byte-line LRU cache, one request per product, no halo, activation density 0.5.</summary>
    public static MemRefStudyOptions CpuCache { get; } = new()
    {
        ActivationDensity = 0.5,
        CacheKb = 32,
        Layout = OutputLayout.PerProduct,
    };

    /// <summary>Weight density (kept fraction of weights).</summary>
    public double WeightDensity { get; init; } = 0.3;

    /// <summary>Input activation density of every conv layer but the first (whose input is the image, density 1). Default 0.3
    /// (an assumption: ImageNet VGG-16 ReLU outputs are mostly zero; Mao et al. publish no figure).</summary>
    public double ActivationDensity { get; init; } = 0.3;

    /// <summary>Sparsity pattern and dataflow.</summary>
    public SparseDataflow Granularity { get; init; } = SparseDataflow.Fine;

    /// <summary>Cache capacity in KiB; 0 = no cache (every request is a reference). Default 0.</summary>
    public int CacheKb { get; init; }

    /// <summary>Cache line in bytes (with a cache).</summary>
    public int LineBytes { get; init; } = 64;

    /// <summary>Associativity (with a cache).</summary>
    public int Ways { get; init; } = 8;

    /// <summary>Output layout and request width. Default: halo 1, 8-byte requests.</summary>
    public OutputLayout Layout { get; init; } = new();

    /// <summary>Seed of the synthetic masks (layer i uses seed + 7919·i).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Only these layers (null = every conv layer).</summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>Simulate every k-th filter and scale (1 = all filters).</summary>
    public int FilterStride { get; init; } = 1;

    /// <summary>True when a cache sits in front of the output memory.</summary>
    public bool HasCache => CacheKb > 0;

    /// <summary>A new cold cache of this geometry, or null without one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bad cache geometry.</exception>
    public CacheModel? NewCache() => HasCache ? new CacheModel(CacheKb * 1024, LineBytes, Ways) : null;
}
