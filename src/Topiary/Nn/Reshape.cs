// Reshape: y = x with a new shape, same elements in the same row-major order (ONNX Reshape with allowzero = 0;
// PyTorch Tensor.reshape). The spec is resolved against each input:
//   spec[i] = 0  → output dim i = input dim i (so [0, -1] flattens whatever the batch size is);
//   spec[i] = −1 → inferred so that the element counts match (at most one −1);
//   spec[i] > 0  → that size.
// Forward returns a view sharing the input's storage (no copy, like Flatten: ViewLayer); Backward returns a view of the
// gradient with the input's shape.
using System.Collections.ObjectModel;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Gives its input a new shape with ONNX Reshape's 0 (copy the input dim) and −1 (infer) rules. No copies.</summary>
public sealed class Reshape : ViewLayer
{
    private readonly long[] _shape;
    private int _infer;

    /// <summary>Creates the layer; e.g. <c>new Reshape([0, -1])</c> is Flatten for any batch size and <c>new Reshape([0, 512, 7, 7])</c> unflattens.</summary>
    /// <param name="shape">The target shape: positive sizes, 0 (copy the input dimension at that position) and at most one −1 (inferred).</param>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry below −1 or above int.MaxValue, or more than one −1 (the entries are named).</exception>
    public Reshape(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        _shape = (long[])shape.Clone();
        _infer = -1;
        for (int i = 0; i < _shape.Length; i++)
        {
            long s = _shape[i];
            if (s < -1 || s > int.MaxValue)
                throw new ArgumentException($"Reshape: shape {Spec(_shape)} has {s} at position {i}; entries must be positive sizes, 0 (copy) or -1 (infer).", nameof(shape));
            if (s != -1) continue;
            if (_infer >= 0)
                throw new ArgumentException($"Reshape: shape {Spec(_shape)} has more than one -1 (positions {_infer} and {i}); only one dimension can be inferred.", nameof(shape));
            _infer = i;
        }
        Shape = Array.AsReadOnly(_shape);
    }

    /// <summary>The target shape as given (with its 0 and −1 entries).</summary>
    public ReadOnlyCollection<long> Shape { get; }

    /// <summary>Turns a rank-2 flatten spec with an explicit size ([1, 2048], [−1, 2048]) into [0, −1], which flattens
    /// whatever the channel count (channel pruning shrinks the input).</summary>
    /// <exception cref="InvalidOperationException">The spec is not of rank 2.</exception>
    internal void MakeFlatten()
    {
        if (_shape.Length != 2) throw new InvalidOperationException($"Reshape {Spec(_shape)} is not a rank-2 flatten.");
        _shape[0] = 0;
        _shape[1] = -1;
        _infer = 1;
        ForgetViews();
    }

    /// <summary>The spec resolved against <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A 0 at a position beyond the input rank, or the element counts cannot match.</exception>
    private protected override int[] OutputShape(ReadOnlySpan<int> input)
    {
        var result = new int[_shape.Length];
        long known = 1;
        for (int i = 0; i < _shape.Length; i++)
        {
            if (i == _infer) continue;
            if (_shape[i] == 0 && i >= input.Length)
                throw LayerHelpers.ShapeError(ToString(), $"rank > {i} (shape entry {i} is 0, which copies input dimension {i})", input);
            result[i] = _shape[i] == 0 ? input[i] : (int)_shape[i];
            known = Math.Min(known * result[i], long.MaxValue / int.MaxValue);   // saturates far above any tensor length
        }
        int total = 1;
        foreach (int d in input) total *= d;
        if (_infer >= 0)
        {
            if (known == 0 || total % known != 0)
                throw LayerHelpers.ShapeError(ToString(), $"an element count divisible by {known} to infer dimension {_infer}", input);
            result[_infer] = (int)(total / known);
        }
        else if (known != total)
            throw LayerHelpers.ShapeError(ToString(), $"{known} elements", input);
        return result;
    }

    private static string Spec(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <inheritdoc/>
    public override string ToString() => $"Reshape({Spec(_shape)})";
}
