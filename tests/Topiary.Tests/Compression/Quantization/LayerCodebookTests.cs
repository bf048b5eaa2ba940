// LayerCodebook and Quantizer: at most 2^bits − 1 centroids, code 0 exactly for pruned weights,
// Reconstruct writes C[I] with pruned weights at 0, and the centroid gradient is Σ of the weight
// gradients assigned to it (checked by hand and against a finite difference of the loss).
using Topiary.Compression.Quantization;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Compression.Quantization;

public class LayerCodebookTests
{
    internal static int DistinctNonZero(Parameter p) => p.Value.Data.Where(v => v != 0).Distinct().Count();

    private static (Linear Layer, PrunableLayer Prunable, Tensor Mask) PrunedLinear(int seed, int inF = 20, int outF = 30)
    {
        var rng = new Random(seed);
        var linear = new Linear(inF, outF, rng);
        var mask = new Tensor(outF, inF);
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.Next(2);
        linear.Weight.SetMask(mask);
        return (linear, PrunableLayer.Find(linear)[0], mask);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Codebook_has_at_most_2_pow_bits_minus_1_centroids_and_code_0_only_for_pruned_weights(int bits)
    {
        var (_, layer, mask) = PrunedLinear(1);
        var book = LayerCodebook.Create(layer, bits);
        Assert.InRange(book.CentroidCount, 1, (1 << bits) - 1);
        Assert.Equal((1 << bits) - 1, book.MaxCentroids);
        Assert.Equal(layer.Weight.UnmaskedCount, book.SurvivingCount);
        var codes = book.Codes.ToArray();
        for (int i = 0; i < codes.Length; i++)
        {
            if (mask[i] == 0) Assert.Equal(0, codes[i]);
            else Assert.InRange(codes[i], 1, book.CentroidCount);
        }
        Assert.All(book.Clustering.Counts, c => Assert.True(c >= 1));
    }

    [Fact]
    public void Without_a_mask_exact_zeros_are_the_pruned_weights()
    {
        var linear = new Linear(4, 3, new Random(2));
        var w = linear.Weight.Value;
        w[0] = 0; w[5] = 0; w[11] = 0;
        var book = LayerCodebook.Create(PrunableLayer.Find(linear)[0], 2);
        var codes = book.Codes.ToArray();
        for (int i = 0; i < codes.Length; i++) Assert.Equal(w[i] == 0, codes[i] == 0);
        Assert.Equal(9, book.SurvivingCount);
    }

    [Fact]
    public void Reconstruct_writes_each_survivor_as_its_centroid_and_keeps_pruned_weights_at_zero()
    {
        var (linear, layer, mask) = PrunedLinear(3);
        var before = linear.Weight.Value.Clone();
        var book = LayerCodebook.Create(layer, 3);
        book.Reconstruct();
        var w = linear.Weight.Value;
        var c = book.Centroids.ToArray();
        for (int i = 0; i < w.Length; i++)
        {
            int code = book.Codes[i];
            if (mask[i] == 0) Assert.Equal(0f, w[i]);
            else
            {
                Assert.Equal(c[code - 1], w[i]);
                Assert.Equal(book.Decode(code), w[i]);
                // The nearest shared value replaced the original weight.
                Assert.Equal(c.Min(v => Math.Abs(v - before[i])), Math.Abs(w[i] - before[i]), 6);
            }
        }
        Assert.True(DistinctNonZero(linear.Weight) <= 7);
        Assert.Same(mask, linear.Weight.Mask);
    }

    [Fact]
    public void Centroid_gradient_is_the_sum_of_the_gradients_of_its_weights()
    {
        // 4 weights sharing 2 values: W = [[0.5, −0.3], [−0.3, 0.5]] → C = [−0.3, 0.5], I = [2, 1, 1, 2].
        var linear = new Linear(2, 2, new Random(4), bias: false);
        float[] values = [0.5f, -0.3f, -0.3f, 0.5f];
        values.CopyTo(linear.Weight.Value.Data, 0);
        var book = LayerCodebook.Create(PrunableLayer.Find(linear)[0], 2);
        Assert.Equal([-0.3f, 0.5f], book.Centroids.ToArray());
        Assert.Equal(new ushort[] { 2, 1, 1, 2 }, book.Codes.ToArray());
        float[] grads = [1f, 2f, 4f, 8f];
        grads.CopyTo(linear.Weight.Grad.Data, 0);
        var g = new float[2];
        book.CentroidGradients(g);
        Assert.Equal([2f + 4f, 1f + 8f], g);
    }

    [Fact]
    public void Pruned_weights_contribute_nothing_to_the_centroid_gradient()
    {
        var linear = new Linear(2, 2, new Random(4), bias: false);
        float[] values = [0.5f, -0.3f, -0.3f, 0.5f];
        values.CopyTo(linear.Weight.Value.Data, 0);
        linear.Weight.SetMask(new Tensor([1f, 1f, 0f, 1f], 2, 2));
        var book = LayerCodebook.Create(PrunableLayer.Find(linear)[0], 2);
        float[] grads = [1f, 2f, 4f, 8f];
        grads.CopyTo(linear.Weight.Grad.Data, 0);   // a stale gradient on the pruned weight must be ignored
        var g = new float[book.CentroidCount];
        book.CentroidGradients(g);
        Assert.Equal([2f, 1f + 8f], g);
    }

    [Fact]
    public void Centroid_gradient_matches_a_finite_difference_of_the_loss()
    {
        var rng = new Random(5);
        var net = new Sequential().Add("fc1", new Linear(6, 5, rng)).Add("relu", new ReLU()).Add("fc2", new Linear(5, 3, rng));
        var books = Quantizer.Quantize(net, _ => 2);
        var x = Tensor.RandomNormal(rng, 1f, 8, 6);
        int[] labels = [0, 1, 2, 0, 1, 2, 1, 0];
        var grad = new Tensor(8, 3);
        net.ZeroGrad();
        SoftmaxCrossEntropy.Compute(net.Forward(x, true), labels, grad);
        net.Backward(grad);
        foreach (var book in books)
        {
            var g = new float[book.CentroidCount];
            book.CentroidGradients(g);
            var c = book.Centroids.ToArray();
            for (int k = 0; k < c.Length; k++)
            {
                const float h = 1e-3f;
                double Loss(float delta)
                {
                    var moved = (float[])c.Clone();
                    moved[k] += delta;
                    book.SetCentroids(moved);
                    book.Reconstruct();
                    return SoftmaxCrossEntropy.Compute(net.Forward(x, false), labels, null);
                }
                double numeric = (Loss(h) - Loss(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - g[k]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"{book.Name} centroid {k}: analytic {g[k]}, numeric {numeric}");
            }
            book.SetCentroids(c);
            book.Reconstruct();
        }
    }

    [Fact]
    public void Further_pruning_after_quantization_is_detected()
    {
        var (linear, layer, mask) = PrunedLinear(6);
        var book = LayerCodebook.Create(layer, 3);
        var tighter = mask.Clone();
        int kept = Array.IndexOf(mask.Data, 1f);
        tighter[kept] = 0;
        linear.Weight.SetMask(tighter);
        var e = Assert.Throws<InvalidOperationException>(book.Reconstruct);
        Assert.Contains($"weight {kept}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_bad_bits_centroids_and_codes()
    {
        var (_, layer, _) = PrunedLinear(7);
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerCodebook.Create(layer, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerCodebook.Create(layer, 17));
        var book = LayerCodebook.Create(layer, 2);
        Assert.Throws<ArgumentException>(() => book.SetCentroids(new float[book.CentroidCount + 1]));
        Assert.Throws<ArgumentException>(() => book.SetCentroids(Enumerable.Repeat(float.NaN, book.CentroidCount).ToArray()));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Decode(book.CentroidCount + 1));
        Assert.Equal(0f, book.Decode(0));
    }

    [Fact]
    public void A_fully_pruned_layer_has_an_empty_codebook()
    {
        var linear = new Linear(3, 2, new Random(8));
        linear.Weight.SetMask(new Tensor(2, 3));
        var book = LayerCodebook.Create(PrunableLayer.Find(linear)[0], 4);
        Assert.Equal(0, book.CentroidCount);
        book.Reconstruct();
        Assert.All(linear.Weight.Value.Data, v => Assert.Equal(0f, v));
        Assert.Equal(1, book.SharingCompressionRatio);
    }

    [Fact]
    public void Sharing_compression_ratio_follows_the_paper_formula()
    {
        var linear = new Linear(100, 100, new Random(9));
        var book = LayerCodebook.Create(PrunableLayer.Find(linear)[0], 4);
        Assert.Equal(15, book.CentroidCount);
        Assert.Equal(10_000 * 32.0 / (10_000 * 4 + 15 * 32), book.SharingCompressionRatio, 12);
    }

    [Fact]
    public void Quantizer_uses_the_bits_of_each_layer_and_writes_shared_weights()
    {
        var rng = new Random(10);
        var net = new Sequential()
            .Add("conv1", new Conv2d(1, 4, 3, rng))
            .Add("flatten", new Flatten())
            .Add("fc1", new Linear(4 * 4 * 4, 10, rng))
            .Add("fc2", new Linear(10, 3, rng));
        var books = Quantizer.Quantize(net, BitsRule.Parse("conv=5,fc=2,fc2=1"), CentroidInit.Density, seed: 1);
        Assert.Equal(["conv1", "fc1", "fc2"], books.Select(b => b.Name));
        Assert.Equal([5, 2, 1], books.Select(b => b.Bits));
        foreach (var b in books) Assert.True(DistinctNonZero(b.Layer.Weight) <= b.MaxCentroids, b.Name);
        Assert.Equal(31, books[0].CentroidCount);
        Assert.Throws<ArgumentException>(() => Quantizer.Quantize(net, BitsRule.Parse("fc9=3")));
    }

    [Fact]
    public void Moving_the_centroids_leaves_the_clustering_as_it_was()
    {
        var (_, layer, _) = PrunedLinear(4);
        var book = LayerCodebook.Create(layer, 3);
        var clustered = book.Clustering.Centroids.ToArray();
        Assert.Equal(clustered, book.Centroids.ToArray());
        book.SetCentroids(clustered.Select(c => c + 1f).ToArray());
        Assert.Equal(clustered, book.Clustering.Centroids);
        Assert.Equal(clustered.Select(c => c + 1f).ToArray(), book.Centroids.ToArray());
    }
}
