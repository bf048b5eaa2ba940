// IndexMapLayer: the one Forward/Backward driver of the layers whose output only moves input elements — Permute,
// Slice and Pad. A subclass builds an AxisIndexMap for an input shape (validating the shape, throwing the standard
// shape error); the driver keeps the map until the input shape changes and then
//   Forward:  y = map.Gather(x, Fill)          (Fill: the value of positions that read no input; 0 unless Pad)
//   Backward: dx = map.Scatter(dy)              (the adjoint: dx = 0, then dx[src(o)] += dy[o])
// Output and gradient are layer-owned copies, overwritten by the next call. The constructor is private protected:
// only Topiary's layers derive from it, and the internal AxisIndexMap stays out of the public API.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>
/// The shared base of the element-moving layers (<see cref="Permute"/>, <see cref="Slice"/>, <see cref="Pad"/>):
/// every output element copies one input element (or a fill value), and the gradient is the adjoint scatter.
/// It cannot be derived from outside Topiary.
/// </summary>
public abstract class IndexMapLayer : Module, IArenaOutput
{
    private AxisIndexMap? _map;
    private Tensor? _output, _gradInput;
    private OutputSeat _seat;
    private bool _ready;

    private protected IndexMapLayer() { }

    /// <summary>The map from output positions to input offsets for an input of <paramref name="shape"/>; throws the standard shape error when the shape does not fit.</summary>
    private protected abstract AxisIndexMap BuildMap(ReadOnlySpan<int> shape);

    /// <summary>The value of output positions that read no input element (Pad's constant border).</summary>
    private protected virtual float Fill => 0f;

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>y[o] = x[src(o)] (or the fill value of a constant border); layer-owned copy, overwritten by the next call.</summary>
    /// <exception cref="ArgumentException">The input shape does not fit the layer (the layer's remarks say when).</exception>
    public sealed override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_map is null || !input.Shape.SequenceEqual(_map.InputShape)) _map = BuildMap(input.Shape);
        var y = _seat.Output(ref _output, training, _map.OutputShape);
        _map.Gather(input.Span, y.Span, Fill);
        _ready = training;
        return y;
    }

    /// <summary>dx[i] = Σ dy over the output positions that copied x[i], 0 where none did (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public sealed override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.BeginBackward(ref _ready, this, gradOutput, _output!);
        var dx = LayerHelpers.Ensure(ref _gradInput, _map!.InputShape);
        _map.Scatter(gradOutput.Data, dx.Data);
        return dx;
    }

    /// <summary>The layer as text, e.g. <c>Permute(0, 2, 3, 1)</c>; it names the layer in error messages.</summary>
    public abstract override string ToString();
}
