// GlobalAvgPool2d: mean over the spatial axes (PyTorch nn.AdaptiveAvgPool2d(1), ONNX GlobalAveragePool).
//   input [N, C, H, W] → output [N, C, 1, 1],  y[n, c] = (1/(H·W)) · Σ_{h,w} x[n, c, h, w]
//   Backward: dx[n, c, h, w] = dy[n, c] / (H·W).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Global average pooling: [N, C, H, W] → [N, C, 1, 1].</summary>
public sealed class GlobalAvgPool2d : Module, IArenaOutput
{
    private Tensor? _output;
    private OutputSeat _seat;
    private KeptShape _kept;

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>Averages every H×W plane. Output [N, C, 1, 1] is layer-owned and overwritten by the next call.</summary>
    /// <exception cref="ArgumentException">Input not rank 4 or with an empty plane.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        PoolHelpers.RequirePlanes(ToString(), input);
        int planes = input.Dim(0) * input.Dim(1), hw = input.Dim(2) * input.Dim(3);
        var y = _seat.Output(ref _output, training, input.Dim(0), input.Dim(1), 1, 1);
        float inv = 1f / hw;
        for (int p = 0; p < planes; p++) y.Data[p] = TensorPrimitives.Sum(input.Data.AsSpan(p * hw, hw)) * inv;
        _kept.Keep(input, training);
        return y;
    }

    /// <summary>Spreads dy/(H·W) over each plane; returns dx [N, C, H, W] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        var dx = _kept.BeginBackward(this, gradOutput, _output!);
        int hw = dx.Dim(2) * dx.Dim(3);
        float inv = 1f / hw;
        for (int p = 0; p < gradOutput.Length; p++) dx.Data.AsSpan(p * hw, hw).Fill(gradOutput.Data[p] * inv);
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => "GlobalAvgPool2d()";
}
