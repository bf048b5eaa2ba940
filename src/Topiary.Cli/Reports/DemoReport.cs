// DemoReport: report.json of `topiary demo` — the Deep Compression report (which holds the Han 2015 pruning
// report: sensitivity, rounds, per-layer kept fractions), test error vs overall sparsity per pruning round, the
// latency stage (DemoLatency: every runtime's median, p99 and speed-up against ONNX Runtime per batch size, the
// pruned plan's weight formats), the energy stage (ModelEnergy's estimates, per layer and in total, dense and pruned), the
// machine and the wall time. Every number index.md and the console show is in here, up to a unit change for
// display (bytes or bits → KB, fractions → %).
using Topiary.Experiments;
using Topiary.Hardware.Energy;

namespace Topiary.Cli.Reports;

/// <summary>Test error at one overall sparsity of the iterative schedule.</summary>
/// <param name="Round">Pruning round; 0 = the dense reference.</param>
/// <param name="Sparsity">1 − non-zero parameters / parameters (all parameters, biases included).</param>
/// <param name="PrunedTestError">Test error right after pruning, before retraining (round 0: the reference's).</param>
/// <param name="RetrainedTestError">Test error after the round's retraining (round 0: the reference's).</param>
public sealed record DemoRoundPoint(int Round, double Sparsity, double PrunedTestError, double RetrainedTestError)
{
    /// <summary>The reference (round 0) and one point per round of <paramref name="han"/>.</summary>
    public static IReadOnlyList<DemoRoundPoint> From(Han2015Report han)
    {
        ArgumentNullException.ThrowIfNull(han);
        var points = new List<DemoRoundPoint> { new(0, 1 - (double)han.Reference.NonzeroParams / han.Reference.Params, han.Reference.TestError, han.Reference.TestError) };
        points.AddRange(han.Rounds.Select(r => new DemoRoundPoint(r.Round, 1 - (double)r.NonZeroParams / han.Reference.Params, r.PrunedTestError, r.RetrainedTestError)));
        return points;
    }
}

/// <summary>The machine the demo ran on.</summary>
/// <param name="ProcessorCount">Logical processors.</param>
/// <param name="Os">Operating system description.</param>
/// <param name="LoadAverage">1-minute load average just before the latency stage (Linux /proc/loadavg; null elsewhere).</param>
public sealed record DemoMachine(int ProcessorCount, string Os, double? LoadAverage)
{
    /// <summary>Describes the current machine now.</summary>
    public static DemoMachine Current()
    {
        double? load = null;
        try
        {
            if (File.Exists("/proc/loadavg")
                && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out double l))
                load = l;
        }
        catch (IOException)
        {
        }
        return new DemoMachine(Environment.ProcessorCount, System.Runtime.InteropServices.RuntimeInformation.OSDescription, load);
    }
}

/// <summary>Everything the demo measured.</summary>
/// <param name="Model">Zoo model.</param>
/// <param name="Quick">Whether this was a <c>--quick</c> run.</param>
/// <param name="DeepCompression">Training, pruning (its <c>pruning_report</c>) and compression.</param>
/// <param name="AccuracyVsSparsity">Test error vs overall sparsity per pruning round.</param>
/// <param name="ContainerSparsity">Overall sparsity of the model decoded from the container.</param>
/// <param name="Latency">The latency stage.</param>
/// <param name="Energy">The energy stage.</param>
/// <param name="Machine">Where it ran.</param>
/// <param name="Seconds">Wall time of the whole demo.</param>
public sealed record DemoReport(string Model, bool Quick, DeepCompressionReport DeepCompression, IReadOnlyList<DemoRoundPoint> AccuracyVsSparsity,
    double ContainerSparsity, DemoLatencyReport Latency, DemoEnergyReport Energy, DemoMachine Machine, double Seconds);

/// <summary>One runtime's latency at one batch size.</summary>
/// <param name="Runtime">Contender name.</param>
/// <param name="MedianUs">Median µs per call (one call = one batch).</param>
/// <param name="P99Us">99th-percentile µs per call.</param>
/// <param name="MinUs">Fastest call, µs.</param>
/// <param name="Calls">Timed calls.</param>
/// <param name="UsPerImage">MedianUs / batch.</param>
/// <param name="SpeedupVsOrtDense">ORT dense's median / this median.</param>
public sealed record DemoRuntimeLatency(string Runtime, double MedianUs, double P99Us, double MinUs, int Calls, double UsPerImage,
    double SpeedupVsOrtDense);

/// <summary>All runtimes at one batch size.</summary>
/// <param name="Batch">Examples per call.</param>
/// <param name="SecondsPerRuntime">Timing budget per runtime.</param>
/// <param name="Runtimes">One entry per runtime, in race order.</param>
public sealed record DemoLatencyRun(int Batch, double SecondsPerRuntime, IReadOnlyList<DemoRuntimeLatency> Runtimes);

