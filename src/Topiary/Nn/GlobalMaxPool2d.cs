// GlobalMaxPool2d: maximum over the spatial axes (PyTorch nn.AdaptiveMaxPool2d(1), ONNX GlobalMaxPool).
//   input [N, C, H, W] → output [N, C, 1, 1],  y[n, c] = max_{h,w} x[n, c, h, w]
//   The flat index of each maximum is kept — the first in row-major order on ties; a NaN wins (as MaxPool2d) —
//   and Backward routes dy[n, c] to it: dx = 0 elsewhere. Parallel per sample, deterministic.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Global max pooling: [N, C, H, W] → [N, C, 1, 1].</summary>
public sealed class GlobalMaxPool2d : Module, IArenaOutput
{
    private Tensor? _output;
    private OutputSeat _seat;
    private KeptShape _kept;
    private int[]? _argmax;

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>Takes the maximum of every H×W plane. Output [N, C, 1, 1] is layer-owned and overwritten by the next call.</summary>
    /// <exception cref="ArgumentException">Input not rank 4 or with an empty plane.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        PoolHelpers.RequirePlanes(ToString(), input);
        int n = input.Dim(0), c = input.Dim(1), hw = input.Dim(2) * input.Dim(3);
        var y = _seat.Output(ref _output, training, n, c, 1, 1);
        int[] argmax = LayerHelpers.Ensure(ref _argmax, n * c);
        float[] x = input.Data, yd = y.Data;
        Threading.For(0, n, i =>
        {
            for (int p = i * c; p < (i + 1) * c; p++)
            {
                int start = p * hw, bestIdx = start;
                float best = float.NegativeInfinity;
                for (int j = start; j < start + hw; j++)
                {
                    float v = x[j];
                    bool take = v > best | float.IsNaN(v);
                    best = take ? v : best;
                    bestIdx = take ? j : bestIdx;
                }
                yd[p] = best;
                argmax[p] = bestIdx;
            }
        });
        _kept.Keep(input, training);
        return y;
    }

    /// <summary>dx[argmax] = dy for every plane, 0 elsewhere; returns dx [N, C, H, W] (layer-owned).</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        var dx = _kept.BeginBackward(this, gradOutput, _output!);
        dx.Data.AsSpan().Clear();
        int[] argmax = _argmax!;
        for (int p = 0; p < gradOutput.Length; p++) dx.Data[argmax[p]] = gradOutput.Data[p];
        return dx;
    }

    /// <inheritdoc/>
    public override string ToString() => "GlobalMaxPool2d()";
}
