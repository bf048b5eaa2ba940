// Sigmoid: y = 1 / (1 + exp(−x)), element-wise, any shape (PyTorch nn.Sigmoid; ONNX Sigmoid).
//   Backward: dx = dy · y · (1 − y), from the output.
// The driver (buffers, guards) is PointwiseActivation; this file holds the math.
namespace Topiary.Nn;

/// <summary>The logistic sigmoid y = 1 / (1 + e^−x).</summary>
/// <remarks>Forward: y = 1 / (1 + e^−x). Backward: dx = dy·y·(1 − y).</remarks>
public sealed class Sigmoid : PointwiseActivation
{
    private protected override void ForwardKernel(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    private protected override void BackwardKernel(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        TensorPrimitives.Multiply(y, y, dx);        // y²
        TensorPrimitives.Subtract(y, dx, dx);       // y − y² = y(1 − y)
        TensorPrimitives.Multiply(dx, dy, dx);
    }

    /// <inheritdoc/>
    public override string ToString() => "Sigmoid()";
}
