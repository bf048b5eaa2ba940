// Sigmoid: y = 1 / (1 + exp(−x)), element-wise, any shape (PyTorch nn.Sigmoid; ONNX Sigmoid).
//   Backward: dx = dy · y · (1 − y), from the output.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>The logistic sigmoid y = 1 / (1 + e^−x).</summary>
public sealed class Sigmoid : Module
{
    private Tensor? _output, _gradInput;
    private bool _ready;

    /// <summary>y = 1 / (1 + e^−x); output has the input's shape (layer-owned, overwritten by the next call).</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        TensorPrimitives.Sigmoid(input.Data, y.Data);
        _ready = training;
        return y;
    }

    /// <summary>dx = dy·y·(1 − y) (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        var y = _output!.Data;
        TensorPrimitives.Multiply(y, y, dx.Data);                // y²
        TensorPrimitives.Subtract(y, dx.Data, dx.Data);          // y − y² = y(1 − y)
        TensorPrimitives.Multiply(dx.Data, gradOutput.Data, dx.Data);
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => "Sigmoid()";
}
