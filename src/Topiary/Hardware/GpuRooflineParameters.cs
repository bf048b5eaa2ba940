// GpuRooflineParameters: every constant of the GPU roofline model, named and documented. Defaults describe a
// GTX Titan X (Maxwell) class card: 6.1 TFLOP/s float32 (3072 lanes x 2 x ~1.0 GHz), 336.5 GB/s, ~5 us per
// kernel launch, batch 1. Efficiencies are the fraction of peak a kernel class sustains: dense GEMM (cuBLAS/
// cuDNN) reaches ~70% of peak flops and ~80% of bandwidth on large problems; CSR SpMV/SpMM (cuSPARSE-like:
// irregular gathers, poor reuse, load imbalance) far less — 5% of peak flops and 30% of bandwidth by default.
namespace Topiary.Hardware;

/// <summary>Constants of <see cref="GpuRooflineModel"/> (defaults documented per member).</summary>
public sealed record GpuRooflineParameters
{
    /// <summary>Default parameters (GTX Titan X class, batch 1).</summary>
    public static GpuRooflineParameters Default { get; } = new();

    /// <summary>Peak float32 rate: 6144 GFLOP/s (3072 CUDA cores x 2 flops x 1.0 GHz).</summary>
    public double PeakGflops { get; init; } = 6144;

    /// <summary>DRAM bandwidth: 336.5 GB/s (GDDR5, 384-bit, 7 Gb/s).</summary>
    public double BandwidthGBps { get; init; } = 336.5;

    /// <summary>Per-kernel launch overhead: 5 µs.</summary>
    public double LaunchSeconds { get; init; } = 5e-6;

    /// <summary>Examples per inference: 1 (latency-oriented deployment, as in Scalpel's measurements).</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Fraction of peak flops a dense GEMM/GEMV/implicit-GEMM conv sustains: 0.7.</summary>
    public double DenseComputeEfficiency { get; init; } = 0.7;

    /// <summary>Fraction of bandwidth a dense kernel sustains: 0.8.</summary>
    public double DenseBandwidthEfficiency { get; init; } = 0.8;

    /// <summary>Fraction of peak flops a CSR SpMV/SpMM sustains: 0.05.</summary>
    public double SparseComputeEfficiency { get; init; } = 0.05;

    /// <summary>Fraction of bandwidth a CSR SpMV/SpMM sustains: 0.3.</summary>
    public double SparseBandwidthEfficiency { get; init; } = 0.3;

    /// <summary>Bytes per weight value (float32): 4.</summary>
    public int ValueBytes { get; init; } = 4;

    /// <summary>Bytes per activation (float32): 4.</summary>
    public int ActivationBytes { get; init; } = 4;

    /// <summary>Bytes per CSR row pointer: 4.</summary>
    public int RowPointerBytes { get; init; } = 4;
}
