// ReLU: y = max(x, 0), element-wise, any shape (PyTorch nn.ReLU).
//   Backward: dx = dy where y > 0, else 0 (the gradient at exactly 0 is 0, as in PyTorch).
// Not in place: the output is a layer-owned buffer (the input may still be needed by the layer before).
using System.Numerics;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Rectified linear unit y = max(x, 0).</summary>
public sealed class ReLU : Module
{
    private Tensor? _output, _gradInput;
    private bool _ready;

    /// <summary>y = max(x, 0); output has the input's shape (layer-owned, overwritten by the next call).</summary>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        TensorPrimitives.Max(input.Data, 0f, y.Data);
        _ready = training;
        return y;
    }

    /// <summary>dx = dy·[y &gt; 0] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        LayerHelpers.RequireForward(_ready, ToString());
        LayerHelpers.CheckGradShape(ToString(), gradOutput, _output!);
        _ready = false;
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        Mask(_output!.Data, gradOutput.Data, dx.Data);
        return dx;
    }

    // dst = y > 0 ? dy : 0
    private static void Mask(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= y.Length - w; i += w)
            {
                var yv = new Vector<float>(y[i..]);
                var gv = new Vector<float>(dy[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(yv, Vector<float>.Zero), gv, Vector<float>.Zero).CopyTo(dst[i..]);
            }
        }
        for (; i < y.Length; i++) dst[i] = y[i] > 0 ? dy[i] : 0f;
    }

    /// <inheritdoc/>
    public override string ToString() => "ReLU()";
}
