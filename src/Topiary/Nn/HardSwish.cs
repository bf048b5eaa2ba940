// HardSwish: y = x · max(0, min(1, x/6 + 1/2)), element-wise, any shape (PyTorch nn.Hardswish; ONNX HardSwish, i.e.
// x · HardSigmoid(α = 1/6, β = 1/2)(x)).
//   Backward (PyTorch's convention at the kinks): dx = 0 for x < −3, dy·(x/3 + 1/2) for −3 ≤ x ≤ 3, dy for x > 3.
// Keeps a reference to the training input for Backward (y does not determine x on [−3, 0]).
// The driver (buffers, guards) is PointwiseActivation; this file holds the math.
using System.Numerics;

namespace Topiary.Nn;

/// <summary>The hard swish y = x · clamp(x/6 + 1/2, 0, 1).</summary>
/// <remarks>Forward: y = x · clamp(x/6 + 1/2, 0, 1). Backward: dx = dy · (x &lt; −3 ? 0 : x ≤ 3 ? x/3 + 1/2 : 1).</remarks>
public sealed class HardSwish : PointwiseActivation
{
    /// <summary>Creates the layer.</summary>
    public HardSwish() : base(backwardReadsInput: true) { }

    private protected override void ForwardKernel(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Multiply(x, 1f / 6f, y);
        TensorPrimitives.Add(y, 0.5f, y);
        TensorPrimitives.Clamp(y, 0f, 1f, y);
        TensorPrimitives.Multiply(y, x, y);
    }

    private protected override void BackwardKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) =>
        PointwiseMap.Map(x, dy, dx, default(Gradient));

    /// <inheritdoc/>
    public override string ToString() => "HardSwish()";

    // (x, dy) → x < −3 ? 0 : x ≤ 3 ? dy·(x/3 + 1/2) : dy   (NaN x compares false both times: dy, as the scalar form)
    private readonly struct Gradient : IBinaryPointwiseOperator
    {
        public float Invoke(float x, float dy) => x < -3f ? 0f : x <= 3f ? dy * (x / 3f + 0.5f) : dy;

        public Vector<float> Invoke(Vector<float> x, Vector<float> dy)
        {
            var middle = dy * (x / new Vector<float>(3f) + new Vector<float>(0.5f));
            var upper = Vector.ConditionalSelect(Vector.LessThanOrEqual(x, new Vector<float>(3f)), middle, dy);
            return Vector.ConditionalSelect(Vector.LessThan(x, new Vector<float>(-3f)), Vector<float>.Zero, upper);
        }
    }
}
