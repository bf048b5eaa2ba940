// GpuRooflineModelTests: GEMV at batch 1 is memory-bound and a large batched GEMM compute-bound; hand-computed
// flops/bytes/time for the 4x6 layer (dense and CSR, with launch overhead); CSR conv adds an im2col kernel;
// node pruning (Shrunk) makes a dense layer cheaper while moderate CSR sparsity is slower than dense; parameter
// validation and unmodelled formats.
using Topiary.Hardware;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Runtime.Sparse;

namespace Topiary.Tests.Hardware;

public class GpuRooflineModelTests
{
    private static readonly GpuRooflineModel Model = new();

    [Fact]
    public void Gemv_at_batch_1_is_memory_bound()
    {
        var fc1 = LayerWorkload.FromModel(LeNet5.Create(1), [1, 28, 28])[2];
        var e = Model.Estimate(fc1, SparseFormat.Dense);
        Assert.Equal(RooflineBound.Memory, e.Bound);
        Assert.Equal(2.0 * 500 * 800, e.Flops);
        Assert.Equal(500 * 800 * 4 + (800 + 500) * 4, e.Bytes);
        Assert.Equal(e.Bytes / (336.5e9 * 0.8) + 5e-6, e.Seconds, 1e-15);
    }

    [Fact]
    public void Large_batched_gemm_is_compute_bound()
    {
        var big = LayerWorkload.FromWeight("big", LayerKind.Fc, Enumerable.Repeat(1f, 1024 * 1024).ToArray(), 1024, 1024, 1);
        var batched = new GpuRooflineModel(GpuRooflineParameters.Default with { Batch = 1024 });
        var e = batched.Estimate(big, SparseFormat.Dense);
        Assert.Equal(RooflineBound.Compute, e.Bound);
        Assert.Equal(2.0 * 1024 * 1024 * 1024, e.Flops);
        Assert.Equal(e.Flops / (6144e9 * 0.7) + 5e-6, e.Seconds, 1e-12);
        Assert.Equal(RooflineBound.Memory, Model.Estimate(big, SparseFormat.Dense).Bound); // same layer at batch 1
    }

    [Fact]
    public void Hand_computed_4x6_dense_and_csr()
    {
        var w = LayerWorkloadTests.Fc4x6();
        var d = Model.Estimate(w, SparseFormat.Dense);
        Assert.Equal((48.0, 24 * 4 + (6 + 4) * 4.0, 96L, 1), (d.Flops, d.Bytes, d.WeightBytes, d.Kernels));
        var c = Model.Estimate(w, SparseFormat.Csr);
        Assert.Equal(22.0, c.Flops);
        Assert.Equal(11 * 8 + 5 * 4, c.WeightBytes);
        Assert.Equal(11 * 8 + 5 * 4 + (6 + 4) * 4.0, c.Bytes);
        Assert.Equal(Math.Max(22 / (6144e9 * 0.05), c.Bytes / (336.5e9 * 0.3)) + 5e-6, c.Seconds, 1e-15);
        Assert.Equal(11 * 6 + 5 * 4, Model.Estimate(w, SparseFormat.Csr16).WeightBytes);
    }

    [Fact]
    public void Sparse_conv_adds_an_im2col_kernel_and_its_traffic()
    {
        var conv = LayerWorkload.FromWeight("c", LayerKind.Conv, LayerWorkloadTests.W4x6, 4, 6, 9, columnsPerInput: 3, inputElements: 50);
        var e = Model.Estimate(conv, SparseFormat.Csr);
        Assert.Equal(2, e.Kernels);
        Assert.Equal(10e-6, e.LaunchSeconds, 1e-15);
        Assert.Equal(11 * 8 + 5 * 4 + (50 + 2 * 6 * 9 + 36) * 4.0, e.Bytes);
        Assert.Equal(2.0 * 11 * 9, e.Flops);
    }

    [Fact]
    public void Node_pruning_helps_and_moderate_csr_sparsity_hurts()
    {
        var rng = new Random(9);
        var weight = new float[512 * 1024];
        for (int r = 0; r < 512; r++)
            for (int c = 0; c < 1024; c++)
                weight[r * 1024 + c] = r < 256 && c < 512 ? 1f + (float)rng.NextDouble() : 0f; // half the rows and inputs kept
        var w = LayerWorkload.FromWeight("fc", LayerKind.Fc, weight, 512, 1024, 1);
        var batched = new GpuRooflineModel(GpuRooflineParameters.Default with { Batch = 64 });
        double dense = batched.Estimate(w, SparseFormat.Dense).Seconds;
        double shrunk = batched.Estimate(w.Shrunk(), SparseFormat.Dense).Seconds;
        double csr = batched.Estimate(w, SparseFormat.Csr).Seconds;
        Assert.True(shrunk < dense, $"shrunk {shrunk} vs dense {dense}");
        Assert.True(csr > dense, $"75%-sparse CSR {csr} should be slower than dense {dense} on the GPU model");
    }

    [Fact]
    public void Parameters_and_formats_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GpuRooflineModel(GpuRooflineParameters.Default with { Batch = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GpuRooflineModel(GpuRooflineParameters.Default with { SparseComputeEfficiency = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GpuRooflineModel(GpuRooflineParameters.Default with { LaunchSeconds = -1 }));
        Assert.Throws<ArgumentException>(() => Model.Estimate(LayerWorkloadTests.Fc4x6(), SparseFormat.SimdGroup));
        Assert.Throws<ArgumentException>(() => Model.Estimate(LayerWorkloadTests.Fc4x6(), SparseFormat.Block));
    }
}
