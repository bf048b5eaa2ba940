// LogSoftmax: y = x − max − log Σ exp(x − max) over one axis of any rank (PyTorch nn.LogSoftmax(dim); ONNX LogSoftmax
// opset 13+, where the softmax is per axis). Negative axes count from the end.
//   Backward: dx = dy − exp(y) ⊙ Σ_axis dy.
// ONNX LogSoftmax before opset 13 is different: it coerces the input to 2-D [prod(dims < axis), prod(dims ≥ axis)]
// and normalises each row over ALL the trailing dimensions (default axis 1). coerceTo2D: true reproduces that, so
// an importer maps LogSoftmax-1/11(axis = a) to new LogSoftmax(a, coerceTo2D: true) and LogSoftmax-13(axis = a) to
// new LogSoftmax(a). The two agree when a is the last axis.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The log-softmax over one axis (ONNX LogSoftmax-13 semantics, or the pre-13 2-D coercion on request).</summary>
public sealed class LogSoftmax : Module
{
    private Tensor? _output, _gradInput;
    private float[]? _scratch;
    private (int Outer, int D, int Inner) _view;
    private bool _ready;

    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The softmax axis, in [−r, r) for an input of rank r (checked at Forward); negative counts from the end.</param>
    /// <param name="coerceTo2D">
    /// False (ONNX opset ≥ 13, PyTorch): normalise over <paramref name="axis"/> only. True (ONNX opset &lt; 13):
    /// normalise over all dimensions from <paramref name="axis"/> on, as one group per index of the leading dimensions.
    /// </param>
    public LogSoftmax(int axis, bool coerceTo2D = false)
    {
        Axis = axis;
        CoerceTo2D = coerceTo2D;
    }

    /// <summary>The softmax axis as given.</summary>
    public int Axis { get; }

    /// <summary>Whether the pre-opset-13 coercion to 2-D applies (every dimension from <see cref="Axis"/> on is normalised together).</summary>
    public bool CoerceTo2D { get; }

    /// <summary>y = log softmax(x) over the axis, same shape as x (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">The axis is out of range for the input rank.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _view = SoftmaxKernel.View(input.Shape, SoftmaxKernel.ResolveAxis(input.Shape, Axis, ToString()), CoerceTo2D);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        var scratch = LayerHelpers.Ensure(ref _scratch, 2 * _view.Inner);
        SoftmaxKernel.Forward(input.Data, y.Data, _view.Outer, _view.D, _view.Inner, log: true, scratch);
        _ready = training;
        return y;
    }

    /// <summary>dx = dy − exp(y) ⊙ Σ_axis dy (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        SoftmaxKernel.Backward(_output!.Data, gradOutput.Data, dx.Data, _view.Outer, _view.D, _view.Inner, log: true, _scratch!);
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => CoerceTo2D ? $"LogSoftmax(axis={Axis}, coerce_to_2d)" : $"LogSoftmax(axis={Axis})";
}
