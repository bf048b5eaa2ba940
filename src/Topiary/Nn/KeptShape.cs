// KeptShape: what a layer whose Backward needs only its input's shape keeps from Forward (the pools) — the shape of
// a training-mode Forward's input, the "one Backward allowed" flag and the layer-owned input-gradient buffer.
// Forward ends with Keep(input, training); Backward starts with BeginBackward(...), which checks the call
// (LayerHelpers.BeginBackward) and returns the gradient buffer with the kept shape (zeroed only when it is new).
// A mutable struct held in a (non-readonly) field of the layer: no allocation, no indirection.
using Topiary.Tensors;

namespace Topiary.Nn;

internal struct KeptShape
{
    private int[]? _shape;
    private Tensor? _gradInput;
    private bool _ready;

    /// <summary>Ends a Forward: allows one Backward and keeps the shape of <paramref name="input"/> when <paramref name="training"/>.</summary>
    public void Keep(Tensor input, bool training)
    {
        _ready = training;
        if (training) LayerHelpers.KeepShape(ref _shape, input.Shape);
    }

    /// <summary>
    /// Starts a Backward: throws unless a training-mode Forward came first and <paramref name="gradOutput"/> has the
    /// shape of <paramref name="output"/>; returns the layer-owned input-gradient buffer (the kept input shape).
    /// </summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public Tensor BeginBackward(object layer, Tensor gradOutput, Tensor output)
    {
        LayerHelpers.BeginBackward(ref _ready, layer, gradOutput, output);
        return LayerHelpers.Ensure(ref _gradInput, _shape!);
    }
}
