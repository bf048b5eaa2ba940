// BenchReport: what `topiary bench --json` writes — the model and settings timed, the median latency of every runtime
// (Topiary's dense forward, compiled plan and fused copy, ONNX Runtime), the speed-ups against ONNX Runtime and, with
// --layers, every layer's own time; with several threads, the core-to-core round trip before and after timing (where the
// host runs its cores sets what every parallel region costs). All latencies are microseconds per call of the whole batch.
using Topiary.Runtime;

namespace Topiary.Cli.Reports;

/// <summary>The <c>bench</c> command's JSON report.</summary>
/// <param name="Model">The model's name (zoo or paper network name, or <c>onnx:FILE</c> for an imported model).</param>
/// <param name="Batch">Examples per call.</param>
/// <param name="Threads">Threads every runtime was allowed (<c>--threads</c>).</param>
/// <param name="Input">What the input held: <c>mnist</c> (the first test images) or <c>random</c> (seeded uniform |x|).</param>
/// <param name="Densities">The <c>--densities</c> profile applied before timing (<c>dense</c>, <c>han2015</c>, a uniform
/// density, or the JSON file's path).</param>
/// <param name="Granularity">The <c>--granularity</c> the profile pruned with (e.g. <c>fine</c>).</param>
/// <param name="KeptFractions">Layer name → fraction of its weights kept (0..1), for the layers the profile pruned; empty when dense.</param>
/// <param name="OrtDenseUs">ONNX Runtime's median µs per call (dense weights); absent without <c>--compare ort</c>.</param>
/// <param name="TopiaryDenseUs">Topiary's <c>Module.Forward</c> median µs per call.</param>
/// <param name="TopiaryPlanUs">The compiled inference plan's median µs per call; absent when the model is not a chain the plan runs.</param>
/// <param name="TopiaryFusedUs">The fused copy's median µs per call; absent when it was not timed (a chain without convolutions).</param>
/// <param name="SpeedupVsOrt">ONNX Runtime's median ÷ the faster of plan and fused (× faster than ORT); absent without ORT.</param>
/// <param name="DenseSpeedupVsOrt">ONNX Runtime's median ÷ Topiary's dense forward median; absent without ORT.</param>
/// <param name="Runtimes">Every runtime timed, in timing order.</param>
/// <param name="Layers">With <c>--layers</c>: every top-level layer timed alone (the fused copy's when there is one); else absent.</param>
/// <param name="CoreRoundTripBeforeNs">With more than one thread: the round trip of a cache line between cores 0 and 1
/// (<see cref="Topiary.Hardware.CoreLatency"/>, ns) just before timing; else absent.</param>
/// <param name="CoreRoundTripAfterNs">The same just after timing.</param>
public sealed record BenchReport(
    string Model,
    int Batch,
    int Threads,
    string Input,
    string Densities,
    string Granularity,
    IReadOnlyDictionary<string, double> KeptFractions,
    double? OrtDenseUs,
    double TopiaryDenseUs,
    double? TopiaryPlanUs,
    double? TopiaryFusedUs,
    double? SpeedupVsOrt,
    double? DenseSpeedupVsOrt,
    IReadOnlyList<BenchRuntime> Runtimes,
    IReadOnlyList<LayerTime>? Layers,
    double? CoreRoundTripBeforeNs = null,
    double? CoreRoundTripAfterNs = null);

/// <summary>One runtime's latency in a <see cref="BenchReport"/>.</summary>
/// <param name="Name">The runtime: <c>topiary dense</c>, <c>topiary plan</c>, <c>topiary fused</c> or <c>onnxruntime dense</c>.</param>
/// <param name="MedianUs">Median µs per call.</param>
/// <param name="P99Us">99th-percentile µs per call.</param>
/// <param name="MinUs">Fastest call in µs.</param>
/// <param name="Calls">Calls timed.</param>
public sealed record BenchRuntime(string Name, double MedianUs, double P99Us, double MinUs, int Calls)
{
    /// <summary>The row of a race result.</summary>
    public static BenchRuntime Of(string name, Latency latency)
    {
        ArgumentNullException.ThrowIfNull(latency);
        return new(name, latency.MedianUs, latency.P99Us, latency.MinUs, latency.Calls);
    }
}
