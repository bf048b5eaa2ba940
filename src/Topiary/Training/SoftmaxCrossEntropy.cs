// SoftmaxCrossEntropy: mean cross-entropy of softmax(logits) against integer labels (PyTorch
// F.cross_entropy with reduction='mean'; Caffe SoftmaxWithLoss).
//   logits z [N, C], labels y [N] in [0, C)
//   loss = (1/N) · Σ_n (log Σ_c exp(z[n, c]) − z[n, y_n])          (log-sum-exp with the row max subtracted)
//   d loss / d z[n, c] = (softmax(z[n])_c − [c == y_n]) / N
// With meanOver = M (data-parallel: these N rows are one rank's share of a global batch of M), the sum is divided by M
// instead, so each rank returns its part of the global mean and the gradients summed over ranks are the global ones.
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>Softmax + cross-entropy loss, fused for numerical stability.</summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Returns the mean loss over the batch and, when <paramref name="gradLogits"/> is not null, overwrites it with
    /// d(mean loss)/d(logits). Each row uses log Σ exp(z − max) + max, so large logits do not overflow.
    /// </summary>
    /// <param name="logits">Scores [N, C].</param>
    /// <param name="labels">Class index per row (length N), each in [0, C).</param>
    /// <param name="gradLogits">Optional destination [N, C] for the gradient (may be <paramref name="logits"/> itself).</param>
    /// <exception cref="ArgumentException">Logits not rank 2 or N = 0 or C = 0; label count ≠ N; gradient shape ≠ logits shape;
    /// a label outside [0, C) (the message names the index and value).</exception>
    public static float Compute(Tensor logits, ReadOnlySpan<int> labels, Tensor? gradLogits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        return Compute(logits, labels, gradLogits, logits.Rank == 2 ? logits.Dim(0) : 0);
    }

    /// <summary>
    /// As <see cref="Compute(Tensor, ReadOnlySpan{int}, Tensor?)"/>, but the loss and its gradient are the sum over these
    /// rows divided by <paramref name="meanOver"/> (this share's part of the mean over a global batch of that size).
    /// </summary>
    /// <exception cref="ArgumentException">As the overload without <paramref name="meanOver"/>, or <paramref name="meanOver"/> smaller than N.</exception>
    public static float Compute(Tensor logits, ReadOnlySpan<int> labels, Tensor? gradLogits, int meanOver)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2 || logits.Dim(0) == 0 || logits.Dim(1) == 0)
            throw new ArgumentException($"SoftmaxCrossEntropy: expected logits of shape [N, C] with N, C >= 1, got {Tensor.ShapeString(logits.Shape)}.", nameof(logits));
        int n = logits.Dim(0), c = logits.Dim(1);
        if (labels.Length != n)
            throw new ArgumentException($"SoftmaxCrossEntropy: expected {n} labels (one per logits row), got {labels.Length}.", nameof(labels));
        for (int i = 0; i < n; i++)
            if ((uint)labels[i] >= (uint)c)
                throw new ArgumentException($"SoftmaxCrossEntropy: label at index {i} is {labels[i]}; it must be in [0, {c}).", nameof(labels));
        if (meanOver < n)
            throw new ArgumentException($"SoftmaxCrossEntropy: the mean is over {meanOver} rows, fewer than the {n} given.", nameof(meanOver));
        if (gradLogits is not null && !gradLogits.SameShape(logits))
            throw new ArgumentException($"SoftmaxCrossEntropy: expected gradLogits of shape {Tensor.ShapeString(logits.Shape)}, got {Tensor.ShapeString(gradLogits.Shape)}.", nameof(gradLogits));

        float[]? rented = null;
        Span<float> scratch = gradLogits is not null ? default
            : c <= 1024 ? stackalloc float[c] : (rented = System.Buffers.ArrayPool<float>.Shared.Rent(c)).AsSpan(0, c);
        double total = 0;
        float invN = 1f / meanOver;
        try
        {
            for (int i = 0; i < n; i++)
            {
                var z = logits.Data.AsSpan(i * c, c);
                float target = z[labels[i]];
                var e = gradLogits is not null ? gradLogits.Data.AsSpan(i * c, c) : scratch;
                float max = TensorPrimitives.Max(z);
                TensorPrimitives.Subtract(z, max, e);
                TensorPrimitives.Exp(e, e);
                float sum = TensorPrimitives.Sum(e);
                total += max + Math.Log(sum) - target;
                if (gradLogits is not null)
                {
                    TensorPrimitives.Multiply(e, invN / sum, e);
                    e[labels[i]] -= invN;
                }
            }
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
        return (float)(total / meanOver);
    }
}
