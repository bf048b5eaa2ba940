// HardSigmoid: y = max(0, min(1, α·x + β)), element-wise, any shape (ONNX HardSigmoid, defaults α = 0.2, β = 0.5;
// PyTorch nn.Hardsigmoid is α = 1/6, β = 1/2).
//   Backward: dx = α·dy where 0 < α·x + β < 1, else 0 (0 at the kinks, as in PyTorch). Read from the output.
using System.Globalization;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The piecewise-linear sigmoid y = max(0, min(1, α·x + β)).</summary>
public sealed class HardSigmoid : Module
{
    private Tensor? _output, _gradInput;
    private bool _ready;

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

    /// <summary>y = max(0, min(1, α·x + β)); output has the input's shape (layer-owned, overwritten by the next call).</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        TensorPrimitives.Multiply(input.Data, Alpha, y.Data);
        TensorPrimitives.Add(y.Data, Beta, y.Data);
        TensorPrimitives.Clamp(y.Data, 0f, 1f, y.Data);
        _ready = training;
        return y;
    }

    /// <summary>dx = α·dy·[0 &lt; y &lt; 1] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        Hardtanh.PassInside(_output!.Data, gradOutput.Data, 0f, 1f, Alpha, dx.Data);
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"HardSigmoid(alpha={Alpha}, beta={Beta})");
}
