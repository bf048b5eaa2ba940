// DemoReport: report.json of `topiary demo` — the Deep Compression report (which holds the Han 2015 pruning
// report: sensitivity, rounds, per-layer kept fractions), test error vs overall sparsity per pruning round, the
// latency stage, the energy stage, the machine and the wall time. Every number index.md and the console show is
// in here, up to a unit change for display (bytes or bits → KB, fractions → %).
using Topiary.Experiments;

namespace Topiary.Cli.Commands;

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
