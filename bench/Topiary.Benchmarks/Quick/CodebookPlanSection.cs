// CodebookPlanSection (`quick --only codebook-plan`): a Deep Compression LeNet-300-100 run from its codes against the
// same container decoded to floats, batch 1, one thread. The container is the file named by TOPIARY_QUICK_TPZ when set
// (e.g. one made with train → prune → compress), else three seeded synthetic ones (zoo weights, seed 5, pruned one-shot
// by magnitude to Han et al.'s 8/9/26 % kept; 6-bit codebooks as the paper, then 5 and 4 bits: 63, 31 and 15 centroids,
// each a different register lookup in CodebookKernels). For each container, both plans (InferencePlan.FromCompressed vs
// InferencePlan.Compile of the decoded model, each with its default formats) are timed INTERLEAVED (LatencyMeter) on the
// first 64 MNIST test images, cycled (random inputs with 80 % zeros when MNIST is not cached); each timed call runs 16
// inferences (LatencyMeter's clock has 0.1 µs ticks), reported per inference. Rows: each plan's median latency and
// weight bytes; ratios codes / floats (below 1: the codes plan is faster / smaller). Then, to see where the time goes:
// every weight step of both plans timed alone on its real inputs (the previous step's outputs for the same images),
// interleaved, codes / floats per layer; per weight layer the sell steps the kernels run per image (a window position
// whose two input registers are all zero is skipped) against all steps, and the inputs that are non-zero (AVX2 hosts
// without AVX-512 keep the rows instead of the sell layout: the non-zero inputs only); each plan's bytes with the
// column forms its batch-1 steps keep for the walk over non-zero inputs; and the
// first layer's float CSR column dataflow (CscColumns: skips every zero input) against its float sell layer.
using Topiary.Compression.Container;
using Topiary.Compression.Quantization;
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Runtime;
using Topiary.Runtime.Sparse;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Benchmarks.Quick;

/// <summary>A .tpz LeNet-300-100's codes plan against its decoded float plan.</summary>
public sealed class CodebookPlanSection : IQuickSection
{
    private const int Images = 64;
    private const int Repeat = 16; // inferences per timed call

    /// <inheritdoc/>
    public string Name => "codebook-plan";

