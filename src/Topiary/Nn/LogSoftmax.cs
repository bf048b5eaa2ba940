// LogSoftmax: y = x − max − log Σ exp(x − max) over one axis of any rank (PyTorch nn.LogSoftmax(dim); ONNX LogSoftmax
// opset 13+, where the softmax is per axis). Negative axes count from the end.
//   Backward: dx = dy − exp(y) ⊙ Σ_axis dy.
// ONNX LogSoftmax before opset 13 is different: it coerces the input to 2-D [prod(dims < axis), prod(dims ≥ axis)]
// and normalises each row over ALL the trailing dimensions (default axis 1). coerceTo2D: true reproduces that, so
// an importer maps LogSoftmax-1/11(axis = a) to new LogSoftmax(a, coerceTo2D: true) and LogSoftmax-13(axis = a) to
// new LogSoftmax(a). The two agree when a is the last axis.
// The Forward/Backward driver (buffers, axis check, the [outer, d, inner] view) is SoftmaxBase; the math SoftmaxKernel.
namespace Topiary.Nn;

/// <summary>The log-softmax over one axis (ONNX LogSoftmax-13 semantics, or the pre-13 2-D coercion on request).</summary>
public sealed class LogSoftmax : SoftmaxBase
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The softmax axis, in [−r, r) for an input of rank r (checked at Forward); negative counts from the end.</param>
    /// <param name="coerceTo2D">
    /// False (ONNX opset ≥ 13, PyTorch): normalise over <paramref name="axis"/> only. True (ONNX opset &lt; 13):
    /// normalise over all dimensions from <paramref name="axis"/> on, as one group per index of the leading dimensions.
    /// </param>
    public LogSoftmax(int axis, bool coerceTo2D = false) : base(axis, coerceTo2D, log: true) { }

    /// <inheritdoc/>
    public override string ToString() => CoerceTo2D ? $"LogSoftmax(axis={Axis}, coerce_to_2d)" : $"LogSoftmax(axis={Axis})";
}
