// HardSigmoid: y = max(0, min(1, α·x + β)), element-wise, any shape (ONNX HardSigmoid, defaults α = 0.2, β = 0.5;
// PyTorch nn.Hardsigmoid is α = 1/6, β = 1/2).
//   Backward: dx = α·dy where 0 < α·x + β < 1, else 0 (0 at the kinks, as in PyTorch). Read from the output.
// The driver (buffers, guards) is PointwiseActivation; this file holds the math.
using System.Globalization;

namespace Topiary.Nn;

/// <summary>The piecewise-linear sigmoid y = max(0, min(1, α·x + β)).</summary>
/// <remarks>Forward: y = max(0, min(1, α·x + β)). Backward: dx = α·dy·[0 &lt; y &lt; 1].</remarks>
public sealed class HardSigmoid : PointwiseActivation
{
    /// <summary>Creates the layer (ONNX defaults; use <c>new HardSigmoid(1f / 6, 0.5f)</c> for PyTorch's nn.Hardsigmoid).</summary>
    /// <param name="alpha">The slope α.</param>
    /// <param name="beta">The offset β.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> or <paramref name="beta"/> is not finite.</exception>
    public HardSigmoid(float alpha = 0.2f, float beta = 0.5f)
    {
        if (!float.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "HardSigmoid: alpha must be finite.");
        if (!float.IsFinite(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "HardSigmoid: beta must be finite.");
        Alpha = alpha;
        Beta = beta;
    }

    /// <summary>The slope α.</summary>
    public float Alpha { get; }

    /// <summary>The offset β.</summary>
    public float Beta { get; }

    private protected override void ForwardKernel(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Multiply(x, Alpha, y);
        TensorPrimitives.Add(y, Beta, y);
        TensorPrimitives.Clamp(y, 0f, 1f, y);
    }

    private protected override void BackwardKernel(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        PointwiseMap.Map(y, dy, dx, new Hardtanh.PassInside(0f, 1f, Alpha));

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"HardSigmoid(alpha={Alpha}, beta={Beta})");
}
