// DemoLatency: the demo's latency stage. On the first MNIST test images (batch 1 and batch 64, one thread for
// every runtime — the batch-1 latency setting of `topiary bench`), times interleaved in one LatencyRace:
//   topiary dense (Module.Forward)  the dense reference through the training engine's layers
//   topiary dense plan              the dense reference compiled into an InferencePlan, every layer dense
//   topiary pruned plan             the pruned model compiled with FormatChooser's per-layer choice (sparse formats)
//   topiary .tpz plan               the model decoded from the .tpz container, compiled the same way
//   onnxruntime dense               ONNX Runtime on the exported dense reference
//   onnxruntime pruned              ONNX Runtime on the exported pruned model (zeros stored, run densely)
// Every output is checked against its model's Module.Forward before timing. Speedups are ORT dense's median over
// each runtime's median, measured in the same run.
using Topiary.Cli.Bench;
using Topiary.Cli.Reports;
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Cli.Commands;

/// <summary>Runs the demo's latency stage.</summary>
public static class DemoLatency
{
    /// <summary>Name of the ONNX Runtime dense contender (the speedup baseline).</summary>
    public const string OrtDense = "onnxruntime dense";

    /// <summary>Name of the pruned model's compiled plan.</summary>
    public const string PrunedPlan = "topiary pruned plan";

    /// <summary>Batch sizes timed.</summary>
    public static IReadOnlyList<int> Batches { get; } = [1, 64];

    /// <summary>
    /// Times the runtimes listed in the file comment at every batch of <see cref="Batches"/> on the first test images
    /// of <paramref name="test"/>, single-threaded (<see cref="Threading.MaxDegreeOfParallelism"/> is restored after).
    /// </summary>
    /// <param name="dense">The dense reference.</param>
    /// <param name="pruned">The pruned model (before quantization).</param>
    /// <param name="decoded">The model decoded from the container.</param>
    /// <param name="exampleShape">Per-example input shape.</param>
    /// <param name="test">Test images in the models' pixel scaling; at least the largest batch.</param>
    /// <param name="secondsPerRuntime">Timing budget per runtime and batch size.</param>
    /// <param name="decodeMs">The measured container decode time, passed through to the report.</param>
    /// <param name="messages">Stage messages.</param>
    /// <exception cref="ArgumentException">Fewer test images than the largest batch.</exception>
    /// <exception cref="InvalidOperationException">A runtime's output disagrees with its model's.</exception>
    public static DemoLatencyReport Run(Module dense, Module pruned, Module decoded, int[] exampleShape, Data.ImageDataset test,
        double secondsPerRuntime, double decodeMs, IProgress<string>? messages = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(exampleShape);
        if (test.Count < Batches.Max()) throw new ArgumentException($"Need at least {Batches.Max()} test images; got {test.Count}.", nameof(test));
        const int threads = 1;
        using (Threading.Limit(threads))
        {
            var runs = new List<DemoLatencyRun>();
            IReadOnlyList<DemoPlanLayer> formats = [];
            foreach (int batch in Batches)
            {
                messages?.Report($"timing batch {batch}: Topiary dense, dense plan, pruned plan, .tpz plan, ONNX Runtime dense and pruned ({secondsPerRuntime:F1} s each)");
                var x = new Tensor([batch, .. exampleShape]);
                test.Images.AsSpan(0, x.Length).CopyTo(x.Span);
                using var race = new LatencyRace(x, exampleShape, threads);
                race.AddForward("topiary dense (Module.Forward)", dense);
                race.AddPlan("topiary dense plan", dense, PlanOptions.AllDense);
                var plan = race.AddPlan(PrunedPlan, pruned, PlanOptions.Default);
                race.AddPlan("topiary .tpz plan", decoded, PlanOptions.Default);
                race.AddOrt(OrtDense, dense);
                race.AddOrt("onnxruntime pruned", pruned);
                if (batch == 1)
                    formats = plan.Steps.Where(s => s.Format is not null).Select(s => new DemoPlanLayer(s.Name, s.Kind, s.Density, s.WeightBytes)).ToArray();
                var results = race.Run(secondsPerRuntime);
                double ort = results.Single(r => r.Name == OrtDense).Latency.MedianUs;
                runs.Add(new DemoLatencyRun(batch, secondsPerRuntime, results.Select(r => new DemoRuntimeLatency(r.Name, r.Latency.MedianUs,
                    r.Latency.P99Us, r.Latency.MinUs, r.Latency.Calls, r.Latency.MedianUs / batch, ort / r.Latency.MedianUs)).ToArray()));
            }
            return new DemoLatencyReport(threads, "the first MNIST test images", decodeMs, runs, formats);
        }
    }
}
