// Flatten: [d0, ..., d(a-1), da, ..., d(r-1)] → [d0·...·d(a-1), da·...·d(r-1)] for axis a (ONNX Flatten; the default
// a = 1 is PyTorch nn.Flatten(start_dim=1): [N, d1, d2, ...] → [N, d1·d2·...]). a may be negative (counts from the
// end); a = 0 gives [1, all]. Forward returns a view sharing the input's storage; Backward returns a view of the
// gradient with the input's shape (ViewLayer).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Flattens its input to 2-D around an axis: [prod(dims &lt; axis), prod(dims ≥ axis)]. No copies.</summary>
public sealed class Flatten : ViewLayer
{
    /// <summary>Flattens every dimension after the batch axis: [N, ...] → [N, prod(...)] (axis 1).</summary>
    public Flatten() : this(1)
    {
    }

    /// <summary>Flattens around <paramref name="axis"/>: [prod(dims &lt; axis), prod(dims ≥ axis)] (ONNX Flatten).</summary>
    /// <param name="axis">In [−r, r] for an input of rank r (checked at Forward); negative counts from the end.</param>
    public Flatten(int axis) => Axis = axis;

    /// <summary>The axis: dimensions before it form the first output dimension, the rest the second.</summary>
    public int Axis { get; }

    /// <summary>[prod(dims &lt; axis), prod(dims ≥ axis)] for <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The axis is outside [−r, r] for the input rank r.</exception>
    private protected override int[] OutputShape(ReadOnlySpan<int> input)
    {
        int rank = input.Length, axis = Axis < 0 ? Axis + rank : Axis;
        if (axis < 0 || axis > rank)
            throw LayerHelpers.ShapeError(ToString(), Axis < 0 ? $"rank >= {-Axis}" : $"rank >= {Axis}", input);
        int rows = 1, cols = 1;
        for (int i = 0; i < axis; i++) rows *= input[i];
        for (int i = axis; i < rank; i++) cols *= input[i];
        return [rows, cols];
    }

    /// <inheritdoc/>
    public override string ToString() => Axis == 1 ? "Flatten()" : $"Flatten(axis={Axis})";
}
