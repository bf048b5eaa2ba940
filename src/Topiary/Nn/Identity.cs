// Identity: y = x (PyTorch nn.Identity). Forward returns the input tensor itself and Backward the
// gradient tensor itself (no copies); any shape.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The identity layer y = x (returns its argument, no copy).</summary>
public sealed class Identity : Module
{
    private int[]? _shape;
    private bool _ready;

    /// <summary>Returns <paramref name="input"/> itself.</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ready = training;
        if (training && (_shape is null || !input.Shape.SequenceEqual(_shape))) _shape = input.Shape.ToArray();
        return input;
    }

    /// <summary>Returns <paramref name="gradOutput"/> itself.</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the input shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, this);
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (!gradOutput.Shape.SequenceEqual(_shape))
            throw new ArgumentException($"{this}: expected gradOutput shape {Tensor.ShapeString(_shape)}, got {Tensor.ShapeString(gradOutput.Shape)}.", nameof(gradOutput));
        _ready = false;
        return gradOutput;
    }

    /// <inheritdoc/>
    public override string ToString() => "Identity()";
}
