// TrainedQuantization: fine-tunes the shared centroids of a quantized model (Deep Compression §3.3).
// One step per mini-batch:
//   forward with W = C[I] → softmax cross-entropy → backward (∂L/∂W in Weight.Grad)
//   quantized layers:  g_k = Σ_{i : I_i = k} ∂L/∂W_i         (pruned weights, code 0, contribute nothing)
//                      v_k = μ·v_k + g_k + λ·C_k ;  C_k −= lr·lr_mult·v_k        (λ = 0 by default)
//                      W = C[I]  (pruned weights written as exactly 0; the mask is re-applied)
//   every other parameter (biases, layers without a codebook): Sgd with the recipe's momentum, weight
//   decay and L1, at the same learning rate.
// Codes never change, so each layer keeps at most 2^bits − 1 distinct non-zero values; masks are never
// touched. A quantized weight with RequiresGrad = false keeps its centroids (frozen layer). The learning rate follows the recipe's policy with base rate `learningRate` over the given
// epochs. Batches come from DataLoader(train, recipe.BatchSize, shuffle, seed).Epoch(e): the run is
// deterministic given the seed and the model's own state (e.g. its dropout generators).
using Topiary.Data;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Compression.Quantization;

/// <summary>Options of the centroid update in <see cref="TrainedQuantization"/>.</summary>
public sealed record TrainedQuantizationOptions
{
    /// <summary>Momentum of the centroid update; null uses the recipe's momentum.</summary>
    public float? CentroidMomentum { get; init; }

    /// <summary>L2 weight decay on the centroids (the paper uses none).</summary>
    public float CentroidWeightDecay { get; init; }
}

/// <summary>Trained quantization: fine-tunes the centroids of weight-shared layers.</summary>
public static class TrainedQuantization
{
    /// <summary>Fine-tunes with the paper's centroid update (recipe momentum, no centroid weight decay).</summary>
    /// <inheritdoc cref="FineTune(Module, IReadOnlyList{LayerCodebook}, ImageDataset, TrainingRecipe, int, float, int, TrainedQuantizationOptions, IProgress{TrainingProgress}?, CancellationToken)"/>
    public static IReadOnlyList<float> FineTune(Module model, IReadOnlyList<LayerCodebook> layers, ImageDataset train,
        TrainingRecipe recipe, int epochs, float learningRate, int seed, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        FineTune(model, layers, train, recipe, epochs, learningRate, seed, new TrainedQuantizationOptions(), progress, cancellationToken);

    /// <summary>
    /// Fine-tunes the centroids of <paramref name="layers"/> (and, with plain SGD, every other parameter of
    /// <paramref name="model"/>) on <paramref name="train"/>. Evaluates nothing.
    /// </summary>
    /// <param name="model">The quantized model; its weights are updated in place.</param>
    /// <param name="layers">Codebooks of layers of <paramref name="model"/> (e.g. from <see cref="Quantizer.Quantize(Module, Func{Pruning.PrunableLayer, int}, CentroidInit, int)"/>).</param>
    /// <param name="train">Training data.</param>
    /// <param name="recipe">Batch size, momentum, weight decay, L1 and learning-rate policy (its optimizer kind and base rate are not used).</param>
    /// <param name="epochs">Epochs (≥ 0).</param>
    /// <param name="learningRate">Base learning rate of the recipe's policy (&gt; 0).</param>
    /// <param name="seed">Seed of the batch order.</param>
    /// <param name="options">Centroid-update options.</param>
    /// <param name="progress">Receives a "quantize" record after every batch.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>Mean training loss of each epoch.</returns>
    /// <exception cref="ArgumentException">A codebook belongs to a layer outside <paramref name="model"/> or appears twice;
    /// a non-positive batch size; a non-positive or non-finite learning rate.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Negative <paramref name="epochs"/>, or an invalid momentum or weight decay.</exception>
    /// <exception cref="InvalidOperationException">A layer's weight no longer matches its codebook, or the loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static IReadOnlyList<float> FineTune(Module model, IReadOnlyList<LayerCodebook> layers, ImageDataset train,
        TrainingRecipe recipe, int epochs, float learningRate, int seed, TrainedQuantizationOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        if (!(learningRate > 0) || !float.IsFinite(learningRate))
            throw new ArgumentException($"Learning rate must be positive and finite; got {learningRate}.", nameof(learningRate));
        if (recipe.BatchSize <= 0)
            throw new ArgumentException($"Batch size must be positive; got {recipe.BatchSize}.", nameof(recipe));
        float momentum = options.CentroidMomentum ?? recipe.Momentum;
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(options), momentum, "Centroid momentum must be in [0, 1).");
        if (!(options.CentroidWeightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), options.CentroidWeightDecay, "Centroid weight decay must be non-negative.");

