// ViewLayer: the base of the layers whose output is their input's storage under another shape (Flatten, Reshape).
// A subclass only says which shape (OutputShape, which also rejects inputs it cannot view); Forward returns a view of
// the input with that shape and Backward a view of the gradient with the input's shape. Both views are reused while
// the storage and the shapes stay the same, so steady-state calls allocate no tensors.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Base class of the layers that return their input with another shape, sharing its storage. No copies.</summary>
public abstract class ViewLayer : Module
{
    private Tensor? _outView, _gradView;
    private int[]? _inputShape;
    private bool _ready;

    /// <summary>Only the layers of this assembly are views.</summary>
    private protected ViewLayer()
    {
    }

    /// <summary>The output shape for an input of shape <paramref name="input"/> (same element count).</summary>
    /// <exception cref="ArgumentException">The input cannot be viewed with this layer's shape; the message names the layer and the shape.</exception>
    private protected abstract int[] OutputShape(ReadOnlySpan<int> input);

    /// <summary>Returns a view of <paramref name="input"/> with the layer's output shape (shares storage).</summary>
    /// <exception cref="ArgumentException">The input cannot be viewed with the layer's shape.</exception>
    public sealed override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var outShape = OutputShape(input.Shape);
        LayerHelpers.KeepShape(ref _inputShape, input.Shape);
        if (_outView is null || _outView.Data != input.Data || !_outView.Shape.SequenceEqual(outShape))
            _outView = input.Length == input.Data.Length ? new Tensor(input.Data, outShape) : Tensor.View(input.Data, outShape);
        _ready = training;
        return _outView;
    }

    /// <summary>Returns <paramref name="gradOutput"/> viewed with the input's shape.</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public sealed override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.BeginBackward(ref _ready, this, gradOutput, _outView!);
        if (_gradView is null || _gradView.Data != gradOutput.Data || !_gradView.Shape.SequenceEqual(_inputShape))
            _gradView = new Tensor(gradOutput.Data, _inputShape!);
        return _gradView;
    }

    /// <summary>The layer as text; it names the layer in error messages.</summary>
    public abstract override string ToString();

    /// <summary>Drops the cached views (after the layer's shape rule changed).</summary>
    private protected void ForgetViews()
    {
        _outView = null;
        _gradView = null;
    }
}
