// KeptInput: what a layer whose Backward reads its input keeps from Forward — the input of a training-mode
// Forward and the "one Backward allowed" flag. Forward ends with Keep(input, training); Backward starts with
// Take(...), which checks the call (LayerHelpers.BeginBackward) and hands the input back once, releasing it.
// A mutable struct held in a (non-readonly) field of the layer: no allocation, no indirection.
using Topiary.Tensors;

namespace Topiary.Nn;

internal struct KeptInput
{
    private Tensor? _input;
    private bool _ready;

    /// <summary>Ends a Forward: keeps <paramref name="input"/> and allows one Backward when <paramref name="training"/>; otherwise keeps nothing.</summary>
    public void Keep(Tensor input, bool training)
    {
        _input = training ? input : null;
        _ready = training;
    }

    /// <summary>
    /// Starts a Backward: throws unless a training-mode Forward came first and <paramref name="gradOutput"/> has the
    /// shape of <paramref name="output"/>; returns the kept input and releases it.
    /// </summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public Tensor Take(object layer, Tensor gradOutput, Tensor output)
    {
        LayerHelpers.BeginBackward(ref _ready, layer, gradOutput, output);
        var x = _input!;
        _input = null;
        return x;
    }
}
