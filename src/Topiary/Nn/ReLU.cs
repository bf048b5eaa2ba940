// ReLU: y = max(x, 0), element-wise, any shape (PyTorch nn.ReLU).
//   Backward: dx = dy where y > 0, else 0 (the gradient at exactly 0 is 0, as in PyTorch).
// Not in place: the output is a layer-owned buffer (the input may still be needed by the layer before).
// The driver (buffers, guards) is PointwiseActivation; this file holds the math.
using System.Numerics;

namespace Topiary.Nn;

/// <summary>Rectified linear unit y = max(x, 0).</summary>
/// <remarks>Forward: y = max(x, 0). Backward: dx = dy·[y &gt; 0].</remarks>
public sealed class ReLU : PointwiseActivation
{
    private protected override void ForwardKernel(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    private protected override void BackwardKernel(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        PointwiseMap.Map(y, dy, dx, default(PositiveMask));

    /// <inheritdoc/>
    public override string ToString() => "ReLU()";

    // (y, dy) → y > 0 ? dy : 0
    private readonly struct PositiveMask : IBinaryPointwiseOperator
    {
        public float Invoke(float y, float dy) => y > 0 ? dy : 0f;

        public Vector<float> Invoke(Vector<float> y, Vector<float> dy) =>
            Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero), dy, Vector<float>.Zero);
    }
}
