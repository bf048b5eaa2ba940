// ChannelAffine: an inference-only node for a chain of per-channel affine layers and a clamp that has no convolution
// to fold into — DenseNet's pre-activation BatchNorm → (Caffe's Scale: Mul, Add) → ReLU after a concatenation —,
// written by InferenceGraph.Fuse. y[n, c, ·] = clamp(x[n, c, ·]·Scale[c] + Shift[c], Min, Max): one pass over the
// activation where the separate layers make three or four. The composed Scale/Shift round differently from the layers
// applied one by one (as a BatchNorm folded into a convolution does). Planes run in parallel; training is refused.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Per-channel scale and shift, then a clamp, over [N, C, ...] (inference only).</summary>
public sealed class ChannelAffine : Module, IArenaOutput
{
    private readonly float[] _scale, _shift;
    private Tensor? _output;
    private OutputSeat _seat;

    /// <summary>A node computing clamp(x·<paramref name="scale"/>[c] + <paramref name="shift"/>[c], min, max).</summary>
    /// <exception cref="ArgumentException">The vectors differ in length or are empty, or the clamp is empty or NaN.</exception>
    public ChannelAffine(float[] scale, float[] shift, float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(shift);
        if (scale.Length == 0 || scale.Length != shift.Length)
            throw new ArgumentException($"Scale ({scale.Length}) and shift ({shift.Length}) need one value per channel, at least one.", nameof(shift));
        if (!(min <= max)) throw new ArgumentException($"Clamp [{min}, {max}] is empty or NaN.", nameof(min));
        _scale = (float[])scale.Clone();
        _shift = (float[])shift.Clone();
        Min = min;
        Max = max;
    }

    /// <summary>Per-channel factors.</summary>
    public IReadOnlyList<float> Scale => _scale;

    /// <summary>Per-channel offsets, added after the scaling.</summary>
    public IReadOnlyList<float> Shift => _shift;

    /// <summary>Lower clamp (ReLU: 0; none: −∞).</summary>
    public float Min { get; }

    /// <summary>Upper clamp (ReLU6: 6; none: +∞).</summary>
    public float Max { get; }

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>clamp(x·Scale[c] + Shift[c], Min, Max) for x [N, C, ...] (node-owned output).</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true: the node exists for inference only.</exception>
    /// <exception cref="ArgumentException">The input is not [N, C, ...] with C = the vectors' length.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (training) throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");
        int channels = Scale.Count;
        if (input.Rank < 2 || input.Dim(1) != channels)
            throw LayerHelpers.ShapeError(ToString(), $"[N, {channels}, ...]", input.Shape, nameof(input));
        var y = _seat.Output(ref _output, training, input.Shape);
        int plane = input.Length / Math.Max(1, input.Dim(0) * channels);
        float[] x = input.Data, yd = y.Data, scale = _scale, shift = _shift;
        float min = Min, max = Max;
        Threading.For(0, input.Dim(0) * channels, p =>
        {
            int c = p % channels;
            var to = yd.AsSpan(p * plane, plane);
            TensorPrimitives.Multiply(x.AsSpan(p * plane, plane), scale[c], to); // the plane is in L1 for the passes after
            TensorPrimitives.Add(to, shift[c], to);
            if (min != float.NegativeInfinity) TensorPrimitives.Max(to, min, to);
            if (max != float.PositiveInfinity) TensorPrimitives.Min(to, max, to);
        });
        return y;
    }

    /// <summary>Always throws: the node exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Backward(Tensor gradOutput) =>
        throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");

    /// <inheritdoc/>
    public override string ToString() => $"ChannelAffine({Scale.Count}{FusedConv2d.ClampText(Min, Max)})";
}
