// CodebookPlanSection (`quick --only codebook-plan`): a Deep Compression LeNet-300-100 run from its codes against the
// same container decoded to floats, batch 1, one thread. The container is the file named by TOPIARY_QUICK_TPZ when set
// (e.g. one made with train → prune → compress), else a seeded synthetic one (zoo weights, seed 5, pruned one-shot by
// magnitude to Han et al.'s 8/9/26 % kept, 6-bit codebooks as the paper). Both plans (InferencePlan.FromCompressed vs
// InferencePlan.Compile of the decoded model, each with its default formats) are timed INTERLEAVED (LatencyMeter) on the
// first 64 MNIST test images, cycled (random inputs with 80 % zeros when MNIST is not cached); each timed call runs 16
// inferences (LatencyMeter's clock has 0.1 µs ticks), reported per inference. Rows: each plan's median latency and
// weight bytes; ratios codes / floats (below 1: the codes plan is faster / smaller).
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
        var file = path is null ? Synthetic() : CompressedModel.LoadWithCodes(path);
        string source = path is null ? "synthetic" : Path.GetFileName(path);
        int[] shape = [1, 28, 28];
        var inputs = Inputs();
        using (Threading.Limit(1))
        {
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
            ];
        }
    }

    private static CompressedFile Synthetic()
    {
        var model = ModelZoo.Create("lenet-300-100", 5);
        double[] sparsity = [0.92, 0.91, 0.74];
        var layers = PrunableLayer.Find(model);
        for (int i = 0; i < layers.Count; i++) MagnitudePruner.Elementwise.Apply(layers[i], new SparsityTarget(sparsity[i]));
        var codebooks = Quantizer.Quantize(model, BitsRule.Paper("lenet-300-100"));
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
