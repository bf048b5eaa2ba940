// Hardtanh: y = min(max(x, min), max), element-wise, any shape (PyTorch nn.Hardtanh; ONNX Clip; PyTorch nn.ReLU6 is
// Hardtanh(0, 6), see ReLU6()). Either bound may be infinite (ONNX Clip with one input omitted).
//   Backward: dx = dy where min < x < max, else 0 (0 at the bounds, as in PyTorch). Read from the output:
//   min < y < max exactly when min < x < max.
// The driver (buffers, guards) is PointwiseActivation; this file holds the math, and PassInside, the backward
// operator of every clamp-shaped activation (HardSigmoid uses it too).
using System.Globalization;
using System.Numerics;

namespace Topiary.Nn;

/// <summary>Clamps its input to [min, max] (Hardtanh / ONNX Clip / ReLU6).</summary>
/// <remarks>Forward: y = min(max(x, min), max). Backward: dx = dy·[min &lt; x &lt; max].</remarks>
public sealed class Hardtanh : PointwiseActivation
{
    /// <summary>Creates the layer (PyTorch defaults −1, 1).</summary>
    /// <param name="min">Lower bound (may be −∞).</param>
    /// <param name="max">Upper bound (may be +∞).</param>
    /// <exception cref="ArgumentException">A bound is NaN or <paramref name="min"/> &gt; <paramref name="max"/> (the values are named).</exception>
    public Hardtanh(float min = -1f, float max = 1f)
    {
        if (float.IsNaN(min) || float.IsNaN(max) || min > max)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Hardtanh: bounds [{min}, {max}] must be numbers with min <= max."), nameof(min));
        Min = min;
        Max = max;
    }

    /// <summary>PyTorch nn.ReLU6: y = min(max(x, 0), 6), i.e. <c>new Hardtanh(0, 6)</c> (described and exported as Hardtanh / Clip).</summary>
    public static Hardtanh ReLU6() => new(0f, 6f);

    /// <summary>The lower bound.</summary>
    public float Min { get; }

    /// <summary>The upper bound.</summary>
    public float Max { get; }

    private protected override void ForwardKernel(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Clamp(x, Min, Max, y);

    private protected override void BackwardKernel(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        PointwiseMap.Map(y, dy, dx, new PassInside(Min, Max, 1f));

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Hardtanh(min={Min}, max={Max})");

    /// <summary>(y, dy) → lo &lt; y &lt; hi ? scale·dy : 0 — the backward of every clamp-shaped activation.</summary>
    internal readonly struct PassInside(float lo, float hi, float scale) : IBinaryPointwiseOperator
    {
        public float Invoke(float y, float dy) => y > lo && y < hi ? scale * dy : 0f;

        public Vector<float> Invoke(Vector<float> y, Vector<float> dy)
        {
            var inside = Vector.BitwiseAnd(Vector.GreaterThan(y, new Vector<float>(lo)), Vector.LessThan(y, new Vector<float>(hi)));
            return Vector.ConditionalSelect(inside, dy * new Vector<float>(scale), Vector<float>.Zero);
        }
    }
}
