// Hardtanh: y = min(max(x, min), max), element-wise, any shape (PyTorch nn.Hardtanh; ONNX Clip; PyTorch nn.ReLU6 is
// Hardtanh(0, 6), see ReLU6()). Either bound may be infinite (ONNX Clip with one input omitted).
//   Backward: dx = dy where min < x < max, else 0 (0 at the bounds, as in PyTorch). Read from the output:
//   min < y < max exactly when min < x < max.
using System.Globalization;
using System.Numerics;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Clamps its input to [min, max] (Hardtanh / ONNX Clip / ReLU6).</summary>
public sealed class Hardtanh : Module
{
    private Tensor? _output, _gradInput;
    private bool _ready;

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

    /// <summary>y = min(max(x, min), max); output has the input's shape (layer-owned, overwritten by the next call).</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        TensorPrimitives.Clamp(input.Data, Min, Max, y.Data);
        _ready = training;
        return y;
    }

    /// <summary>dx = dy·[min &lt; x &lt; max] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        PassInside(_output!.Data, gradOutput.Data, Min, Max, 1f, dx.Data);
        return dx;
    }

    /// <summary>dst = lo &lt; y &lt; hi ? scale·dy : 0 — the backward of every clamp-shaped activation.</summary>
    internal static void PassInside(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, float lo, float hi, float scale, Span<float> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            Vector<float> l = new(lo), h = new(hi), s = new(scale);
            for (; i <= y.Length - w; i += w)
            {
                var yv = new Vector<float>(y[i..]);
                var inside = Vector.BitwiseAnd(Vector.GreaterThan(yv, l), Vector.LessThan(yv, h));
                Vector.ConditionalSelect(inside, new Vector<float>(dy[i..]) * s, Vector<float>.Zero).CopyTo(dst[i..]);
            }
        }
        for (; i < y.Length; i++) dst[i] = y[i] > lo && y[i] < hi ? scale * dy[i] : 0f;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Hardtanh(min={Min}, max={Max})");
}
