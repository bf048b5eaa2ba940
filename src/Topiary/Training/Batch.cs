// Batch: one mini-batch of inputs and integer class labels (labels.Length == inputs.Dim(0)).
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>A mini-batch: inputs with the batch as the first axis and one class label per row.</summary>
public readonly record struct Batch(Tensor Inputs, int[] Labels)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless the label count equals the batch size.</summary>
    public void Validate()
    {
        if (Inputs.Rank == 0 || Inputs.Dim(0) != Labels.Length)
            throw new ArgumentException($"Batch has {Labels.Length} labels for inputs of shape {Tensor.ShapeString(Inputs.Shape)}.");
    }
}
