// ScalpelCosting: dense vs traditional pruning vs Scalpel on one platform, for ScalpelReport.
//   host (measured): the three networks compiled into InferencePlans at batch 1 and timed INTERLEAVED on one thread
//     (LatencyMeter.Compare) on a real MNIST test image; the dense baseline is the faster of Module.Forward and the
//     all-dense plan (our best dense kernels); traditional = every pruned layer as CSR (the paper's definition);
//     Scalpel = the plan's own format choice (SIMD-group CSR for group-sparse layers, dense for shrunk/dense ones).
//     Per-layer times come from InferencePlan.TimeSteps; weight bytes from each step's format.
//   cortex-m4 / gpu (modelled): LayerWorkload.FromModel of each network; traditional = Csr16 (M4) / Csr (GPU) for
//     pruned layers; Scalpel = SimdGroup (M4) for pruned layers and Dense for node-pruned, shrunk layers.
using Topiary.Hardware;
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Runtime.Sparse;

namespace Topiary.Experiments;

internal static class ScalpelCosting
{
    public static ScalpelPlatform Evaluate(HardwareProfile profile, int[] inputShape, float[] input, Module dense, Module traditional, Module scalpel,
        double traditionalError, double scalpelError, double seconds)
    {
        var paper = ScalpelPaper.Platforms.FirstOrDefault(p => p.Platform == profile.Name);
        string parallelism = profile.Parallelism.ToString().ToLowerInvariant();
        string method = profile.Parallelism switch
        {
            ParallelismClass.Low => "SIMD-aware weight pruning on every layer",
            ParallelismClass.Moderate => "SIMD-aware weight pruning on FC layers + node pruning on conv layers",
            _ => "node pruning (layers stay dense, only smaller)",
        };
        if (profile.Measured)
            return Measure(profile, inputShape, input, dense, traditional, scalpel, traditionalError, scalpelError, seconds, paper, parallelism, method);

        ILayerCostModel model = profile.Name switch
        {
            "cortex-m4" => new CortexM4CycleModel(),
            "gpu" => new GpuRooflineModel(),
            _ => throw new ArgumentException($"No cost model for platform '{profile.Name}'.", nameof(profile)),
        };
        var denseW = LayerWorkload.FromModel(dense, inputShape);
        var tradW = LayerWorkload.FromModel(traditional, inputShape);
        var scalW = LayerWorkload.FromModel(scalpel, inputShape);
        SparseFormat csr = profile.Name == "cortex-m4" ? SparseFormat.Csr16 : SparseFormat.Csr;
        SparseFormat group = profile.Name == "cortex-m4" ? SparseFormat.SimdGroup : SparseFormat.Dense;
        NetworkCostResult Cost(IReadOnlyList<LayerWorkload> w, SparseFormat sparse) => model is CortexM4CycleModel
            ? CortexM4CycleModel.EstimateNetwork(w, Formats(w, sparse), denseW)
            : NetworkCost.Evaluate(model, w, Formats(w, sparse), denseW);
        var (trad, scal) = (Cost(tradW, csr), Cost(scalW, group));
        double denseUs = trad.BaselineSeconds * 1e6;
        return new ScalpelPlatform(profile.Name, false, parallelism, method, denseUs, trad.Seconds * 1e6, scal.Seconds * 1e6,
            trad.Speedup, scal.Speedup, trad.SizeReduction, scal.SizeReduction, traditionalError, scalpelError, paper,
            Costs(trad.Baseline), Costs(trad.Layers), Costs(scal.Layers),
            [.. profile.Assumptions, .. trad.Assumptions, .. scal.Assumptions.Except(trad.Assumptions)]);
    }

    // Pruned layers (any zero weight) in `sparse`, untouched ones dense.
    private static SparseFormat[] Formats(IReadOnlyList<LayerWorkload> layers, SparseFormat sparse) =>
        layers.Select(l => l.NonZeros < l.Weights ? sparse : SparseFormat.Dense).ToArray();

    private static ScalpelLayerCost[] Costs(IReadOnlyList<LayerCost> costs) =>
        costs.Select(c => new ScalpelLayerCost(c.Layer, c.Format.ToName(), c.Seconds * 1e6, c.WeightBytes, c.Detail)).ToArray();

    private static ScalpelPlatform Measure(HardwareProfile profile, int[] inputShape, float[] input, Module dense, Module traditional, Module scalpel,
        double traditionalError, double scalpelError, double seconds, ScalpelPaperPlatform? paper, string parallelism, string method)
    {
        var densePlan = InferencePlan.Compile(AsSequential(dense), inputShape, 1, PlanOptions.AllDense);
        var tradPlan = InferencePlan.Compile(AsSequential(traditional), inputShape, 1, PlanOptions.AllSparse(SparseFormat.Csr));
        var scalPlan = InferencePlan.Compile(AsSequential(scalpel), inputShape, 1, PlanOptions.Default);
        var x = new Tensors.Tensor([1, .. inputShape]);
        input.AsSpan(0, x.Length).CopyTo(x.Span);
        var outDense = new float[densePlan.OutputLength];
        var outTrad = new float[tradPlan.OutputLength];
        var outScal = new float[scalPlan.OutputLength];
        using (Tensors.Threading.Limit(1))
        {
            var l = LatencyMeter.Compare(
            [
                () => dense.Forward(x, training: false),
                () => densePlan.Run(x.Data, outDense),
                () => tradPlan.Run(x.Data, outTrad),
                () => scalPlan.Run(x.Data, outScal),
            ], seconds);
            double forwardUs = l[0].MedianUs, densePlanUs = l[1].MedianUs, tradUs = l[2].MedianUs, scalUs = l[3].MedianUs;
            double denseUs = Math.Min(forwardUs, densePlanUs);
            long denseBytes = densePlan.WeightBytes, tradBytes = tradPlan.WeightBytes, scalBytes = scalPlan.WeightBytes;
            return new ScalpelPlatform(profile.Name, true, parallelism, method, denseUs, tradUs, scalUs, denseUs / tradUs, denseUs / scalUs,
                1 - (double)tradBytes / denseBytes, 1 - (double)scalBytes / denseBytes, traditionalError, scalpelError, paper,
                Steps(densePlan, x.Data, seconds / 3), Steps(tradPlan, x.Data, seconds / 3), Steps(scalPlan, x.Data, seconds / 3),
                [
                    .. profile.Assumptions,
                    $"Measured on this machine at batch 1, one thread, median of calls timed interleaved over {seconds:0.#} s; dense baseline = min(Module.Forward {forwardUs:0.0} µs, all-dense plan {densePlanUs:0.0} µs).",
                    "Traditional pruning runs every pruned layer as CSR (int32 indices), as in the paper; Scalpel uses the plan's format choice.",
                    "Weight bytes: 4 B per stored value plus the format's indices and row pointers (biases excluded).",
                ]);
        }
    }

    private static ScalpelLayerCost[] Steps(InferencePlan plan, float[] input, double seconds)
    {
        var times = plan.TimeSteps(input, seconds);
        return plan.Steps.Select((s, i) => (s, i)).Where(p => p.s.Format is not null)
            .Select(p => new ScalpelLayerCost(p.s.Name, p.s.Format!.Value.ToName(), times[p.i].MedianUs, p.s.WeightBytes, p.s.Detail)).ToArray();
    }

    private static Sequential AsSequential(Module m) =>
        m as Sequential ?? throw new ArgumentException($"Scalpel costing needs a Sequential model; got {m.GetType().Name}.", nameof(m));
}
