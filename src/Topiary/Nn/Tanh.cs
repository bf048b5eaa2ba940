// Tanh: y = tanh(x), element-wise, any shape (PyTorch nn.Tanh; ONNX Tanh).
//   Backward: dx = dy · (1 − y²), from the output.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The hyperbolic tangent y = tanh(x).</summary>
public sealed class Tanh : Module
{
    private Tensor? _output, _gradInput;
    private bool _ready;

    /// <summary>y = tanh(x); output has the input's shape (layer-owned, overwritten by the next call).</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        TensorPrimitives.Tanh(input.Data, y.Data);
        _ready = training;
        return y;
    }

    /// <summary>dx = dy·(1 − y²) (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        var y = _output!.Data;
        TensorPrimitives.Multiply(y, y, dx.Data);                             // y²
        TensorPrimitives.Multiply(dx.Data, gradOutput.Data, dx.Data);         // dy·y²
        TensorPrimitives.Subtract(gradOutput.Data, dx.Data, dx.Data);         // dy − dy·y²
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => "Tanh()";
}