        var owned = new HashSet<Parameter>(model.Parameters());
        var quantized = new HashSet<Parameter>();
        foreach (var book in layers)
        {
            ArgumentNullException.ThrowIfNull(book, nameof(layers));
            if (!owned.Contains(book.Layer.Weight))
                throw new ArgumentException($"Codebook '{book.Name}' belongs to a layer that is not part of the model.", nameof(layers));
            if (!quantized.Add(book.Layer.Weight))
                throw new ArgumentException($"Layer '{book.Name}' has more than one codebook.", nameof(layers));
            book.Reconstruct();   // validates, and makes sure the first forward already uses W = C[I]
        }

        var loader = new DataLoader(train, recipe.BatchSize, shuffle: true, seed: seed);
        var others = new Sgd(model.Parameters().Where(p => !quantized.Contains(p)), learningRate, recipe.Momentum, recipe.WeightDecay, recipe.L1);
        var schedule = (recipe with { LearningRate = learningRate }).CreateSchedule(loader.BatchesPerEpoch, epochs);
        var velocity = layers.Select(b => new float[b.CentroidCount]).ToArray();
        var gradient = layers.Select(b => new float[b.CentroidCount]).ToArray();
        var centroids = layers.Select(b => new float[b.CentroidCount]).ToArray();
        Tensor? gradLogits = null;
        var losses = new List<float>(epochs);
        long iteration = 0;

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double lossSum = 0;
            int seen = 0, batch = 0;
            foreach (var (images, labels) in loader.Epoch(epoch))
            {
                cancellationToken.ThrowIfCancellationRequested();
                float lr = schedule.At((int)Math.Min(iteration, int.MaxValue));
                others.LearningRate = lr;
                model.ZeroGrad();
                var logits = model.Forward(images, training: true);
                if (gradLogits is null || !gradLogits.SameShape(logits)) gradLogits = new Tensor(logits.Shape.ToArray());
                float loss = SoftmaxCrossEntropy.Compute(logits, labels, gradLogits);
                if (!float.IsFinite(loss))
                    throw new InvalidOperationException($"Trained quantization diverged: the loss is {loss} at iteration {iteration} (learning rate {lr}).");
                model.Backward(gradLogits);
                others.Step();
                for (int l = 0; l < layers.Count; l++)
                    StepCentroids(layers[l], gradient[l], velocity[l], centroids[l], lr, momentum, options.CentroidWeightDecay);
                iteration++;
                batch++;
                lossSum += loss * (double)labels.Length;
                seen += labels.Length;
                progress?.Report(new TrainingProgress("quantize", epoch + 1, epochs, batch, loader.BatchesPerEpoch, iteration, loss, lr));
            }
            losses.Add(seen == 0 ? 0f : (float)(lossSum / seen));
        }
        return losses;
    }

    // SGD with momentum on one layer's centroids (PyTorch semantics, as Sgd), then W = C[I].
    private static void StepCentroids(LayerCodebook book, float[] g, float[] v, float[] c, float lr, float momentum, float weightDecay)
    {
        var weight = book.Layer.Weight;
        if (!weight.RequiresGrad || c.Length == 0) return;
        book.CentroidGradients(g);
        book.Centroids.CopyTo(c);
        float rate = lr * weight.LearningRateMultiplier;
        float decay = weightDecay * weight.WeightDecayMultiplier;
        for (int k = 0; k < c.Length; k++)
        {
            float d = g[k] + decay * c[k];
            v[k] = momentum * v[k] + d;
            c[k] -= rate * v[k];
        }
        book.SetCentroids(c);
        book.Reconstruct();
    }
}
