// MemRefStudy: output memory references of a whole shape-only network (ShapeZoo) under synthetic seeded
// sparsity — every conv layer (FC layers are skipped: they have one output row) gets a weight mask of the
// given density and pattern (fine = single weights, vector = whole W[m,k,r,:]) and an activation mask of the
// given density (the first layer's input is the image: density 1). Layers run in parallel, each with its own
// cold cache of the given geometry; results do not depend on the thread count.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.MemoryReferences;

/// <summary>Options of a network-wide memory-reference study.</summary>
public sealed record MemRefStudyOptions
{
    /// <summary>Weight density (kept fraction of weights).</summary>
    public double WeightDensity { get; init; } = 0.3;

    /// <summary>Input activation density of every conv layer but the first (whose input is the image, density 1).</summary>
    public double ActivationDensity { get; init; } = 0.5;

    /// <summary>Sparsity pattern and dataflow.</summary>
    public SparseDataflow Granularity { get; init; } = SparseDataflow.Fine;

    /// <summary>Cache capacity in KiB.</summary>
    public int CacheKb { get; init; } = 32;

    /// <summary>Cache line in bytes.</summary>
    public int LineBytes { get; init; } = 64;

    /// <summary>Associativity.</summary>
    public int Ways { get; init; } = 8;

    /// <summary>Seed of the synthetic masks (layer i uses seed + 7919·i).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Only these layers (null = every conv layer).</summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>Simulate every k-th filter and scale (1 = all filters).</summary>
    public int FilterStride { get; init; } = 1;
}

/// <summary>The result of <see cref="MemRefStudy.Run"/>.</summary>
public sealed record MemRefStudyReport(string Model, string Granularity, double WeightDensity, double ActivationDensity,
    int CacheKb, int LineBytes, int Ways, int FilterStride, IReadOnlyList<MemRefLayerResult> Layers, IReadOnlyList<string> Assumptions)
{
    /// <summary>Sum of the layers' output references (misses).</summary>
    public long TotalOutputReferences => Layers.Sum(l => l.OutputReferences);

    /// <summary>Sum of the layers' accesses.</summary>
    public long TotalAccesses => Layers.Sum(l => l.Accesses);

    /// <summary>Sum of the layers' misses.</summary>
    public long TotalMisses => Layers.Sum(l => l.Misses);

    /// <summary>True when any layer was sampled.</summary>
    public bool Sampled => Layers.Any(l => l.Sampled);
}

/// <summary>Runs the memory-reference simulator over a network.</summary>
public static class MemRefStudy
{
    /// <summary>Simulates every selected conv layer of <paramref name="network"/>.</summary>
    /// <exception cref="ArgumentException">An unknown layer name, an FC layer selected, or no conv layer selected.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A density outside [0, 1], a bad cache geometry or a filter stride below 1.</exception>
    public static MemRefStudyReport Run(NetworkShape network, MemRefStudyOptions options, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.WeightDensity >= 0 && options.WeightDensity <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.WeightDensity, "Weight density must be in [0, 1].");
        if (!(options.ActivationDensity >= 0 && options.ActivationDensity <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.ActivationDensity, "Activation density must be in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FilterStride, 1, nameof(options.FilterStride));
        _ = new CacheModel(options.CacheKb * 1024, options.LineBytes, options.Ways); // validate the geometry up front
        var indexed = network.Layers.Select((l, i) => (Layer: l, Index: i)).ToArray();
        if (options.Layers is { } names)
        {
            foreach (string n in names)
            {
                var hit = indexed.FirstOrDefault(x => x.Layer.Name == n).Layer
                    ?? throw new ArgumentException($"No layer '{n}' in {network.Name}. Conv layers: {string.Join(", ", network.Layers.Where(l => l.Kind == LayerKind.Conv).Select(l => l.Name))}.", nameof(options));
                if (hit.Kind != LayerKind.Conv) throw new ArgumentException($"Layer '{n}' is fully connected; only conv layers are simulated.", nameof(options));
            }
        }
        var selected = indexed.Where(x => x.Layer.Kind == LayerKind.Conv && (options.Layers is null || options.Layers.Contains(x.Layer.Name))).ToArray();
        if (selected.Length == 0) throw new ArgumentException($"{network.Name} has no conv layer to simulate.", nameof(options));
        var results = new MemRefLayerResult[selected.Length];
        Parallel.For(0, selected.Length, new ParallelOptions { CancellationToken = cancellationToken }, j =>
        {
            var (layer, i) = selected[j];
            int seed = options.Seed + 7919 * i;
            var w = SyntheticMasks.Weights(layer, options.WeightDensity, options.Granularity, seed);
            var a = SyntheticMasks.Activations(layer, i == 0 ? 1.0 : options.ActivationDensity, seed + 1);
            var cache = new CacheModel(options.CacheKb * 1024, options.LineBytes, options.Ways);
            results[j] = MemRefSimulator.Run(layer, w, a, cache, options.Granularity, options.FilterStride);
            progress?.Report($"{layer.Name}: {results[j].OutputReferences:N0} output references");
        });
        string[] assumptions =
        [
            "reference = one read-modify-write of a 4-byte output accumulator per product; output references = cache misses (line fills); write-backs reported apart",
            "loop order: non-zero weights outer (filter, channel, kernel row, kernel column), non-zero activations of that channel inner (row-major)",
            "vector: per kept W[m,k,r,:] and activation, the vector's products go to adjacent outputs of one row (s ascending)",
            $"synthetic seeded masks: weights uniformly at random per unit, activations uniformly at density {options.ActivationDensity} (first layer: image, density 1)",
            $"cache: {options.CacheKb} KiB, {options.LineBytes}-byte lines, {options.Ways}-way, LRU, write-back/allocate, cold at each layer; FC layers not simulated",
            options.FilterStride > 1 ? $"SAMPLED: every {options.FilterStride}-th filter simulated, counts scaled by M / filters simulated" : "all filters simulated",
        ];
        return new MemRefStudyReport(network.Name, options.Granularity.ToString().ToLowerInvariant(), options.WeightDensity, options.ActivationDensity,
            options.CacheKb, options.LineBytes, options.Ways, options.FilterStride, results, assumptions);
    }
}
