// MemRefSimulator: runs a convolution's output reference stream (OutputReferenceStream) through a CacheModel
// and reports, per layer: accesses (= products, each one read-modify-write of a 4-byte accumulator), hits,
// misses and write-backs. "Output references" are the MISSES: accumulator-line fills that go beyond the cache
// (write-backs of evicted dirty lines are reported beside them, not added). The cache starts empty for each
// layer. With filter sampling (every k-th filter), counts are multiplied by M / (filters simulated) and the
// result says it is sampled; since filters occupy disjoint output planes and the filter loop is outermost, the
// error is only the cache state carried across filter boundaries.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.MemoryReferences;

/// <summary>Output-reference counts of one layer.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Accesses">Cache accesses (products scattered to outputs).</param>
/// <param name="Hits">Accesses that hit.</param>
/// <param name="Misses">Accesses that missed.</param>
/// <param name="Writebacks">Dirty lines evicted.</param>
/// <param name="OutputLines">Lines of the whole output feature map (a lower bound on misses when every output is touched).</param>
/// <param name="FiltersSimulated">Filters walked (all of them unless sampled).</param>
/// <param name="Filters">Filters of the layer.</param>
public sealed record MemRefLayerResult(string Name, long Accesses, long Hits, long Misses, long Writebacks, long OutputLines,
    int FiltersSimulated, int Filters)
{
    /// <summary>Misses: references to the output feature map beyond the cache.</summary>
    public long OutputReferences => Misses;

    /// <summary>True when only a sample of the filters was simulated and the counts are scaled.</summary>
    public bool Sampled => FiltersSimulated < Filters;
}

/// <summary>Simulates the output memory references of sparse convolutions.</summary>
public static class MemRefSimulator
{
    private struct CacheSink(CacheModel cache) : IAddressSink
    {
        public readonly void Access(long address) => cache.Access(address);
    }

    /// <summary>Runs one layer through <paramref name="cache"/> (reset first).</summary>
    /// <param name="layer">A convolution.</param>
    /// <param name="weightMask">Non-zero weights, [M, C/G, R, S] row-major.</param>
    /// <param name="activationMask">Non-zero input activations, [C, H, W] row-major.</param>
    /// <param name="cache">The cache; reset before the run, left holding the final state.</param>
    /// <param name="dataflow">Outer-loop walk (fine or vector).</param>
    /// <param name="filterStride">Simulate filters m ≡ 0 (mod filterStride) and scale the counts by M / simulated.</param>
    /// <exception cref="ArgumentException">Mask lengths do not match, or the layer is not a convolution.</exception>
    public static MemRefLayerResult Run(LayerShape layer, ReadOnlySpan<bool> weightMask, ReadOnlySpan<bool> activationMask,
        CacheModel cache, SparseDataflow dataflow, int filterStride = 1)
    {
        ArgumentNullException.ThrowIfNull(cache);
        cache.Reset();
        var sink = new CacheSink(cache);
        OutputReferenceStream.Generate(layer, weightMask, activationMask, dataflow, ref sink, filterStride);
        int simulated = (layer.M + filterStride - 1) / filterStride;
        double scale = (double)layer.M / simulated;
        long Scale(long v) => (long)Math.Round(v * scale, MidpointRounding.AwayFromZero);
        long lines = (layer.Outputs * 4 + cache.LineBytes - 1) / cache.LineBytes;
        return new MemRefLayerResult(layer.Name, Scale(cache.Accesses), Scale(cache.Hits), Scale(cache.Misses), Scale(cache.Writebacks),
            lines, simulated, layer.M);
    }
}
