// MemRefSimulator: runs a convolution's output request stream (OutputReferenceStream, under an OutputLayout)
// into the output memory and reports, per layer: products, requests, hits, misses and write-backs.
// "Output references" are the requests that reach the output memory:
//   no cache (Mao et al.'s count; the default of MemRefStudy): every request is a reference (Misses = Requests,
//     Hits = Writebacks = 0);
//   a CacheModel in front: the requests that miss it (accumulator-line fills beyond the cache; write-backs of evicted
//     dirty lines are reported beside them, not added) — the cache starts empty for each layer.
// With filter sampling (every k-th filter), counts are multiplied by M / (filters simulated) and the result says it
// is sampled; since filters occupy disjoint output planes and the filter loop is outermost, the error is only the
// cache state carried across filter boundaries.
using Topiary.Models.Shapes;

namespace Topiary.Hardware.MemoryReferences;

/// <summary>Output-reference counts of one layer.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Products">Products scattered to outputs (each a read-modify-write of one accumulator).</param>
/// <param name="Accesses">Requests issued (products coalesced per group and request word); the cache's accesses.</param>
/// <param name="Hits">Requests that hit the cache (0 without a cache).</param>
/// <param name="Misses">Requests that missed the cache (all of them without a cache).</param>
/// <param name="Writebacks">Dirty lines evicted (0 without a cache).</param>
/// <param name="OutputLines">Lines (cache lines, or request words without a cache) of the whole output feature map including
/// its halo: a lower bound on references when every output is touched.</param>
/// <param name="FiltersSimulated">Filters walked (all of them unless sampled).</param>
/// <param name="Filters">Filters of the layer.</param>
public sealed record MemRefLayerResult(string Name, long Products, long Accesses, long Hits, long Misses, long Writebacks, long OutputLines,
    int FiltersSimulated, int Filters)
{
    /// <summary>Misses: requests that reach the output memory.</summary>
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

    private struct CountSink : IAddressSink
    {
        public long Count;

        public void Access(long address) => Count++;
    }

    /// <summary>Runs one layer into <paramref name="cache"/> (reset first), or counts every request when it is null.</summary>
    /// <param name="layer">A convolution.</param>
    /// <param name="weightMask">Non-zero weights, [M, C/G, R, S] row-major.</param>
    /// <param name="activationMask">Non-zero input activations, [C, H, W] row-major.</param>
    /// <param name="cache">The cache; reset before the run, left holding the final state. Null: no cache.</param>
    /// <param name="dataflow">Outer-loop walk (fine or vector).</param>
    /// <param name="filterStride">Simulate filters m ≡ 0 (mod filterStride) and scale the counts by M / simulated.</param>
    /// <param name="layout">Output layout and request width (default <see cref="OutputLayout.PerProduct"/>).</param>
    /// <exception cref="ArgumentException">Mask lengths do not match, or the layer is not a convolution.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A filter stride below 1, an invalid layout, or requests wider than the cache line.</exception>
    public static MemRefLayerResult Run(LayerShape layer, ReadOnlySpan<bool> weightMask, ReadOnlySpan<bool> activationMask,
        CacheModel? cache, SparseDataflow dataflow, int filterStride = 1, OutputLayout? layout = null)
    {
        layout ??= OutputLayout.PerProduct;
        long products, accesses, hits = 0, misses, writebacks = 0;
        if (cache is null)
        {
            var counter = new CountSink();
            products = OutputReferenceStream.Generate(layer, weightMask, activationMask, dataflow, ref counter, filterStride, layout);
            accesses = misses = counter.Count;
        }
        else
        {
            if (layout.RequestBytes > cache.LineBytes)
                throw new ArgumentOutOfRangeException(nameof(layout), layout.RequestBytes, $"Requests of {layout.RequestBytes} B are wider than the {cache.LineBytes} B cache line.");
            cache.Reset();
            var sink = new CacheSink(cache);
            products = OutputReferenceStream.Generate(layer, weightMask, activationMask, dataflow, ref sink, filterStride, layout);
            (accesses, hits, misses, writebacks) = (cache.Accesses, cache.Hits, cache.Misses, cache.Writebacks);
        }
        int simulated = (layer.M + filterStride - 1) / filterStride;
        double scale = (double)layer.M / simulated;
        long Scale(long v) => (long)Math.Round(v * scale, MidpointRounding.AwayFromZero);
        int line = cache?.LineBytes ?? layout.RequestBytes;
        long lines = (layout.PlaneBytes(layer) * layer.M + line - 1) / line;
        return new MemRefLayerResult(layer.Name, Scale(products), Scale(accesses), Scale(hits), Scale(misses), Scale(writebacks),
            lines, simulated, layer.M);
    }
}
