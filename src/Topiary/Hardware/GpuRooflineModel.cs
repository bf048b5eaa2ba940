// GpuRooflineModel: per-layer GPU time from a roofline, time = max(flops / (peak·eff_c), bytes / (bw·eff_b))
// + kernels·launch, with parameters p (GpuRooflineParameters), batch B, X = InputElements, Y = OutputElements:
//  Dense (cuBLAS GEMV/GEMM for FC, implicit-GEMM conv, no im2col buffer):
//    flops = 2·B·Rows·Cols·Positions; bytes = Rows·Cols·v + B·(X + Y)·a; 1 kernel; dense efficiencies.
//  Csr / Csr16 (cuSPARSE-like SpMV/SpMM; conv lowered with an explicit im2col kernel first):
//    flops = 2·B·nnz·Positions; bytes = nnz·(v + i) + (Rows+1)·rp + B·(Xs + Y)·a, with i = 4 (Csr) or 2 (Csr16) and
//    Xs = X for FC; for conv Xs = X + 2·Cols·Positions (im2col reads X, writes and SpMM re-reads the patch matrix);
//    FC: 1 kernel, conv: 2; sparse efficiencies.
//  Node-pruned layers are smaller dense layers: cost LayerWorkload.Shrunk() as Dense. SimdGroup and Block are not
//  modelled on the GPU. Weight bytes (biases excluded): Dense Rows·Cols·v; CSR nnz·(v + i) + (Rows+1)·rp.
using Topiary.Nn;
using Topiary.Runtime.Sparse;

namespace Topiary.Hardware;

/// <summary>Roofline latency model of a GTX Titan X class GPU.</summary>
public sealed class GpuRooflineModel : ProfiledCostModel
{
    /// <summary>A model with the given parameters (default <see cref="GpuRooflineParameters.Default"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate, efficiency, batch or byte size is not positive, or an efficiency exceeds 1.</exception>
    public GpuRooflineModel(GpuRooflineParameters? parameters = null) : base(HardwareProfile.Gpu)
    {
        var p = parameters ?? GpuRooflineParameters.Default;
        Positive(p.PeakGflops, nameof(p.PeakGflops));
        Positive(p.BandwidthGBps, nameof(p.BandwidthGBps));
        Positive(p.Batch, nameof(p.Batch));
        Positive(p.ValueBytes, nameof(p.ValueBytes));
        Positive(p.ActivationBytes, nameof(p.ActivationBytes));
        Positive(p.RowPointerBytes, nameof(p.RowPointerBytes));
        if (!(p.LaunchSeconds >= 0)) throw new ArgumentOutOfRangeException(nameof(parameters), p.LaunchSeconds, "LaunchSeconds must be non-negative.");
        foreach (var (value, name) in new[]
                 {
                     (p.DenseComputeEfficiency, nameof(p.DenseComputeEfficiency)), (p.DenseBandwidthEfficiency, nameof(p.DenseBandwidthEfficiency)),
                     (p.SparseComputeEfficiency, nameof(p.SparseComputeEfficiency)), (p.SparseBandwidthEfficiency, nameof(p.SparseBandwidthEfficiency)),
                 })
            if (!(value > 0 && value <= 1)) throw new ArgumentOutOfRangeException(nameof(parameters), value, $"{name} must be in (0, 1].");
        Parameters = p;
    }

    /// <summary>The model's parameters.</summary>
    public GpuRooflineParameters Parameters { get; }

    /// <inheritdoc/>
    private protected override IEnumerable<string> ModelAssumptions =>
    [
        $"Roofline: time = max(flops / (peak x efficiency), bytes / (bandwidth x efficiency)) + {Parameters.LaunchSeconds * 1e6:F1} us per kernel; peak {Parameters.PeakGflops} GFLOP/s, {Parameters.BandwidthGBps} GB/s; batch {Parameters.Batch}.",
        $"Dense kernels (cuBLAS/cuDNN implicit GEMM): {Parameters.DenseComputeEfficiency:P0} of peak flops, {Parameters.DenseBandwidthEfficiency:P0} of bandwidth.",
        $"CSR kernels (cuSPARSE-like): {Parameters.SparseComputeEfficiency:P0} of peak flops, {Parameters.SparseBandwidthEfficiency:P0} of bandwidth; sparse conv adds an im2col kernel and its traffic; index bytes counted.",
        "Every operand crosses DRAM once per kernel (no L2 reuse across kernels); float32 values and activations; biases and activation functions fused and ignored.",
        "Node-pruned layers are modelled as smaller dense layers (LayerWorkload.Shrunk()).",
    ];

    /// <summary>Weight bytes of <paramref name="layer"/> in <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">The format is not modelled (SimdGroup, Block).</exception>
    public long WeightBytes(LayerWorkload layer, SparseFormat format)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var p = Parameters;
        return format switch
        {
            SparseFormat.Dense => layer.Weights * p.ValueBytes,
            SparseFormat.Csr => layer.NonZeros * (p.ValueBytes + 4) + (layer.Rows + 1L) * p.RowPointerBytes,
            SparseFormat.Csr16 => layer.NonZeros * (p.ValueBytes + 2) + (layer.Rows + 1L) * p.RowPointerBytes,
            _ => throw new ArgumentException($"Format {format} is not modelled on the GPU (modelled: Dense, Csr, Csr16).", nameof(format)),
        };
    }

    /// <summary>The roofline estimate of <paramref name="layer"/> in <paramref name="format"/> (see the file header).</summary>
    /// <exception cref="ArgumentException">The format is not modelled (SimdGroup, Block).</exception>
    public GpuLayerEstimate Estimate(LayerWorkload layer, SparseFormat format)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var p = Parameters;
        long weightBytes = WeightBytes(layer, format);
        double b = p.Batch;
        double flops, bytes, computeEff, bandwidthEff;
        int kernels = 1;
        if (format == SparseFormat.Dense)
        {
            flops = 2 * b * layer.DenseMacs;
            bytes = weightBytes + b * (layer.InputElements + layer.OutputElements) * p.ActivationBytes;
            computeEff = p.DenseComputeEfficiency;
            bandwidthEff = p.DenseBandwidthEfficiency;
        }
        else
        {
            flops = 2 * b * layer.NonZeros * (double)layer.Positions;
            double input = layer.InputElements;
            if (layer.Kind == LayerKind.Conv)
            {
                input += 2.0 * layer.Cols * layer.Positions;
                kernels = 2;
            }
            bytes = weightBytes + b * (input + layer.OutputElements) * p.ActivationBytes;
            computeEff = p.SparseComputeEfficiency;
            bandwidthEff = p.SparseBandwidthEfficiency;
        }
        double compute = flops / (p.PeakGflops * 1e9 * computeEff);
        double memory = bytes / (p.BandwidthGBps * 1e9 * bandwidthEff);
        return new GpuLayerEstimate(layer.Name, format, p.Batch, flops, bytes, weightBytes, compute, memory, kernels, kernels * p.LaunchSeconds);
    }

    /// <inheritdoc/>
    public override LayerCost Cost(LayerWorkload layer, SparseFormat format)
    {
        var e = Estimate(layer, format);
        return new LayerCost(layer.Name, format, e.Seconds, e.WeightBytes, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{e.Bound}-bound: flops {e.Flops:G4} ({e.ComputeSeconds * 1e6:F2} us), bytes {e.Bytes:G4} ({e.MemorySeconds * 1e6:F2} us), {e.Kernels} kernel(s) {e.LaunchSeconds * 1e6:F1} us"));
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }
}
