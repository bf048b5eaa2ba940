// PointwiseActivation: the one Forward/Backward driver of the element-wise activations (ReLU, LeakyReLU, Hardtanh,
// Sigmoid, Tanh, HardSigmoid, HardSwish); any shape, y has the shape of x. It owns the output and gradient buffers
// (layer-owned, overwritten by the next call), the null / "Backward needs a training-mode Forward" / gradient-shape
// guards, and — for activations whose gradient needs x rather than y — a reference to the training input, dropped
// after Backward. A subclass supplies the math only:
//   ForwardKernel(x, y):             y = f(x)
//   BackwardKernel(saved, dy, dx):   dx = f'(·) ⊙ dy, saved = x (backwardReadsInput) or y
// Only Topiary's layers derive from it (the constructor and the kernels are private protected).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>
/// The shared base of the element-wise activations: y = f(x) element by element, dx = f′ ⊙ dy. Each layer's
/// remarks give its f and gradient. It cannot be derived from outside Topiary.
/// </summary>
public abstract class PointwiseActivation : Module, IArenaOutput
{
    private readonly bool _backwardReadsInput;
    private Tensor? _output, _gradInput, _input;
    private OutputSeat _seat;
    private bool _ready;

    /// <param name="backwardReadsInput">True when the gradient needs x (y does not determine it): the training input is kept until Backward.</param>
    private protected PointwiseActivation(bool backwardReadsInput = false) => _backwardReadsInput = backwardReadsInput;

    /// <summary>y = f(x); the spans have one length.</summary>
    private protected abstract void ForwardKernel(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx = f′ ⊙ dy from <paramref name="saved"/>: the forward input x when the layer reads its input, else the output y.</summary>
    private protected abstract void BackwardKernel(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx);

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>y = f(x) element-wise; output has the input's shape (layer-owned, overwritten by the next call).</summary>
    public sealed override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = _seat.Output(ref _output, training, input.Shape);
        ForwardKernel(input.Span, y.Span);
        if (_backwardReadsInput) _input = training ? input : null;
        _ready = training;
        return y;
    }

    /// <summary>dx = f′ ⊙ dy element-wise (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public sealed override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.BeginBackward(ref _ready, this, gradOutput, _output!);
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        BackwardKernel(_backwardReadsInput ? _input!.Data : _output!.Data, gradOutput.Data, dx.Data);
        _input = null;
        return dx;
    }

    /// <summary>The layer as text, e.g. <c>ReLU()</c>; it names the layer in error messages.</summary>
    public abstract override string ToString();
}
