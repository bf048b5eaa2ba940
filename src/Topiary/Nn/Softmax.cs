// Softmax: y = exp(x − max) / Σ exp(x − max) over one axis of any rank (PyTorch nn.Softmax(dim); ONNX Softmax
// opset 13+, where the softmax is per axis). Negative axes count from the end.
//   Backward: dx = y ⊙ (dy − Σ_axis dy ⊙ y).
// ONNX Softmax before opset 13 is different: it coerces the input to 2-D [prod(dims < axis), prod(dims ≥ axis)]
// and normalises each row over ALL the trailing dimensions (default axis 1). coerceTo2D: true reproduces that, so
// an importer maps Softmax-1/11(axis = a) to new Softmax(a, coerceTo2D: true) and Softmax-13(axis = a) to
// new Softmax(a). The two agree when a is the last axis.
// The Forward/Backward driver (buffers, axis check, the [outer, d, inner] view) is SoftmaxBase; the math SoftmaxKernel.
namespace Topiary.Nn;

/// <summary>The softmax over one axis (ONNX Softmax-13 semantics, or the pre-13 2-D coercion on request).</summary>
public sealed class Softmax : SoftmaxBase
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The softmax axis, in [−r, r) for an input of rank r (checked at Forward); negative counts from the end.</param>
    /// <param name="coerceTo2D">
    /// False (ONNX opset ≥ 13, PyTorch): normalise over <paramref name="axis"/> only. True (ONNX opset &lt; 13):
    /// normalise over all dimensions from <paramref name="axis"/> on, as one group per index of the leading dimensions.
    /// </param>
    public Softmax(int axis, bool coerceTo2D = false) : base(axis, coerceTo2D, log: false) { }

    /// <inheritdoc/>
    public override string ToString() => CoerceTo2D ? $"Softmax(axis={Axis}, coerce_to_2d)" : $"Softmax(axis={Axis})";
}
