// Batch: one mini-batch of inputs and integer class labels (labels.Length == inputs.Dim(0)).
// In data-parallel training a Batch is one rank's share of a global batch: GlobalOffset is the position of its first
// row in the global batch, GlobalCount the size of the global batch (the loss is the mean over GlobalCount rows, so the
// gradients summed over ranks equal the single-process gradient). A share may be empty. Defaults: the whole batch.
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>A mini-batch: inputs with the batch as the first axis and one class label per row.</summary>
public readonly record struct Batch(Tensor Inputs, int[] Labels)
{
    /// <summary>Position of this batch's first row in the global batch (0 unless this is one rank's share).</summary>
    public int GlobalOffset { get; init; }

    /// <summary>Rows of the global batch this is a share of; 0 means <c>Labels.Length</c> (not a share).</summary>
    public int GlobalCount { get; init; }

    /// <summary>The number of rows the loss is averaged over: <see cref="GlobalCount"/>, or <c>Labels.Length</c>.</summary>
    public int MeanOver => GlobalCount > 0 ? GlobalCount : Labels.Length;

    /// <summary>Throws <see cref="ArgumentException"/> unless the label count equals the batch size and the share lies in the global batch.</summary>
    public void Validate()
    {
        if (Inputs.Rank == 0 || Inputs.Dim(0) != Labels.Length)
            throw new ArgumentException($"Batch has {Labels.Length} labels for inputs of shape {Tensor.ShapeString(Inputs.Shape)}.");
        if (GlobalOffset < 0 || GlobalCount < 0 || (GlobalCount > 0 && GlobalOffset + Labels.Length > GlobalCount))
            throw new ArgumentException($"Batch share of {Labels.Length} rows at offset {GlobalOffset} does not fit a global batch of {GlobalCount}.");
        if (GlobalCount == 0 && Labels.Length == 0)
            throw new ArgumentException("Batch is empty.");
    }
}
