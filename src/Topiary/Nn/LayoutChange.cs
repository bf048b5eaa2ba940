// LayoutChange: the boundary of a channels-last stack (ChannelsLastRewrite), inference only. To channels last it
// transposes [N, C, H, W] into [N, H, W, C]; to channels first, back. Per image that is the transpose of a [C, H·W]
// matrix, done in 16×16 tiles so both sides are read and written a cache line at a time. Values are copied, not
// computed: the result is the input's bits. Either way the output may live in an ActivationArena slot.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Transposes a 4-D tensor between channels first ([N, C, H, W]) and channels last ([N, H, W, C]).</summary>
/// <param name="toChannelsLast">True: [N, C, H, W] → [N, H, W, C]; false: the reverse.</param>
public sealed class LayoutChange(bool toChannelsLast) : Module, IArenaOutput
{
    private const int Tile = 16;
    private Tensor? _y;
    private OutputSeat _seat;

    /// <summary>True when the output is channels last.</summary>
    public bool ToChannelsLast { get; } = toChannelsLast;

    /// <summary>The input in the other layout (layer-owned, overwritten by the next call).</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true: the layer exists for inference only.</exception>
    /// <exception cref="ArgumentException">The input is not 4-D.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (training) throw new NotSupportedException($"{this} exists for inference only.");
        if (input.Rank != 4) throw LayerHelpers.ShapeError(ToString(), ToChannelsLast ? "[N, C, H, W]" : "[N, H, W, C]", input.Shape);
        int n = input.Dim(0);
        var y = ToChannelsLast ? _seat.Output(ref _y, false, n, input.Dim(2), input.Dim(3), input.Dim(1))
            : _seat.Output(ref _y, false, n, input.Dim(3), input.Dim(1), input.Dim(2));
        // Rows × cols per image: [C, H·W] read when going channels last, [H·W, C] when going back.
        int rows = ToChannelsLast ? input.Dim(1) : input.Dim(1) * input.Dim(2);
        int cols = ToChannelsLast ? input.Dim(2) * input.Dim(3) : input.Dim(3);
        for (int i = 0; i < n; i++) Transpose(input.Data.AsSpan(i * rows * cols, rows * cols), rows, cols, y.Data.AsSpan(i * rows * cols, rows * cols));
        return y;
    }

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    // dst[c, r] = src[r, c] for src [rows, cols].
    private static void Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(rows, r0 + Tile);
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int c1 = Math.Min(cols, c0 + Tile);
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
            }
        }
    }

    /// <summary>Always throws: the layer exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Backward(Tensor gradOutput) => throw new NotSupportedException($"{this} exists for inference only.");

    /// <inheritdoc/>
    public override string ToString() => ToChannelsLast ? "LayoutChange(to channels last)" : "LayoutChange(to channels first)";
}
