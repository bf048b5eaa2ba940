// LeakyReLU: y = x for x > 0, else negativeSlope·x, element-wise, any shape (PyTorch nn.LeakyReLU; ONNX LeakyRelu).
//   Backward: dx = dy for x > 0, else negativeSlope·dy (at exactly 0 the slope side, as in PyTorch).
// Keeps a reference to the training input for Backward (the sign of y is not the sign of x for a slope ≤ 0).
using System.Globalization;
using System.Numerics;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Leaky rectified linear unit y = x > 0 ? x : negativeSlope·x.</summary>
public sealed class LeakyReLU : Module
{
    private Tensor? _output, _gradInput, _input;
    private bool _ready;

    /// <summary>Creates the layer.</summary>
    /// <param name="negativeSlope">The slope for x ≤ 0 (PyTorch default 0.01; ONNX attribute alpha, default 0.01).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeSlope"/> is not finite.</exception>
    public LeakyReLU(float negativeSlope = 0.01f)
    {
        if (!float.IsFinite(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "LeakyReLU: the negative slope must be finite.");
        NegativeSlope = negativeSlope;
    }

    /// <summary>The slope for x ≤ 0.</summary>
    public float NegativeSlope { get; }

    /// <summary>y = x &gt; 0 ? x : negativeSlope·x; output has the input's shape (layer-owned, overwritten by the next call).</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        Select(input.Data, input.Data, NegativeSlope, y.Data);
        _input = training ? input : null;
        _ready = training;
        return y;
    }

    /// <summary>dx = x &gt; 0 ? dy : negativeSlope·dy (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        Select(_input!.Data, gradOutput.Data, NegativeSlope, dx.Data);
        _input = null;
        return dx;
    }

    // dst = x > 0 ? v : slope·v (forward with v = x, backward with v = dy).
    private static void Select(ReadOnlySpan<float> x, ReadOnlySpan<float> v, float slope, Span<float> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var s = new Vector<float>(slope);
            for (; i <= x.Length - w; i += w)
            {
                var vv = new Vector<float>(v[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(x[i..]), Vector<float>.Zero), vv, vv * s).CopyTo(dst[i..]);
            }
        }
        for (; i < x.Length; i++) dst[i] = x[i] > 0 ? v[i] : slope * v[i];
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"LeakyReLU(negative_slope={NegativeSlope})");
}
