// GpuLayerEstimate: one layer's roofline estimate — flops, bytes moved, the compute and memory times, which
// of the two bounds it, kernel launches, and the total time = max(compute, memory) + launches x overhead.
using Topiary.Runtime.Sparse;

namespace Topiary.Hardware;

/// <summary>Which roof limits a kernel.</summary>
public enum RooflineBound
{
    /// <summary>flops / (peak·efficiency) ≥ bytes / (bandwidth·efficiency).</summary>
    Compute,
    /// <summary>bytes / (bandwidth·efficiency) &gt; flops / (peak·efficiency).</summary>
    Memory,
}

/// <summary>Roofline estimate of one layer on the GPU model (per batch).</summary>
/// <param name="Layer">Layer name.</param>
/// <param name="Format">Dense, Csr or Csr16.</param>
/// <param name="Batch">Examples per inference.</param>
/// <param name="Flops">2 x MACs actually performed (dense: Rows·Cols·Positions; CSR: non-zeros·Positions) x batch.</param>
/// <param name="Bytes">DRAM bytes: weights (+ indices, row pointers) + activations in and out (+ im2col traffic for sparse conv).</param>
/// <param name="WeightBytes">Weight storage in this format.</param>
/// <param name="ComputeSeconds">Flops / (peak·efficiency).</param>
/// <param name="MemorySeconds">Bytes / (bandwidth·efficiency).</param>
/// <param name="Kernels">Kernel launches (1; 2 for a sparse conv: im2col + SpMM).</param>
/// <param name="LaunchSeconds">Kernels x launch overhead.</param>
public sealed record GpuLayerEstimate(string Layer, SparseFormat Format, int Batch, double Flops, double Bytes, long WeightBytes,
    double ComputeSeconds, double MemorySeconds, int Kernels, double LaunchSeconds)
{
    /// <summary>The roof that limits the layer.</summary>
    public RooflineBound Bound => ComputeSeconds >= MemorySeconds ? RooflineBound.Compute : RooflineBound.Memory;

    /// <summary>max(ComputeSeconds, MemorySeconds) + LaunchSeconds.</summary>
    public double Seconds => Math.Max(ComputeSeconds, MemorySeconds) + LaunchSeconds;
}
