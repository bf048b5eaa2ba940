// Evaluator: classification accuracy and mean cross-entropy of a model over a set of batches
// (inference mode: no dropout, BatchNorm uses running statistics).
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>Result of an evaluation.</summary>
/// <param name="Count">Number of examples.</param>
/// <param name="Correct">Examples whose arg-max prediction equals the label.</param>
/// <param name="Loss">Mean softmax cross-entropy.</param>
public sealed record EvaluationResult(int Count, int Correct, double Loss)
{
    /// <summary>Fraction classified correctly.</summary>
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;

    /// <summary>Fraction misclassified (1 − accuracy).</summary>
    public double Error => Count == 0 ? 0 : 1 - Accuracy;
}

/// <summary>Evaluates classifiers.</summary>
public static class Evaluator
{
    /// <summary>Runs <paramref name="model"/> in inference mode over <paramref name="batches"/>.</summary>
    public static EvaluationResult Evaluate(Module model, IEnumerable<Batch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        int count = 0, correct = 0;
        double lossSum = 0;
        foreach (var batch in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Validate();
            var logits = model.Forward(batch.Inputs, training: false);
            lossSum += SoftmaxCrossEntropy.Compute(logits, batch.Labels, null) * (double)batch.Labels.Length;
            correct += CountCorrect(logits, batch.Labels);
            count += batch.Labels.Length;
        }
        return new EvaluationResult(count, correct, count == 0 ? 0 : lossSum / count);
    }

    /// <summary>Number of rows of <paramref name="logits"/> [N, classes] whose arg-max equals the label.</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        logits.CheckRank("logits", 2);
        int n = logits.Dim(0), classes = logits.Dim(1), correct = 0;
        for (int i = 0; i < n; i++)
        {
            if (TensorPrimitives.IndexOfMax(logits.Span.Slice(i * classes, classes)) == labels[i]) correct++;
        }
        return correct;
    }
}
