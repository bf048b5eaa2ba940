// MemRefStudy: output memory references of a whole shape-only network (ShapeZoo) under synthetic seeded
// sparsity — every conv layer (FC layers are skipped: they have one output row) gets a weight mask of the
// given density and pattern (fine = single weights, vector = whole W[m,k,r,:]) and an activation mask of the
// given density (the first layer's input is the image: density 1). Layers run in parallel, each with its own
// cold cache of the given geometry (or none); results do not depend on the thread count. Options and presets:
// MemRefStudyOptions.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.MemoryReferences;

/// <summary>The result of <see cref="MemRefStudy.Run"/> (also what <c>topiary memrefs --json</c> writes).</summary>
/// <param name="Model">The shape-zoo network.</param>
/// <param name="Granularity">The weight-sparsity pattern: <c>fine</c> (single weights) or <c>vector</c> (whole kernel rows W[m,k,r,:]).</param>
/// <param name="WeightDensity">Fraction of weights kept in the synthetic masks (0..1).</param>
/// <param name="ActivationDensity">Fraction of non-zero input activations after the first layer (0..1; the first layer's input is the image, 1).</param>
/// <param name="CacheKb">Cache size in KiB; 0 = no cache (every request is a reference).</param>
/// <param name="LineBytes">Cache line in bytes.</param>
/// <param name="Ways">Cache associativity.</param>
/// <param name="RequestBytes">Bytes per output request (a group's products in one aligned word coalesce).</param>
/// <param name="OutputHalo">Zero border, in outputs, stored around each output map.</param>
/// <param name="FilterStride">Every k-th filter simulated and the counts scaled (1 = exact).</param>
/// <param name="Layers">One result per simulated conv layer, in order (counts are requests or lines, not bytes).</param>
/// <param name="Assumptions">The study's assumptions in words.</param>
public sealed record MemRefStudyReport(string Model, string Granularity, double WeightDensity, double ActivationDensity,
    int CacheKb, int LineBytes, int Ways, int RequestBytes, int OutputHalo, int FilterStride, IReadOnlyList<MemRefLayerResult> Layers,
    IReadOnlyList<string> Assumptions)
{
    /// <summary>Sum of the layers' products.</summary>
    public long TotalProducts => Layers.Sum(l => l.Products);

    /// <summary>Sum of the layers' output references (misses).</summary>
    public long TotalOutputReferences => Layers.Sum(l => l.OutputReferences);

    /// <summary>Sum of the layers' requests (cache accesses).</summary>
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
        ArgumentOutOfRangeException.ThrowIfNegative(options.CacheKb, nameof(options.CacheKb));
        ArgumentNullException.ThrowIfNull(options.Layout, nameof(options.Layout));
        options.Layout.Validate();
        if (options.NewCache() is { } probe && options.Layout.RequestBytes > probe.LineBytes) // validates the geometry up front
            throw new ArgumentOutOfRangeException(nameof(options), options.Layout.RequestBytes, $"Requests of {options.Layout.RequestBytes} B are wider than the {probe.LineBytes} B cache line.");
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
            results[j] = MemRefSimulator.Run(layer, w, a, options.NewCache(), options.Granularity, options.FilterStride, options.Layout);
            progress?.Report($"{layer.Name}: {results[j].OutputReferences:N0} output references");
        });
        var layout = options.Layout;
        string[] assumptions =
        [
            $"product = one read-modify-write of a 4-byte output accumulator; the products of one group (fine: one weight x one activation; " +
                $"vector: one kept W[m,k,r,:] x one activation) are issued as one {layout.RequestBytes}-byte request per distinct aligned word they touch",
            options.HasCache
                ? $"output references = requests that miss a {options.CacheKb} KiB, {options.LineBytes}-byte-line, {options.Ways}-way LRU write-back/allocate cache, cold at each layer; write-backs reported apart"
                : "output references = every request (no cache between the accumulators and the output memory, as Mao et al. count them)",
            $"output maps stored with a zero border of {layout.Halo} output(s) on each side (row stride F + {2 * layout.Halo})",
            "loop order: non-zero weights outer (filter, channel, kernel row, kernel column), non-zero activations of that channel inner (row-major)",
            $"synthetic seeded masks: weights uniformly at random per unit (one weight, or one kept vector), activations uniformly at density {options.ActivationDensity} (first layer: image, density 1)",
            "FC layers not simulated (one output row each)",
            options.FilterStride > 1 ? $"SAMPLED: every {options.FilterStride}-th filter simulated, counts scaled by M / filters simulated" : "all filters simulated",
        ];
        return new MemRefStudyReport(network.Name, options.Granularity.ToString().ToLowerInvariant(), options.WeightDensity, options.ActivationDensity,
            options.CacheKb, options.LineBytes, options.Ways, layout.RequestBytes, layout.Halo, options.FilterStride, results, assumptions);
    }
}
