// BatchPredictor: runs a model over many examples in evaluation mode (no dropout, BatchNorm on running statistics),
// BatchSize examples at a time, and gathers the outputs. Contract: examples are [N, ...example]; the model must map
// [b, ...example] to [b, classes]; the result is [N, classes] (a fresh array: layer-owned output buffers are copied
// out after every batch). Cancellation is checked before each batch.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>Batched evaluation-mode forward passes.</summary>
public static class BatchPredictor
{
    /// <summary>The model's outputs for every example of <paramref name="examples"/>, computed <paramref name="batchSize"/> at a time.</summary>
    /// <param name="model">The network (run with <c>training: false</c>).</param>
    /// <param name="examples"><c>[N, ...example]</c>, N ≥ 1.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    /// <param name="cancellationToken">Checked before each batch.</param>
    /// <returns>The outputs, <c>[N, classes]</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="examples"/> has no batch axis or no examples, <paramref name="batchSize"/> is not positive, or a layer rejects the example shape.</exception>
    /// <exception cref="NotSupportedException">The model's output is not <c>[batch, classes]</c>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Tensor Run(Module model, Tensor examples, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (examples.Rank < 2 || examples.Dim(0) == 0)
            throw new ArgumentException($"Examples must be [N, ...example] with N >= 1; got {examples}.", nameof(examples));
        int n = examples.Dim(0), exampleSize = examples.Length / n;
        int[] exampleShape = examples.Shape[1..].ToArray();
        float[]? outputs = null;
        int classes = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int b = Math.Min(batchSize, n - start);
            var x = new Tensor(examples.Data.AsSpan(start * exampleSize, b * exampleSize).ToArray(), [b, .. exampleShape]);
            var y = model.Forward(x, training: false);
            if (y.Rank != 2 || y.Dim(0) != b || y.Dim(1) < 1)
                throw new NotSupportedException(
                    $"The model's output for a batch of {b} is {Tensor.ShapeString(y.Shape)}; predictions need [batch, classes] = [{b}, C].");
            if (outputs is null)
            {
                classes = y.Dim(1);
                outputs = new float[(long)n * classes];
            }
            else if (y.Dim(1) != classes)
            {
                throw new NotSupportedException($"The model's output has {y.Dim(1)} classes for one batch and {classes} for another.");
            }
            y.Data.AsSpan(0, b * classes).CopyTo(outputs.AsSpan(start * classes));
        }
        return new Tensor(outputs!, n, classes);
    }
}
