// SoftmaxBase: the one Forward/Backward driver of Softmax and LogSoftmax over one axis of any rank. It owns the
// output, gradient and scratch buffers, resolves the axis (negative counts from the end), views the input as
// [outer, d, inner] (SoftmaxKernel.View, with the pre-opset-13 2-D coercion on request) and runs SoftmaxKernel with
// the subclass's log flag. Only Softmax and LogSoftmax derive from it (the constructor is private protected).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>
/// The shared base of <see cref="Softmax"/> and <see cref="LogSoftmax"/>: a (log-)softmax over one axis
/// (ONNX opset-13 semantics, or the pre-13 2-D coercion on request). It cannot be derived from outside Topiary.
/// </summary>
public abstract class SoftmaxBase : Module, IArenaOutput
{
    private readonly bool _log;
    private Tensor? _output, _gradInput;
    private OutputSeat _seat;
    private float[]? _scratch;
    private (int Outer, int D, int Inner) _view;
    private bool _ready;

    private protected SoftmaxBase(int axis, bool coerceTo2D, bool log)
    {
        Axis = axis;
        CoerceTo2D = coerceTo2D;
        _log = log;
    }

    /// <summary>The softmax axis as given.</summary>
    public int Axis { get; }

    /// <summary>Whether the pre-opset-13 coercion to 2-D applies (every dimension from <see cref="Axis"/> on is normalised together).</summary>
    public bool CoerceTo2D { get; }

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>y = softmax(x) or log softmax(x) over the axis, same shape as x (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">The axis is out of range for the input rank.</exception>
    public sealed override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _view = SoftmaxKernel.View(input.Shape, SoftmaxKernel.ResolveAxis(input.Shape, Axis, ToString()), CoerceTo2D);
        var y = _seat.Output(ref _output, training, input.Shape);
        var scratch = LayerHelpers.Ensure(ref _scratch, 2 * _view.Inner);
        SoftmaxKernel.Forward(input.Data, y.Data, _view.Outer, _view.D, _view.Inner, _log, scratch);
        _ready = training;
        return y;
    }

    /// <summary>
    /// Softmax: dx = y ⊙ (dy − Σ_axis dy ⊙ y); log-softmax: dx = dy − exp(y) ⊙ Σ_axis dy (layer-owned).
    /// </summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public sealed override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.BeginBackward(ref _ready, this, gradOutput, _output!);
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        SoftmaxKernel.Backward(_output!.Data, gradOutput.Data, dx.Data, _view.Outer, _view.D, _view.Inner, _log, _scratch!);
        return dx;
    }

    /// <summary>The layer as text, e.g. <c>Softmax(axis=1)</c>; it names the layer in error messages.</summary>
    public abstract override string ToString();
}
