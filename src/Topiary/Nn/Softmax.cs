// Softmax: y = exp(x − max) / Σ exp(x − max) over one axis of any rank (PyTorch nn.Softmax(dim); ONNX Softmax
// opset 13+, where the softmax is per axis). Negative axes count from the end.
//   Backward: dx = y ⊙ (dy − Σ_axis dy ⊙ y).
// ONNX Softmax before opset 13 is different: it coerces the input to 2-D [prod(dims < axis), prod(dims ≥ axis)]
// and normalises each row over ALL the trailing dimensions (default axis 1). coerceTo2D: true reproduces that, so
// an importer maps Softmax-1/11(axis = a) to new Softmax(a, coerceTo2D: true) and Softmax-13(axis = a) to
// new Softmax(a). The two agree when a is the last axis.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The softmax over one axis (ONNX Softmax-13 semantics, or the pre-13 2-D coercion on request).</summary>
public sealed class Softmax : Module
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
    public Softmax(int axis, bool coerceTo2D = false)
    {
        Axis = axis;
        CoerceTo2D = coerceTo2D;
    }

    /// <summary>The softmax axis as given.</summary>
    public int Axis { get; }

    /// <summary>Whether the pre-opset-13 coercion to 2-D applies (every dimension from <see cref="Axis"/> on is normalised together).</summary>
    public bool CoerceTo2D { get; }

    /// <summary>y = softmax(x) over the axis, same shape as x (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="ArgumentException">The axis is out of range for the input rank.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _view = SoftmaxKernel.View(input.Shape, SoftmaxKernel.ResolveAxis(input.Shape, Axis, ToString()), CoerceTo2D);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        var scratch = LayerHelpers.Ensure(ref _scratch, 2 * _view.Inner);
        SoftmaxKernel.Forward(input.Data, y.Data, _view.Outer, _view.D, _view.Inner, log: false, scratch);
        _ready = training;
        return y;
    }

    /// <summary>dx = y ⊙ (dy − Σ_axis dy ⊙ y) (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        SoftmaxKernel.Backward(_output!.Data, gradOutput.Data, dx.Data, _view.Outer, _view.D, _view.Inner, log: false, _scratch!);
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => CoerceTo2D ? $"Softmax(axis={Axis}, coerce_to_2d)" : $"Softmax(axis={Axis})";
}
