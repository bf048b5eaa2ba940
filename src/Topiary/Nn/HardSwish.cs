// HardSwish: y = x · max(0, min(1, x/6 + 1/2)), element-wise, any shape (PyTorch nn.Hardswish; ONNX HardSwish, i.e.
// x · HardSigmoid(α = 1/6, β = 1/2)(x)).
//   Backward (PyTorch's convention at the kinks): dx = 0 for x < −3, dy·(x/3 + 1/2) for −3 ≤ x ≤ 3, dy for x > 3.
// Keeps a reference to the training input for Backward (y does not determine x on [−3, 0]).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The hard swish y = x · clamp(x/6 + 1/2, 0, 1).</summary>
public sealed class HardSwish : Module
{
    private Tensor? _output, _gradInput, _input;
    private bool _ready;

    /// <summary>y = x · clamp(x/6 + 1/2, 0, 1); output has the input's shape (layer-owned, overwritten by the next call).</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        TensorPrimitives.Multiply(input.Data, 1f / 6f, y.Data);
        TensorPrimitives.Add(y.Data, 0.5f, y.Data);
        TensorPrimitives.Clamp(y.Data, 0f, 1f, y.Data);
        TensorPrimitives.Multiply(y.Data, input.Data, y.Data);
        _input = training ? input : null;
        _ready = training;
        return y;
    }

    /// <summary>dx = dy · (x &lt; −3 ? 0 : x ≤ 3 ? x/3 + 1/2 : 1) (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        var x = _input!.Data;
        var dy = gradOutput.Data;
        var d = dx.Data;
        for (int i = 0; i < d.Length; i++)
        {
            float v = x[i];
            d[i] = v < -3f ? 0f : v <= 3f ? dy[i] * (v / 3f + 0.5f) : dy[i];
        }
        _input = null;
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => "HardSwish()";
}
