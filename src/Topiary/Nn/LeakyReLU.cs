// LeakyReLU: y = x for x > 0, else negativeSlope·x, element-wise, any shape (PyTorch nn.LeakyReLU; ONNX LeakyRelu).
//   Backward: dx = dy for x > 0, else negativeSlope·dy (at exactly 0 the slope side, as in PyTorch).
// Keeps a reference to the training input for Backward (the sign of y is not the sign of x for a slope ≤ 0).
// The driver (buffers, guards) is PointwiseActivation; this file holds the math.
using System.Globalization;
using System.Numerics;

namespace Topiary.Nn;

/// <summary>Leaky rectified linear unit y = x > 0 ? x : negativeSlope·x.</summary>
/// <remarks>Forward: y = x &gt; 0 ? x : negativeSlope·x. Backward: dx = x &gt; 0 ? dy : negativeSlope·dy.</remarks>
public sealed class LeakyReLU : PointwiseActivation
{
    /// <summary>Creates the layer.</summary>
    /// <param name="negativeSlope">The slope for x ≤ 0 (PyTorch default 0.01; ONNX attribute alpha, default 0.01).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is not finite.</exception>
    public LeakyReLU(float negativeSlope = 0.01f) : base(backwardReadsInput: true)
    {
        if (!float.IsFinite(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "LeakyReLU: the negative slope must be finite.");
        NegativeSlope = negativeSlope;
    }

    /// <summary>The slope for x ≤ 0.</summary>
    public float NegativeSlope { get; }

    private protected override void ForwardKernel(ReadOnlySpan<float> x, Span<float> y) =>
        PointwiseMap.Map(x, x, y, new SlopeSelect(NegativeSlope));

    private protected override void BackwardKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx) =>
        PointwiseMap.Map(x, dy, dx, new SlopeSelect(NegativeSlope));

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"LeakyReLU(negative_slope={NegativeSlope})");

    // (x, v) → x > 0 ? v : slope·v (forward with v = x, backward with v = dy).
    private readonly struct SlopeSelect(float slope) : IBinaryPointwiseOperator
    {
        public float Invoke(float x, float v) => x > 0 ? v : slope * v;

        public Vector<float> Invoke(Vector<float> x, Vector<float> v) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), v, v * new Vector<float>(slope));
    }
}
