// TrainedQuantization: fine-tuning a pruned, quantized MLP on a separable synthetic task lowers the loss,
// keeps ≤ 2^bits − 1 distinct non-zero values per layer and the masks intact, follows the centroid
// update C −= lr·Σ ∂L/∂W exactly, and is deterministic.
using Topiary.Compression.Quantization;
using Topiary.Data;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Compression.Quantization;

public class TrainedQuantizationTests
{
    private static readonly TrainingRecipe Recipe = new()
    {
        BatchSize = 32,
        Momentum = 0.9f,
        WeightDecay = 0f,
        Policy = LrPolicy.Constant,
    };

    // Three Gaussian blobs in 8 dimensions, as 1×1×8 images.
    private static ImageDataset Blobs(int seed, int perClass = 100)
    {
        var rng = new Random(seed);
        const int dims = 8, classes = 3;
        var centres = new float[classes, dims];
        for (int c = 0; c < classes; c++)
            for (int d = 0; d < dims; d++) centres[c, d] = (float)Tensor.NextGaussian(rng) * 1.5f;
        int n = perClass * classes;
        var images = new float[n * dims];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % classes;
            for (int d = 0; d < dims; d++) images[i * dims + d] = centres[labels[i], d] + (float)Tensor.NextGaussian(rng) * 0.7f;
        }
        return new ImageDataset("blobs", images, labels, 1, 1, dims, classes);
    }

    private static Sequential Mlp(int seed)
    {
        var rng = new Random(seed);
        return new Sequential()
            .Add("flatten", new Flatten())
            .Add("fc1", new Linear(8, 24, rng))
            .Add("relu", new ReLU())
            .Add("fc2", new Linear(24, 3, rng));
    }

    private static double Loss(Module model, ImageDataset data) =>
        Evaluator.Evaluate(model, new DataLoader(data, data.Count, shuffle: false).Epoch(0).Select(b => new Batch(b.Images, b.Labels))).Loss;

    // A trained, 50%-pruned, 2-bit quantized MLP (3 shared values per layer).
    private static (Sequential Model, IReadOnlyList<LayerCodebook> Books, Tensor[] Masks) PreparedModel(ImageDataset data)
    {
        var model = Mlp(1);
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 0.05f, 0.9f), new ConstantLr(0.05f));
        var loader = new DataLoader(data, 32, seed: 2);
        for (int e = 0; e < 5; e++)
            foreach (var (images, labels) in loader.Epoch(e)) trainer.Step(new Batch(images, labels));
        var layers = PrunableLayer.Find(model);
        foreach (var layer in layers) MagnitudePruner.Elementwise.Apply(layer, new SparsityTarget(0.5));
        var masks = layers.Select(l => l.Weight.Mask!.Clone()).ToArray();
        return (model, Quantizer.Quantize(model, _ => 2), masks);
    }

    [Fact]
    public void Fine_tuning_lowers_the_loss_and_keeps_sharing_and_masks()
    {
        var data = Blobs(1);
        var (model, books, masks) = PreparedModel(data);
        double quantizedLoss = Loss(model, data);
        var biasBefore = ((Linear)model["fc1"]).Bias!.Value.Clone();

        var losses = TrainedQuantization.FineTune(model, books, data, Recipe, epochs: 6, learningRate: 0.01f, seed: 3);

        double tunedLoss = Loss(model, data);
        Assert.Equal(6, losses.Count);
        Assert.True(tunedLoss < quantizedLoss, $"loss {quantizedLoss} → {tunedLoss}");
        Assert.True(losses[^1] < losses[0], $"epoch losses {string.Join(", ", losses)}");
        for (int l = 0; l < books.Count; l++)
        {
            var weight = books[l].Layer.Weight;
            Assert.True(LayerCodebookTests.DistinctNonZero(weight) <= 3, $"{books[l].Name} has {LayerCodebookTests.DistinctNonZero(weight)} distinct values");
            Assert.Equal(masks[l].Data, weight.Mask!.Data);
            for (int i = 0; i < weight.Length; i++)
            {
                if (masks[l][i] == 0) Assert.Equal(0f, weight.Value[i]);
                else Assert.Equal(books[l].Decode(books[l].Codes[i]), weight.Value[i]);
            }
        }
        Assert.NotEqual(biasBefore.Data, ((Linear)model["fc1"]).Bias!.Value.Data);   // biases trained by plain SGD
    }

    [Fact]
    public void One_step_moves_each_centroid_by_minus_lr_times_its_summed_gradient()
    {
        var data = Blobs(2, perClass: 20);
        var (model, books, _) = PreparedModel(data);
        var recipe = Recipe with { BatchSize = data.Count };
        // The single full batch of the run: compute ∂L/∂W with the shared weights, then g_k by hand.
        var (images, labels) = new DataLoader(data, data.Count, shuffle: true, seed: 4).Epoch(0).Single();
        model.ZeroGrad();
        var grad = new Tensor(data.Count, 3);
        SoftmaxCrossEntropy.Compute(model.Forward(images, true), labels, grad);
        model.Backward(grad);
        var expected = books.Select(b =>
        {
            var g = new double[b.CentroidCount];
            var wg = b.Layer.Weight.Grad.Data;
            for (int i = 0; i < wg.Length; i++) if (b.Codes[i] != 0) g[b.Codes[i] - 1] += wg[i];
            return b.Centroids.ToArray().Select((c, k) => c - 0.1 * g[k]).ToArray();
        }).ToArray();

        TrainedQuantization.FineTune(model, books, data, recipe, epochs: 1, learningRate: 0.1f, seed: 4);

        for (int l = 0; l < books.Count; l++)
            for (int k = 0; k < books[l].CentroidCount; k++)
                Assert.Equal(expected[l][k], books[l].Centroids[k], 5);
    }

    [Fact]
    public void Is_deterministic_given_the_seed()
    {
        var data = Blobs(3, perClass: 40);
        float[] Run(out IReadOnlyList<float> losses)
        {
            var (model, books, _) = PreparedModel(data);
            losses = TrainedQuantization.FineTune(model, books, data, Recipe, 2, 0.01f, seed: 9);
            return model.Parameters().SelectMany(p => p.Value.Data).ToArray();
        }
        var a = Run(out var la);
        var b = Run(out var lb);
        Assert.Equal(a, b);
        Assert.Equal(la, lb);
    }

    [Fact]
    public void Layers_without_a_codebook_train_normally_and_progress_is_reported()
    {
        var data = Blobs(4, perClass: 20);
        var (model, books, _) = PreparedModel(data);
        var fc2 = books.Single(b => b.Name == "fc2");
        var fc2Before = fc2.Layer.Weight.Value.Clone();
        var reports = new List<TrainingProgress>();
        TrainedQuantization.FineTune(model, [books.Single(b => b.Name == "fc1")], data, Recipe, 1, 0.01f, 1,
            new SynchronousProgress(reports));
        Assert.NotEqual(fc2Before.Data, fc2.Layer.Weight.Value.Data);
        Assert.True(fc2.Layer.Weight.Value.Data.Where(v => v != 0).Distinct().Count() > 3);   // plain SGD un-shares it
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal("quantize", r.Phase));
    }

    [Fact]
    public void Rejects_codebooks_of_another_model_and_duplicates()
    {
        var data = Blobs(5, perClass: 5);
        var (model, books, _) = PreparedModel(data);
        var other = Mlp(2);
        var foreign = Quantizer.Quantize(other, _ => 2);
        Assert.Throws<ArgumentException>(() => TrainedQuantization.FineTune(model, foreign, data, Recipe, 1, 0.01f, 1));
        Assert.Throws<ArgumentException>(() => TrainedQuantization.FineTune(model, [books[0], books[0]], data, Recipe, 1, 0.01f, 1));
        Assert.Throws<ArgumentException>(() => TrainedQuantization.FineTune(model, books, data, Recipe, 1, 0f, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainedQuantization.FineTune(model, books, data, Recipe, -1, 0.01f, 1));
    }

    private sealed class SynchronousProgress(List<TrainingProgress> sink) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => sink.Add(value);
    }
}
