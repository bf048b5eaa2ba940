// Tanh: y = tanh(x), element-wise, any shape (PyTorch nn.Tanh; ONNX Tanh).
//   Backward: dx = dy · (1 − y²), from the output.
// The driver (buffers, guards) is PointwiseActivation; this file holds the math.
namespace Topiary.Nn;

/// <summary>The hyperbolic tangent y = tanh(x).</summary>
/// <remarks>Forward: y = tanh(x). Backward: dx = dy·(1 − y²).</remarks>
public sealed class Tanh : PointwiseActivation
{
    private protected override void ForwardKernel(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    private protected override void BackwardKernel(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        TensorPrimitives.Multiply(y, y, dx);        // y²
        TensorPrimitives.Multiply(dx, dy, dx);      // dy·y²
        TensorPrimitives.Subtract(dy, dx, dx);      // dy − dy·y²
    }

    /// <inheritdoc/>
    public override string ToString() => "Tanh()";
}
