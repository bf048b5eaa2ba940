using Topiary.Hardware.MemoryReferences;
using Topiary.Models.Shapes;

namespace Topiary.Tests.Hardware.MemoryReferences;

public class OutputLayoutTests
{
    private struct ListSink() : IAddressSink
    {
        public List<long> Addresses { get; } = [];
        public readonly void Access(long address) => Addresses.Add(address);
    }

    // One 1x3 filter on a 1x6 row (no padding): E = 1, F = 4; every weight and activation non-zero.
    private static readonly LayerShape Row = LayerShape.ConvRectangular("row", 1, 1, 1, 3, 1, 6);

    private static (long Products, List<long> Requests) Stream(SparseDataflow flow, OutputLayout layout)
    {
        var sink = new ListSink();
        long products = OutputReferenceStream.Generate(Row, [true, true, true], Enumerable.Repeat(true, 6).ToArray(), flow, ref sink, layout: layout);
        return (products, sink.Addresses);
    }

    [Fact]
    public void Vector_products_coalesce_per_word_hand_computed()
    {
        // Activation x makes outputs x, x−1, x−2 (those in 0..3): 1, 2, 3, 3, 2, 1 products = 12 = MACs.
        // 8-byte words hold outputs {0,1} and {2,3}: x = 0..5 touch 1, 1, 2, 2, 1, 1 words = 8 requests.
        var (products, requests) = Stream(SparseDataflow.Vector, new OutputLayout { Halo = 0, RequestBytes = 8 });
        Assert.Equal(12, products);
        Assert.Equal([0L, 0, 8, 0, 8, 0, 8, 8], requests);
        // Halo 1: the row is stored at elements 7..10 of a 3x6 plane, words {7}→3, {8,9}→4, {10}→5:
        // x = 0..5 touch 1, 2, 2, 2, 2, 1 words = 10 requests.
        (products, requests) = Stream(SparseDataflow.Vector, new OutputLayout { Halo = 1, RequestBytes = 8 });
        Assert.Equal(12, products);
        Assert.Equal([24L, 32, 24, 32, 24, 40, 32, 40, 32, 40], requests);
        // Fine: every product is its own request, whatever the word.
        (products, requests) = Stream(SparseDataflow.Fine, new OutputLayout { Halo = 1, RequestBytes = 8 });
        Assert.Equal(12, products);
        Assert.Equal(12, requests.Count);
        // One request per product in a dense layout is the default stream.
        (products, requests) = Stream(SparseDataflow.Vector, OutputLayout.PerProduct);
        Assert.Equal(12, requests.Count);
        Assert.Equal([0L, 4, 0, 8, 4, 0, 12, 8, 4, 12, 8, 12], requests);
    }

    [Theory]
    [MemberData(nameof(MemRefSimulatorTests.Layers), MemberType = typeof(MemRefSimulatorTests))]
    public void Requests_equal_the_brute_force_definition(LayerShape layer)
    {
        foreach (var flow in new[] { SparseDataflow.Fine, SparseDataflow.Vector })
            foreach (var (halo, bytes) in new[] { (0, 4), (1, 8), (2, 16), (0, 32) })
            {
                var w = SyntheticMasks.Weights(layer, 0.6, flow, 3);
                var a = SyntheticMasks.Activations(layer, 0.7, 4);
                var sink = new ListSink();
                long products = OutputReferenceStream.Generate(layer, w, a, flow, ref sink, layout: new OutputLayout { Halo = halo, RequestBytes = bytes });
                Assert.Equal(BruteForceReference.Requests(layer, w, a, flow, halo, bytes), sink.Addresses);
                Assert.Equal(BruteForceReference.Addresses(layer, w, a, flow).Count, products);
            }
    }

    [Fact]
    public void Without_a_cache_every_request_is_a_reference()
    {
        var layer = LayerShape.Conv("c", 3, 4, 3, 9, padding: 1);
        var w = SyntheticMasks.Weights(layer, 0.4, SparseDataflow.Vector, 1);
        var a = SyntheticMasks.Activations(layer, 0.5, 2);
        var layout = new OutputLayout { Halo = 1, RequestBytes = 8 };
        var r = MemRefSimulator.Run(layer, w, a, null, SparseDataflow.Vector, layout: layout);
        long requests = BruteForceReference.Requests(layer, w, a, SparseDataflow.Vector, 1, 8).Count;
        Assert.Equal(requests, r.Accesses);
        Assert.Equal(requests, r.OutputReferences);
        Assert.Equal(0, r.Hits);
        Assert.Equal(0, r.Writebacks);
        Assert.Equal(4L * 11 * 11 * 4 / 8, r.OutputLines);                 // the map with its halo, in 8-byte words
        Assert.True(r.Products > r.Accesses);
        Assert.Throws<ArgumentOutOfRangeException>(() => MemRefSimulator.Run(layer, w, a, new CacheModel(64, 4, 1), SparseDataflow.Vector, layout: layout));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutputLayout { RequestBytes = 12 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutputLayout { Halo = -1 }.Validate());
    }

    [Theory]
    [InlineData(0.401, 1.77e9, 1.23e9, 0.695, 1_813_572_280L, 1_231_914_704L)]
    [InlineData(0.331, 1.53e9, 1.03e9, 0.672, 1_496_537_688L, 1_014_949_312L)]
    [InlineData(0.275, 1.33e9, 0.87e9, 0.653, 1_243_239_856L, 844_307_632L)]
    public void Vgg16_reproduces_mao2017_within_the_bands(double density, double paperFine, double paperVector, double paperRatio,
        long pinnedFine, long pinnedVector)
    {
        // Mao et al.'s setting (the defaults); every 8th filter simulated (within 0.4% of the full runs in the README).
        var net = ShapeZoo.ByName("vgg16");
        long Refs(SparseDataflow g) => MemRefStudy.Run(net, MemRefStudyOptions.Mao2017 with { WeightDensity = density, Granularity = g, FilterStride = 8 })
            .TotalOutputReferences;
        long fine = Refs(SparseDataflow.Fine), vector = Refs(SparseDataflow.Vector);
        Assert.Equal(pinnedFine, fine);
        Assert.Equal(pinnedVector, vector);
        Assert.InRange(fine / paperFine, 0.85, 1.15);
        Assert.InRange(vector / paperVector, 0.85, 1.15);
        Assert.InRange((double)vector / fine - paperRatio, -0.03, 0.03);
    }

    [Fact]
    public void Cpu_preset_is_the_cache_study_as_it_was()
    {
        var cpu = MemRefStudyOptions.CpuCache;
        Assert.Equal((32, 64, 8, 0.5), (cpu.CacheKb, cpu.LineBytes, cpu.Ways, cpu.ActivationDensity));
        Assert.Equal(OutputLayout.PerProduct, cpu.Layout);
        Assert.False(MemRefStudyOptions.Mao2017.HasCache);
        Assert.Null(MemRefStudyOptions.Mao2017.NewCache());
        // With the cache, each 64-byte line absorbs many accumulator updates: far fewer references than requests.
        var r = MemRefStudy.Run(ShapeZoo.ByName("vgg16"), cpu with { Layers = ["conv5_1"], FilterStride = 64 });
        Assert.True(r.TotalOutputReferences * 100 < r.TotalAccesses);
        Assert.Equal(r.TotalProducts, r.TotalAccesses);
    }
}
