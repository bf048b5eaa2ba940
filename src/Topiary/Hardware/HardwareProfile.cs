// HardwareProfile: what a target offers — SIMD lanes, cores, caches, on-chip memory, clock, peak
// arithmetic rate and memory bandwidth — plus the list of assumptions behind every number. The host is
// detected (and optionally measured, HostMeasurement); the Cortex-M4 and the GPU are modelled from data
// sheets, and say so in Assumptions. Sizes are bytes (0 = none / unknown), rates are GFLOP/s and GB/s (1e9).
namespace Topiary.Hardware;

/// <summary>A hardware target: parallelism, memory hierarchy, peak rates and the assumptions behind them.</summary>
public sealed record HardwareProfile
{
    /// <summary>Names accepted by <see cref="ByName"/>.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["host", "cortex-m4", "gpu"];

    /// <summary>Short name: <c>host</c>, <c>cortex-m4</c> or <c>gpu</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Human-readable description (CPU model name for the host).</summary>
    public string Description { get; init; } = "";

    /// <summary>True when the numbers come from this machine (detected/measured); false when modelled.</summary>
    public required bool Measured { get; init; }

    /// <summary>Scalpel's parallelism class of the target.</summary>
    public required ParallelismClass Parallelism { get; init; }

    /// <summary>float32 lanes per SIMD operation (1 = scalar only; for the GPU: CUDA cores).</summary>
    public required int FloatLanes { get; init; }

    /// <summary>16-bit integer lanes per SIMD operation (the Cortex-M4's SMLAD works on 2).</summary>
    public required int Int16Lanes { get; init; }

    /// <summary>Cores (logical processors for the host; streaming multiprocessors for the GPU).</summary>
    public required int Cores { get; init; }

    /// <summary>L1 data cache per core in bytes (0 = none or unknown).</summary>
    public long L1dBytes { get; init; }

    /// <summary>L2 cache in bytes as seen by one core (0 = none or unknown).</summary>
    public long L2Bytes { get; init; }

    /// <summary>L3 cache in bytes as seen by one core (0 = none or unknown).</summary>
    public long L3Bytes { get; init; }

    /// <summary>On-chip SRAM usable for weights and activations in bytes (micro-controllers; 0 otherwise).</summary>
    public long SramBytes { get; init; }

    /// <summary>Clock in Hz (0 = unknown). For the host this is the frequency /proc/cpuinfo reported at detection.</summary>
    public double ClockHz { get; init; }

    /// <summary>Peak float32 (or, for the M4, 16-bit fixed-point MAC) rate in GFLOP/s, 2 flops per multiply-add (0 = not measured).</summary>
    public double PeakGflops { get; init; }

    /// <summary>Main-memory bandwidth in GB/s (0 = not measured).</summary>
    public double BandwidthGBps { get; init; }

    /// <summary>Every assumption or caveat behind the numbers above, one sentence each.</summary>
    public IReadOnlyList<string> Assumptions { get; init; } = [];

    /// <summary>
    /// The Cortex-M4 model: STM32F4-class part at 168 MHz, single core, no data cache, 2×16-bit SIMD (SMLAD),
    /// ~100 KB SRAM usable for weights and activations. Peak = 168 MHz × 2 MACs × 2 flops = 0.672 GOP/s.
    /// </summary>
    public static HardwareProfile CortexM4 { get; } = new()
    {
        Name = "cortex-m4",
        Description = "ARM Cortex-M4 (STM32F4-class, modelled)",
        Measured = false,
        Parallelism = ParallelismClass.Low,
        FloatLanes = 1,
        Int16Lanes = 2,
        Cores = 1,
        SramBytes = 100 * 1024,
        ClockHz = 168e6,
        PeakGflops = 168e6 * 2 * 2 / 1e9,
        BandwidthGBps = 168e6 * 4 / 1e9,
        Assumptions =
        [
            "Modelled, not measured: STM32F4-class Cortex-M4 at 168 MHz (STM32F407 maximum clock).",
            "No data cache; weights and activations in on-chip SRAM (~100 KB of the part's 192 KB left for them after stack, code buffers and I/O).",
            "16-bit fixed-point (Q15) weights and activations; SMLAD performs two 16x16 MACs per cycle on a packed pair, so PeakGflops counts 2 MACs x 2 ops per cycle.",
            "Bandwidth = one 32-bit SRAM access per cycle (168 MHz x 4 B); flash at 168 MHz needs 5 wait states (STM32F4 reference manual), hidden for code by the ART accelerator but not for streamed weight data.",
        ],
    };

    /// <summary>
    /// The GPU model: a GTX Titan X (Maxwell) class card — 3072 CUDA cores in 24 SMs, ~1.0 GHz, ~6.1 TFLOP/s
    /// float32, 336 GB/s GDDR5, 3 MB L2.
    /// </summary>
    public static HardwareProfile Gpu { get; } = new()
    {
        Name = "gpu",
        Description = "NVIDIA GTX Titan X (Maxwell) class GPU (modelled)",
        Measured = false,
        Parallelism = ParallelismClass.High,
        FloatLanes = 3072,
        Int16Lanes = 3072,
        Cores = 24,
        L1dBytes = 48 * 1024,
        L2Bytes = 3 * 1024 * 1024,
        ClockHz = 1.0e9,
        PeakGflops = 6144,
        BandwidthGBps = 336.5,
        Assumptions =
        [
            "Modelled, not measured: GTX Titan X (Maxwell) class, 3072 CUDA cores x 2 flops x ~1.0 GHz = ~6.1 TFLOP/s float32.",
            "336.5 GB/s GDDR5 (384-bit bus, 7 Gb/s); 3 MB L2; 48 KB L1/texture cache per SM (24 SMs).",
            "Per-kernel launch overhead ~5 us dominates small layers at batch 1 (see GpuRooflineModel).",
        ],
    };

    /// <summary>
    /// The profile called <paramref name="name"/> (case-insensitive): <c>host</c> (detected now with
    /// <see cref="HostProfile.Detect"/>, peak/bandwidth from <paramref name="hostMeasurement"/> when given),
    /// <c>cortex-m4</c> (<see cref="CortexM4"/>) or <c>gpu</c> (<see cref="Gpu"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="KnownNames"/> (the message lists them).</exception>
    public static HardwareProfile ByName(string name, HostMeasurement? hostMeasurement = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "host" => HostProfile.Detect(hostMeasurement),
            "cortex-m4" => CortexM4,
            "gpu" => Gpu,
            _ => throw new ArgumentException(
                $"Unknown hardware profile '{name}'. Known profiles: {string.Join(", ", KnownNames)}.", nameof(name)),
        };
    }
}
