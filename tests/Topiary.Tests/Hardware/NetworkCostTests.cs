// NetworkCostTests: sums, speedup and size reduction equal the hand sums of per-layer costs; the baseline defaults
// to the same layers in Dense; a node-pruned network is compared with its unshrunk baseline; length mismatches fail.
using Topiary.Hardware;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Runtime.Sparse;

namespace Topiary.Tests.Hardware;

public class NetworkCostTests
{
    [Fact]
    public void Sums_speedup_and_size_reduction_match_the_layers()
    {
        var m4 = new CortexM4CycleModel();
        var a = LayerWorkloadTests.Fc4x6();
        var b = LayerWorkload.FromWeight("b", LayerKind.Fc, [1, 0, 0, 0, 0, 0, 0, 2], 2, 4, 1);
        var r = NetworkCost.Evaluate(m4, [a, b], [SparseFormat.SimdGroup, SparseFormat.Csr16]);
        double seconds = (118 + m4.Estimate(b, SparseFormat.Csr16).TotalCycles) / 168e6;
        double dense = (108 + m4.Estimate(b, SparseFormat.Dense).TotalCycles) / 168e6;
        Assert.Equal(seconds, r.Seconds, 1e-15);
        Assert.Equal(dense, r.BaselineSeconds, 1e-15);
        Assert.Equal(dense / seconds, r.Speedup, 12);
        long bytes = 62 + (2 * 4 + 3 * 4), denseBytes = 48 + 16;
        Assert.Equal((bytes, denseBytes), (r.WeightBytes, r.BaselineWeightBytes));
        Assert.Equal(1 - (double)bytes / denseBytes, r.SizeReduction, 12);
        Assert.Equal("cortex-m4", r.Platform);
        Assert.NotEmpty(r.Assumptions);
    }

    [Fact]
    public void Node_pruned_network_is_compared_with_its_unshrunk_baseline()
    {
        var gpu = new GpuRooflineModel();
        var original = LayerWorkload.FromWeight("fc", LayerKind.Fc, Enumerable.Repeat(1f, 64 * 64).Select((v, i) => i / 64 < 16 ? v : 0f).ToArray(), 64, 64, 1);
        var shrunk = original.Shrunk();
        var r = NetworkCost.Evaluate(gpu, [shrunk], [SparseFormat.Dense], baseline: [original]);
        Assert.Equal(1 - 16.0 / 64, r.SizeReduction, 12);
        Assert.True(r.Speedup > 1);
    }

    [Fact]
    public void Mismatched_lists_are_rejected()
    {
        var m4 = new CortexM4CycleModel();
        Assert.Throws<ArgumentException>(() => NetworkCost.Evaluate(m4, [LayerWorkloadTests.Fc4x6()], []));
        Assert.Throws<ArgumentException>(() => NetworkCost.Evaluate(m4, [], []));
    }
}
