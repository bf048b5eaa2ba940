// ChannelsLastGlobalAvgPool: GlobalAvgPool2d for a channels-last input, the end of a channels-last stack that is
// pooled (ChannelsLastRewrite puts it where a transpose back and a GlobalAvgPool2d would be; its output, [N, C, 1, 1],
// is the same in both layouts). Inference only.
//   input [N, H, W, C] → output [N, C, 1, 1],  y[n, c] = (1/(H·W)) · Σ_p x[n, p, c]
// The positions are summed in order, a row of C channels at a time (GlobalAvgPool2d sums each plane with
// TensorPrimitives.Sum, in its own order: the two agree to rounding, not bit for bit).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Mean over the spatial axes of a channels-last tensor, written channels first ([N, C, 1, 1]).</summary>
public sealed class ChannelsLastGlobalAvgPool : Module, IArenaOutput
{
    private Tensor? _output;
    private OutputSeat _seat;

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>y [N, C, 1, 1] for x [N, H, W, C] (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true: the layer exists for inference only.</exception>
    /// <exception cref="ArgumentException">The input is not 4-D.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (training) throw new NotSupportedException($"{this} exists for inference only.");
        if (input.Rank != 4) throw LayerHelpers.ShapeError(ToString(), "[N, H, W, C]", input.Shape);
        int n = input.Dim(0), positions = input.Dim(1) * input.Dim(2), c = input.Dim(3);
        var y = _seat.Output(ref _output, training, n, c, 1, 1);
        float inv = 1f / positions;
        for (int i = 0; i < n; i++)
        {
            var sum = y.Data.AsSpan(i * c, c);
            var image = input.Data.AsSpan(i * positions * c, positions * c);
            sum.Clear();
            for (int p = 0; p < positions; p++) TensorPrimitives.Add(sum, image.Slice(p * c, c), sum);
            TensorPrimitives.Multiply(sum, inv, sum);
        }
        return y;
    }

    /// <summary>Always throws: the layer exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Backward(Tensor gradOutput) => throw new NotSupportedException($"{this} exists for inference only.");

    /// <inheritdoc/>
    public override string ToString() => "ChannelsLastGlobalAvgPool()";
}
