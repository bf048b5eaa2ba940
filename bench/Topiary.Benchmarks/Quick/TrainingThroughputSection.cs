// TrainingThroughputSection: steady-state training throughput (images/s) of the zoo's LeNets and ResNet-20 at
// batch 64 on synthetic MNIST-shaped data (1x28x28; ResNet-20 is the Fashion-MNIST network), one thread and all
// threads, with the FLOP-limit ratio: achieved training FLOP/s (3 x forward MACs x 2 per image) over the measured
// FMA peak x threads. Also the projected seconds per 60k-image epoch (the "epoch on 2 cores" figures).
using Topiary.Models;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Benchmarks.Quick;

/// <summary>LeNet-300-100, LeNet-5 and ResNet-20 training throughput.</summary>
public sealed class TrainingThroughputSection : IQuickSection
{
    private const int BatchSize = 64;

    /// <inheritdoc/>
    public string Name => "training";

    /// <inheritdoc/>
    public IReadOnlyList<QuickRow> Run(QuickContext context)
    {
        var rows = new List<QuickRow>();
        context.TryGet("fma.peak.1t", out double peak1);
        foreach (var model in new[] { "lenet-300-100", "lenet-5", "resnet-20" })
        {
            foreach (int threads in new[] { 1, context.Threads }.Distinct())
            {
                using (Threading.Limit(threads))
                {
                    var (imagesPerSecond, flopsPerImage) = Measure(model, context.TimeScale);
                    double gflops = imagesPerSecond * flopsPerImage / 1e9;
                    double? ratio = peak1 > 0 ? gflops / (peak1 * threads) : null;
                    rows.Add(new QuickRow(Name, $"{model} train b{BatchSize} {threads}t", imagesPerSecond, "images/s",
                        ratio, ratio is null ? null : $"FLOP limit ({threads}x 1-core FMA peak)"));
                    rows.Add(new QuickRow(Name, $"{model} 60k-image epoch {threads}t", 60_000 / imagesPerSecond, "s"));
                    context.Set($"train.{model}.{threads}t.images_per_s", imagesPerSecond);
                }
            }
        }
        return rows;
    }

    private static (double ImagesPerSecond, double FlopsPerImage) Measure(string modelName, double timeScale)
    {
        var info = ModelZoo.Get(modelName);
        var model = info.Factory(1);
        double flops = 3.0 * 2.0 * OpCounter.TotalMacs(model, info.InputShape);
        var rng = new Random(5);
        var x = Tensor.RandomUniform(rng, 1f, BatchSize, 1, 28, 28);
        for (int i = 0; i < x.Length; i++) x[i] = Math.Abs(x[i]);
        var labels = Enumerable.Range(0, BatchSize).Select(_ => rng.Next(10)).ToArray();
        var trainer = new Trainer(model, info.Recipe.CreateOptimizer(model), new ConstantLr(1e-3f));
        var batch = new Batch(x, labels);
        trainer.Step(batch); // first touch of every layer buffer and the JIT, outside the timing
        double seconds = QuickTimer.BestSeconds(() => trainer.Step(batch), 0.1 * timeScale, samples: flops > 1e8 ? 6 : 10);
        return (BatchSize / seconds, flops);
    }
}
