using Topiary.Hardware.MemoryReferences;
using Topiary.Models.Shapes;

namespace Topiary.Tests.Hardware.MemoryReferences;

public class MemRefSimulatorTests
{
    private struct ListSink() : IAddressSink
    {
        public List<long> Addresses { get; } = [];
        public readonly void Access(long address) => Addresses.Add(address);
    }

    // Awkward small convolutions: odd sizes, stride 2 and 3, padding, groups, non-square kernels.
    public static TheoryData<LayerShape> Layers => new()
    {
        LayerShape.Conv("a", 2, 3, 3, 6),
        LayerShape.Conv("b", 3, 4, 3, 7, stride: 2, padding: 1),
        LayerShape.ConvRectangular("c", 4, 6, 2, 3, 5, 8, stride: 1, padding: 2, groups: 2),
        LayerShape.Conv("d", 2, 2, 5, 11, stride: 3, padding: 2),
        LayerShape.Conv("e", 1, 1, 1, 4),
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Stream_equals_the_brute_force_address_list(LayerShape layer)
    {
        foreach (var flow in new[] { SparseDataflow.Fine, SparseDataflow.Vector })
            foreach (double dw in new[] { 0.2, 0.6, 1.0 })
                foreach (double da in new[] { 0.3, 1.0 })
                {
                    var w = SyntheticMasks.Weights(layer, dw, flow, 11);
                    var a = SyntheticMasks.Activations(layer, da, 12);
                    var sink = new ListSink();
                    OutputReferenceStream.Generate(layer, w, a, flow, ref sink);
                    Assert.Equal(BruteForceReference.Addresses(layer, w, a, flow), sink.Addresses);
                }
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Simulator_matches_a_naive_lru_on_the_brute_force_list(LayerShape layer)
    {
        foreach (var flow in new[] { SparseDataflow.Fine, SparseDataflow.Vector })
            foreach (var (size, line, ways) in new[] { (64, 16, 1), (128, 16, 2), (256, 32, 8), (96, 16, 3), (32, 8, 4) })
            {
                var w = SyntheticMasks.Weights(layer, 0.5, flow, 5);
                var a = SyntheticMasks.Activations(layer, 0.7, 6);
                var r = MemRefSimulator.Run(layer, w, a, new CacheModel(size, line, ways), flow);
                var list = BruteForceReference.Addresses(layer, w, a, flow);
                var (hits, misses, writebacks) = BruteForceReference.Lru(list, size, line, ways);
                Assert.Equal(list.Count, r.Accesses);
                Assert.Equal(hits, r.Hits);
                Assert.Equal(misses, r.Misses);
                Assert.Equal(misses, r.OutputReferences);
                Assert.Equal(writebacks, r.Writebacks);
                Assert.False(r.Sampled);
            }
    }

    [Fact]
    public void Cache_model_matches_naive_lru_on_random_streams()
    {
        var rng = new Random(3);
        foreach (var (size, line, ways) in new[] { (64, 16, 1), (256, 16, 4), (256, 16, 16), (192, 32, 2), (1024, 64, 8) })
        {
            var addresses = Enumerable.Range(0, 5000).Select(_ => (long)(rng.Next(2) == 0 ? rng.Next(512) : rng.Next(4096))).ToArray();
            var cache = new CacheModel(size, line, ways);
            long hits = addresses.Count(cache.Access);
            var (h, m, wb) = BruteForceReference.Lru(addresses, size, line, ways);
            Assert.Equal(h, hits);
            Assert.Equal((h, m, wb), (cache.Hits, cache.Misses, cache.Writebacks));
            Assert.Equal(addresses.Length, cache.Accesses);
        }
    }

    [Fact]
    public void Hand_computed_lru_sequence()
    {
        // 2 sets × 2 ways of 16-byte lines. Lines 0, 2, 4 all map to set 0: the third evicts the least recent.
        var c = new CacheModel(64, 16, 2);
        bool[] hits = new long[] { 0, 32, 0, 64, 32, 0, 16 }.Select(x => c.Access(x)).ToArray();
        // 0 miss, 32 miss, 0 hit, 64 miss (evicts 32), 32 miss (evicts 0), 0 miss (evicts 64), 16 miss (set 1).
        Assert.Equal(new[] { false, false, true, false, false, false, false }, hits);
        Assert.Equal((7L, 1L, 6L, 3L), (c.Accesses, c.Hits, c.Misses, c.Writebacks));
    }

    [Fact]
    public void Dense_vectors_give_the_same_products_as_fine_in_another_order()
    {
        var layer = LayerShape.Conv("v", 3, 4, 3, 9, padding: 1);
        var w = SyntheticMasks.Weights(layer, 0.4, SparseDataflow.Vector, 1);
        var a = SyntheticMasks.Activations(layer, 0.5, 2);
        var fine = new ListSink();
        var vector = new ListSink();
        OutputReferenceStream.Generate(layer, w, a, SparseDataflow.Fine, ref fine);
        OutputReferenceStream.Generate(layer, w, a, SparseDataflow.Vector, ref vector);
        Assert.Equal(fine.Addresses.Order(), vector.Addresses.Order());
        Assert.NotEqual(fine.Addresses, vector.Addresses);
    }

    [Fact]
    public void Vector_sparsity_needs_fewer_references_when_the_output_plane_exceeds_the_cache()
    {
        // 64×64 outputs of 4 bytes = 16 KiB per filter against a 2 KiB cache.
        var layer = LayerShape.Conv("big", 4, 2, 3, 64, padding: 1);
        var cache = new CacheModel(2048, 64, 4);
        var a = SyntheticMasks.Activations(layer, 0.5, 2);
        var fine = MemRefSimulator.Run(layer, SyntheticMasks.Weights(layer, 0.3, SparseDataflow.Fine, 1), a, cache, SparseDataflow.Fine);
        var vector = MemRefSimulator.Run(layer, SyntheticMasks.Weights(layer, 0.3, SparseDataflow.Vector, 1), a, cache, SparseDataflow.Vector);
        Assert.True(vector.OutputReferences * 2 < fine.OutputReferences, $"vector {vector.OutputReferences} vs fine {fine.OutputReferences}");
    }

    [Fact]
    public void Filter_sampling_scales_counts_and_says_so()
    {
        var layer = LayerShape.Conv("s", 2, 8, 3, 10);
        var w = SyntheticMasks.Weights(layer, 1, SparseDataflow.Fine, 1);
        var a = SyntheticMasks.Activations(layer, 1, 2);
        var cache = new CacheModel(4096, 64, 4);
        var full = MemRefSimulator.Run(layer, w, a, cache, SparseDataflow.Fine);
        var sampled = MemRefSimulator.Run(layer, w, a, cache, SparseDataflow.Fine, filterStride: 4);
        Assert.True(sampled.Sampled);
        Assert.Equal(2, sampled.FiltersSimulated);
        Assert.Equal(full.Accesses, sampled.Accesses); // dense masks: every filter makes the same number of products
        Assert.Equal(full.Misses, sampled.Misses);     // each filter's 8×8 plane fits: compulsory misses only
    }

    [Fact]
    public void Synthetic_masks_hit_the_density_exactly_and_are_seeded()
    {
        var layer = LayerShape.Conv("m", 3, 5, 3, 8);
        var fine = SyntheticMasks.Weights(layer, 0.3, SparseDataflow.Fine, 4);
        Assert.Equal((int)Math.Round(0.3 * layer.Weights, MidpointRounding.AwayFromZero), fine.Count(x => x));
        Assert.Equal(fine, SyntheticMasks.Weights(layer, 0.3, SparseDataflow.Fine, 4));
        var vec = SyntheticMasks.Weights(layer, 0.3, SparseDataflow.Vector, 4);
        for (int v = 0; v < vec.Length / 3; v++) Assert.True(vec.Skip(v * 3).Take(3).Distinct().Count() == 1, $"vector {v} is split");
        Assert.Equal((int)Math.Round(0.3 * layer.Weights / 3, MidpointRounding.AwayFromZero) * 3, vec.Count(x => x));
    }

    [Fact]
    public void Study_runs_the_conv_layers_of_a_zoo_network_and_rejects_bad_input()
    {
        var net = ShapeZoo.ByName("lenet-5");
        var r = MemRefStudy.Run(net, new MemRefStudyOptions { WeightDensity = 0.3, CacheKb = 1, LineBytes = 64, Ways = 4 });
        Assert.Equal(["conv1", "conv2"], r.Layers.Select(l => l.Name));
        Assert.Equal(r.Layers.Sum(l => l.Misses), r.TotalOutputReferences);
        Assert.Throws<ArgumentException>(() => MemRefStudy.Run(net, new MemRefStudyOptions { Layers = ["fc1"] }));
        Assert.Throws<ArgumentException>(() => MemRefStudy.Run(net, new MemRefStudyOptions { Layers = ["nope"] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheModel(1000, 64, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheModel(1024, 48, 4));
        Assert.Throws<ArgumentException>(() => MemRefSimulator.Run(LayerShape.FullyConnected("fc", 4, 2), new bool[8], new bool[4], new CacheModel(64, 16, 1), SparseDataflow.Fine));
    }
}
