// PlanEvaluator: test error and loss of a compiled InferencePlan over an image dataset — the plan's counterpart of
// Training.Evaluator (same arg-max rule, same softmax cross-entropy), so a compressed container can be evaluated from
// its codes. Examples run plan.Batch at a time; a last partial batch is padded with zero images whose outputs are
// ignored (each example's outputs do not depend on the others in its batch).
using Topiary.Data;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Runtime;

/// <summary>Evaluates inference plans on labelled images.</summary>
public static class PlanEvaluator
{
    /// <summary>Runs <paramref name="plan"/> over every image of <paramref name="dataset"/>: count, correct and mean loss.</summary>
    /// <exception cref="ArgumentException">The plan's input is not one image or its output is not one score per class.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked before each batch).</exception>
    public static EvaluationResult Evaluate(InferencePlan plan, ImageDataset dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(dataset);
        int size = dataset.ImageSize, classes = plan.OutputLength, batch = plan.Batch;
        if (plan.InputLength != size)
            throw new ArgumentException($"The plan reads {plan.InputLength} values per example; {dataset.Name}'s images have {size}.", nameof(plan));
        if (classes != dataset.ClassCount)
            throw new ArgumentException($"The plan writes {classes} scores per example; {dataset.Name} has {dataset.ClassCount} classes.", nameof(plan));
        var input = new float[batch * size];
        var output = new float[batch * classes];
        int correct = 0;
        double lossSum = 0;
        for (int start = 0; start < dataset.Count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batch, dataset.Count - start);
            dataset.Images.AsSpan(start * size, count * size).CopyTo(input);
            input.AsSpan(count * size).Clear();
            plan.Run(input, output);
            var logits = new Tensor(output.AsSpan(0, count * classes).ToArray(), count, classes);
            var labels = dataset.Labels.AsSpan(start, count);
            lossSum += SoftmaxCrossEntropy.Compute(logits, labels, null) * (double)count;
            correct += Evaluator.CountCorrect(logits, labels);
        }
        return new EvaluationResult(dataset.Count, correct, dataset.Count == 0 ? 0 : lossSum / dataset.Count);
    }
}
