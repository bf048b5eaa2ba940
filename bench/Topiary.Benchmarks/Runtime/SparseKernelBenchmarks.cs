// SparseKernelBenchmarks: BenchmarkDotNet suite for the sparse weight formats on LeNet-300-100's fc1 (300×784) and
// fc2 (100×300), batch 1 and 64, at 50/70/90/95 % sparsity; one thread, bias + ReLU fused. Dense (our GEMM/GEMV)
// is the baseline, so the Ratio column is format time / dense time (ratio < 1 = the format is faster; speedup = 1/ratio).
// Masks: element-wise for csr/csr16, aligned host-width groups for simd-group, aligned 4×lanes blocks for block
// (each format on the pattern it is made for; the quick section also shows every format on element masks).
//   dotnet run -c Release --project bench/Topiary.Benchmarks -- --filter '*SparseKernel*'
using BenchmarkDotNet.Attributes;
using Topiary.Runtime.Sparse;

namespace Topiary.Benchmarks.Runtime;

[MemoryDiagnoser]
public class SparseKernelBenchmarks
{
    private SparseWeight _dense = null!, _csr = null!, _csr16 = null!, _group = null!, _block = null!;
    private float[] _x = null!, _y = null!, _bias = null!;

    /// <summary>Layer shape "rows x cols".</summary>
    [Params("300x784", "100x300")]
    public string Layer { get; set; } = "300x784";

    /// <summary>Examples per call.</summary>
    [Params(1, 64)]
    public int Batch { get; set; }

    /// <summary>Fraction of weights removed.</summary>
    [Params(0.5, 0.7, 0.9, 0.95)]
    public double Sparsity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var parts = Layer.Split('x');
        int rows = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int cols = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        int lanes = SparseWeightOptions.HostLanes;
        var element = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Element, Sparsity, 1);
        var group = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Group(lanes), Sparsity, 2);
        var block = SparsityPatterns.RandomMatrix(rows, cols, SparsityPattern.Block(4, lanes), Sparsity, 3);
        _dense = SparseWeight.Create(SparseFormat.Dense, element, rows, cols);
        _csr = SparseWeight.Create(SparseFormat.Csr, element, rows, cols);
        _csr16 = SparseWeight.Create(SparseFormat.Csr16, element, rows, cols);
        _group = SparseWeight.Create(SparseFormat.SimdGroup, group, rows, cols);
        _block = SparseWeight.Create(SparseFormat.Block, block, rows, cols);
        _x = SparsityPatterns.RandomVector(Batch * cols, 4);
        _y = new float[Batch * rows];
        _bias = SparsityPatterns.RandomVector(rows, 5);
    }

    [Benchmark(Baseline = true, Description = "dense")]
    public void Dense() => _dense.Multiply(_x, Batch, _y, _bias, true);

    [Benchmark(Description = "csr")]
    public void Csr() => _csr.Multiply(_x, Batch, _y, _bias, true);

    [Benchmark(Description = "csr16")]
    public void Csr16() => _csr16.Multiply(_x, Batch, _y, _bias, true);

    [Benchmark(Description = "simd-group")]
    public void SimdGroup() => _group.Multiply(_x, Batch, _y, _bias, true);

    [Benchmark(Description = "block")]
    public void Block() => _block.Multiply(_x, Batch, _y, _bias, true);
}