    /// <inheritdoc/>
    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        string? path = Environment.GetEnvironmentVariable("TOPIARY_QUICK_TPZ");
        List<(string Source, CompressedFile File)> containers = path is null
            ? [.. new[] { 6, 5, 4 }.Select(bits => ($"synthetic, {bits}-bit", Synthetic(bits)))]
            : [(Path.GetFileName(path), CompressedModel.LoadWithCodes(path))];
        var inputs = Inputs();
        using (Threading.Limit(1))
            return [.. containers.SelectMany(c => Measure(c.Source, c.File, inputs, context))];
    }

    private List<QuickRow> Measure(string source, CompressedFile file, float[][] inputs, QuickContext context)
    {
        int[] shape = [1, 28, 28];
        var codes = InferencePlan.FromCompressed(file, shape, 1, new PlanOptions { Threads = 1 });
        var floats = InferencePlan.Compile((Sequential)file.Model.Network, shape, 1, new PlanOptions { Threads = 1 });
        var output = new float[10];
        int a = 0, b = 0;
        var times = LatencyMeter.Compare(
            [
                () => { for (int k = 0; k < Repeat; k++) codes.Run(inputs[a++ % Images], output); },
                () => { for (int k = 0; k < Repeat; k++) floats.Run(inputs[b++ % Images], output); },
            ],
            seconds: 3 * context.TimeScale, warmup: 20, sliceSeconds: 0.01);
        double codesUs = times[0].MedianUs / Repeat, floatsUs = times[1].MedianUs / Repeat;
        string kinds = string.Join("/", floats.Steps.Where(s => s.Format is not null).Select(s => s.Kind));
        return
        [
            new(Name, $"lenet-300-100 ({source}) codes plan b1", codesUs, "us", codesUs / floatsUs, "decoded float plan"),
            new(Name, $"lenet-300-100 ({source}) float plan b1 ({kinds})", floatsUs, "us"),
            new(Name, "codes plan weight bytes", codes.WeightBytes, "B", (double)codes.WeightBytes / floats.WeightBytes, "decoded float plan"),
            new(Name, "float plan weight bytes", floats.WeightBytes, "B"),
            new(Name, "codes plan weight + column-form bytes", codes.WeightBytes + codes.ColumnBytes, "B",
                (double)(codes.WeightBytes + codes.ColumnBytes) / (floats.WeightBytes + floats.ColumnBytes), "float plan's"),
            new(Name, "float plan weight + column-form bytes", floats.WeightBytes + floats.ColumnBytes, "B"),
            .. PerLayer(codes, floats, inputs, context),
        ];
    }

    // Per weight step: codes / floats latency on the step's real inputs; steps run and non-zero inputs (codes plan);
    // the first layer's CSR column dataflow on the same inputs.
    private List<QuickRow> PerLayer(InferencePlan codes, InferencePlan floats, float[][] inputs, QuickContext context)
    {
        var codesInputs = StepInputs(codes, inputs);
        var floatInputs = StepInputs(floats, inputs);
        var weighted = Enumerable.Range(0, codes.Steps.Count).Where(i => codes.Steps[i].Format is not null).ToList();
        var actions = new List<Action>();
        foreach (int i in weighted)
        {
            actions.Add(Loop(codes.Steps[i], codesInputs[i]));
            actions.Add(Loop(floats.Steps[i], floatInputs[i]));
        }
        var first = floats.Steps[weighted[0]];
        var columns = new CsrWeight(first.Weight!.ToDense(), first.Weight.Rows, first.Weight.Cols).ToColumns();
        var y = new float[first.OutputLength];
        int c = 0;
        actions.Add(() => { for (int k = 0; k < Repeat; k++) columns.Multiply(floatInputs[weighted[0]][c++ % Images], y, default, true); });
        var times = LatencyMeter.Compare(actions, seconds: 3 * context.TimeScale, warmup: 20, sliceSeconds: 0.01);
        var rows = new List<QuickRow>();
        for (int n = 0; n < weighted.Count; n++)
        {
            var step = codes.Steps[weighted[n]];
            var (run, all, nonZero) = Activity(step.Weight!, codesInputs[weighted[n]]);
            string floatKind = floats.Steps[weighted[n]].Kind;
            rows.Add(new(Name, $"  {step.Name} {step.Kind} b1", times[2 * n].MedianUs / Repeat, "us", times[2 * n].MedianUs / times[2 * n + 1].MedianUs,
                $"{floatKind} layer of the float plan"));
            if (all > 0) rows.Add(new(Name, $"  {step.Name} steps run per image (of {all}; {nonZero:F0} of {step.InputLength} inputs non-zero)", run, "steps"));
            else rows.Add(new(Name, $"  {step.Name} inputs non-zero per image (of {step.InputLength}; rows kept, no sell layout)", nonZero, "inputs"));
        }
        rows.Add(new(Name, $"  {first.Name} float CSR column dataflow b1", times[^1].MedianUs / Repeat, "us", times[^1].MedianUs / times[1].MedianUs,
            $"{first.Kind} layer of the float plan"));
        return rows;
    }

    // xs[i][k] = step i's input for image k (the plan's previous step's output).
    private static float[][][] StepInputs(InferencePlan plan, float[][] inputs)
    {
        var xs = new float[plan.Steps.Count][][];
        for (int i = 0; i < xs.Length; i++) xs[i] = new float[Images][];
        for (int k = 0; k < Images; k++)
        {
            float[] x = inputs[k];
            for (int i = 0; i < xs.Length; i++)
            {
                xs[i][k] = x;
                var y = new float[plan.Steps[i].OutputLength];
                plan.Steps[i].Execute(x, y, 1, 0);
                x = y;
            }
        }
        return xs;
    }

    private static Action Loop(PlanStep step, float[][] xs)
    {
        var y = new float[step.OutputLength];
        int c = 0;
        return () => { for (int k = 0; k < Repeat; k++) step.Execute(xs[c++ % Images], y, 1, 0); };
    }

    // Mean sell steps run per image (positions whose two 16-input registers are not both zero), all steps, mean non-zero inputs.
    private static (double Run, int All, double NonZero) Activity(SparseWeight weight, float[][] xs)
    {
        if (weight is not CodebookWeight codes) return (double.NaN, 0, double.NaN); // a layer not run from codes
        if (codes.Layout is not { } layout) return (double.NaN, 0, xs.Average(x => x.Count(v => v != 0))); // rows kept (AVX2 hosts)
        double run = 0, nonZero = 0;
        var busy = new bool[layout.Positions + 1];
        foreach (var x in xs)
        {
            Array.Clear(busy);
            for (int j = 0; j < layout.Cols; j++)
                if (x[j] != 0) { busy[j / SellLayout.RegisterCols] = true; nonZero++; }
            for (int s = 0; s < layout.Slices; s++)
                for (int p = 0; p < layout.Positions; p++)
                    if (busy[p] || busy[p + 1]) run += layout.Steps[s * layout.Positions + p];
        }
        return (run / xs.Length, layout.Steps.Sum(b => b), nonZero / xs.Length);
    }

    private static CompressedFile Synthetic(int bits)
    {
        var model = ModelZoo.Create("lenet-300-100", 5);
        double[] sparsity = [0.92, 0.91, 0.74];
        var layers = PrunableLayer.Find(model);
        for (int i = 0; i < layers.Count; i++) MagnitudePruner.Elementwise.Apply(layers[i], new SparsityTarget(sparsity[i]));
        var codebooks = Quantizer.Quantize(model, new BitsRule(bits, bits));
        var encoded = CompressedModel.Encode("lenet-300-100", model, codebooks, cb => QuantizedLayerCodec.BestIndexBits(cb.Name, cb));
        return CompressedModel.DecodeWithCodes(TpzContainer.Parse(encoded.Bytes, "synthetic.tpz"), "synthetic.tpz");
    }

    private static float[][] Inputs()
    {
        try
        {
            var test = TrainingRun.LoadDataset("mnist", DatasetSplit.Test);
            return [.. Enumerable.Range(0, Images).Select(i => test.Image(i).ToArray())];
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException)
        {
            var x = SparsityPatterns.RandomVector(Images * 784, 7);
            var rng = new Random(7);
            for (int i = 0; i < x.Length; i++) if (rng.NextDouble() < 0.8) x[i] = 0;
            return [.. Enumerable.Range(0, Images).Select(i => x.AsSpan(i * 784, 784).ToArray())];
        }
    }
}