/// <summary>One weight step of the pruned model's compiled plan.</summary>
/// <param name="Step">Step name (layer, with a fused ReLU).</param>
/// <param name="Format">Weight format FormatChooser picked.</param>
/// <param name="Density">Fraction of non-zero weights.</param>
/// <param name="WeightBytes">Weight storage of the step in that format.</param>
public sealed record DemoPlanLayer(string Step, string Format, double Density, long WeightBytes);

/// <summary>The latency stage's results.</summary>
/// <param name="Threads">Threads every runtime used.</param>
/// <param name="Input">Where the input came from.</param>
/// <param name="DecodeMs">Milliseconds to read and decode the .tpz container into a model (one measurement).</param>
/// <param name="Runs">One entry per batch size.</param>
/// <param name="PrunedPlan">The weight formats of the pruned model's batch-1 plan.</param>
public sealed record DemoLatencyReport(int Threads, string Input, double DecodeMs, IReadOnlyList<DemoLatencyRun> Runs,
    IReadOnlyList<DemoPlanLayer> PrunedPlan);

/// <summary>One model's estimate for one layer.</summary>
/// <param name="WeightDensity">Non-zero weights / weights.</param>
/// <param name="InputDensity">Measured non-zero fraction of the layer's input.</param>
/// <param name="NonSkippedMacs">MACs with a non-zero weight and input (Macs·wd·ad).</param>
/// <param name="Energy">Energy per level (computation, DRAM, buffer, array, RF) and total.</param>
public sealed record DemoLayerEnergy(double WeightDensity, double InputDensity, double NonSkippedMacs, EnergyBreakdown Energy);

/// <summary>One layer, dense and pruned.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Macs">Dense MACs of one inference.</param>
/// <param name="Dense">The dense reference's estimate.</param>
/// <param name="Pruned">The pruned model's estimate.</param>
public sealed record DemoEnergyLayer(string Name, long Macs, DemoLayerEnergy Dense, DemoLayerEnergy Pruned)
{
    /// <summary>Dense total / pruned total of this layer.</summary>
    public double Ratio => Dense.Energy.Total / Pruned.Energy.Total;
}

/// <summary>
/// The energy stage's results: the Eyeriss-like row-stationary estimate (Yang et al. 2017's model, 16-bit data) of one
/// inference of the dense reference and of the pruned model, from ModelEnergy (the estimate energy-aware pruning ranks
/// layers by) — weight densities the models' real non-zero fractions, input-activation densities MEASURED on the first
/// <c>Images</c> test images through each model, so the pruned model's own activations are used for it. Energies are in
/// the model's normalised unit (one 16-bit MAC = 1).
/// </summary>
/// <param name="Profile">Energy model.</param>
/// <param name="Unit">Unit of every energy.</param>
/// <param name="Bits">Data bit width.</param>
/// <param name="Images">Test images the activation densities were measured on.</param>
/// <param name="Layers">Per layer, in order.</param>
/// <param name="Dense">Σ over the dense reference's layers.</param>
/// <param name="Pruned">Σ over the pruned model's layers.</param>
/// <param name="Ratio">Dense total / pruned total.</param>
public sealed record DemoEnergyReport(string Profile, string Unit, int Bits, int Images, IReadOnlyList<DemoEnergyLayer> Layers,
    EnergyBreakdown Dense, EnergyBreakdown Pruned, double Ratio)
{
    /// <summary>Data bit width of the estimate (Eyeriss's).</summary>
    public const int DataBits = 16;

    /// <summary>The report of the estimates of the dense reference and the pruned model, measured on <paramref name="images"/> images.</summary>
    /// <exception cref="ArgumentException">The two estimates' weight layers differ.</exception>
    public static DemoEnergyReport Of(NetworkEnergy dense, NetworkEnergy pruned, int images)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(pruned);
        if (dense.Layers.Count != pruned.Layers.Count || dense.Layers.Zip(pruned.Layers).Any(x => x.First.Layer.Name != x.Second.Layer.Name))
            throw new ArgumentException("The dense and pruned models' weight layers differ.", nameof(pruned));
        static DemoLayerEnergy Of(LayerEnergy l) => new(l.WeightDensity, l.InputDensity, l.NonSkippedMacs, l.Energy);
        var layers = dense.Layers.Zip(pruned.Layers, (d, p) => new DemoEnergyLayer(d.Layer.Name, d.Macs, Of(d), Of(p))).ToArray();
        return new DemoEnergyReport(dense.Profile, dense.Unit, dense.Bits, images, layers, dense.Total, pruned.Total, dense.Total.Total / pruned.Total.Total);
    }
}
