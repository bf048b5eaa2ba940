// FusedConv2d: an inference-only graph node for conv → (BatchNorm folded) → (+ residual) → (ReLU | ReLU6 | clamp),
// written by InferenceGraph.Fuse. Inputs: [x] or [x, residual]; y = clamp(conv(x) + residual, Min, Max). The
// convolution (its weights already carrying a folded BatchNorm) runs Conv2d's inference path with the residual
// written into the output before the GEMM accumulates onto it and the clamp applied per block while it is in cache,
// so the three or four passes over the activation that the separate layers make become one. With a Target, the output
// goes into a channel slice of a concatenation (ConcatBuffer) instead of a node-owned tensor; placed in an
// ActivationArena, into its slot. A depthwise node may read its input through a channel map (a channel shuffle before
// it, which then copies nothing). Training is refused.
using System.Globalization;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Convolution with a fused residual add and clamp, for inference.</summary>
/// <param name="conv">The convolution (weights final: any BatchNorm already folded in).</param>
/// <param name="hasResidual">Whether a second input is added to the convolution's output.</param>
/// <param name="min">Lower clamp (ReLU: 0; none: −∞).</param>
/// <param name="max">Upper clamp (ReLU6: 6; none: +∞).</param>
/// <param name="foldedNorm">Whether a BatchNorm was folded into <paramref name="conv"/> (for the description).</param>
/// <remarks>Creating the node throws <see cref="ArgumentNullException"/> for a null <paramref name="conv"/> and
/// <see cref="ArgumentException"/> when <paramref name="min"/> is above <paramref name="max"/> or either is NaN.</remarks>
public sealed class FusedConv2d(Conv2d conv, bool hasResidual, float min = float.NegativeInfinity, float max = float.PositiveInfinity,
    bool foldedNorm = false) : GraphOp, IArenaOutput
{
    private readonly Tensor[] _output = new Tensor[1];
    private OutputSeat _seat;

    /// <summary>The convolution.</summary>
    public Conv2d Conv { get; } = Guard.NotNull(conv);

    /// <summary>Whether the node takes a residual input.</summary>
    public bool HasResidual { get; } = hasResidual;

    /// <summary>Lower clamp.</summary>
    public float Min { get; } = min <= max ? min : throw new ArgumentException($"Clamp [{min}, {max}] is empty or NaN.", nameof(min));

    /// <summary>Upper clamp.</summary>
    public float Max { get; } = max;

    /// <summary>Whether a BatchNorm was folded into the convolution.</summary>
    public bool FoldedNorm { get; } = foldedNorm;

    /// <summary>
    /// The concatenation this node writes its output into (channels from <see cref="TargetChannel"/> on; the node then
    /// returns the whole concatenation, read only by its <see cref="CatInPlace"/>), or null for a node-owned output.
    /// </summary>
    public ConcatBuffer? Target { get; private init; }

    /// <summary>The first channel of <see cref="Target"/> this node writes.</summary>
    public int TargetChannel { get; private init; }

    /// <summary>For a depthwise node reading through a channel shuffle: the input channel each output channel reads
    /// (null: channel o / multiplier, as the convolution does).</summary>
    public IReadOnlyList<int>? InputChannels => _inputChannels;

    private int[]? _inputChannels;

    /// <summary>A copy of this node whose output channel o reads input channel <paramref name="channels"/>[o] (a channel
    /// permutation before the node, read through instead of copied).</summary>
    /// <exception cref="InvalidOperationException">The node is not a 3 × 3 depthwise convolution of stride 1 or 2
    /// without dilation, or writes into a concatenation.</exception>
    /// <exception cref="ArgumentException">Not one input channel per output channel.</exception>
    public FusedConv2d ReadingChannels(IReadOnlyList<int> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (!ReadsThroughShuffles || Target is not null)
            throw new InvalidOperationException($"{this}: only a 3x3 depthwise convolution (stride 1 or 2, no dilation) of its own output reads through a channel map.");
        if (channels.Count != Conv.OutChannels || channels.Any(c => (uint)c >= (uint)Conv.InChannels))
            throw new ArgumentException($"{this}: a channel map has {Conv.OutChannels} channels below {Conv.InChannels}; got {channels.Count}.", nameof(channels));
        return new FusedConv2d(Conv, HasResidual, Min, Max, FoldedNorm) { _inputChannels = channels.ToArray() };
    }

    /// <summary>Whether <see cref="ReadingChannels"/> applies: a depthwise convolution with one output channel per input
    /// channel on DepthwiseConv3x3's kernel.</summary>
    public bool ReadsThroughShuffles => Conv.OutChannels == Conv.InChannels && Conv.TakesChannelMap;

    /// <summary>A copy of this node writing into channels [<paramref name="channel"/>, + OC) of <paramref name="target"/>.</summary>
    /// <exception cref="InvalidOperationException">The node has a residual input (its epilogue indexes the residual as the output).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The channels do not fit the target.</exception>
    public FusedConv2d WritingInto(ConcatBuffer target, int channel)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (HasResidual) throw new InvalidOperationException($"{this}: a node with a residual input cannot write into a concatenation.");
        if (channel < 0 || channel + Conv.OutChannels > target.Channels)
            throw new ArgumentOutOfRangeException(nameof(channel), $"Channels [{channel}, {channel + Conv.OutChannels}) do not fit a concatenation of {target.Channels}.");
        return new FusedConv2d(Conv, false, Min, Max, FoldedNorm) { Target = target, TargetChannel = channel };
    }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren() => [("conv", Conv)];

    /// <summary>A node writing into a concatenation (<see cref="Target"/>) keeps writing there.</summary>
    bool IArenaOutput.Placeable => Target is null;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The node writes into a concatenation.</exception>
    void IArenaOutput.Place(ActivationArena arena, int slot)
    {
        if (Target is not null) throw new InvalidOperationException($"{this} writes into a concatenation; it has no output of its own to place.");
        _seat.Place(arena, slot);
    }

    /// <summary>clamp(conv(inputs[0]) + inputs[1], Min, Max).</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true: the node exists for inference only.</exception>
    /// <exception cref="ArgumentException">Wrong number of inputs, or shapes that do not fit.</exception>
    public override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (training) throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");
        CheckCount(inputs, HasResidual ? 2 : 1, "inputs");
        if (Target is { } target)
        {
            var x = inputs[0];
            if (x.Rank == 4 && !Conv.IsDepthwise)
            {
                // Written in place: sample i's slice starts at (i·C + channel)·OH·OW.
                var (oh, ow) = Conv.OutputSize(x.Dim(2), x.Dim(3));
                var all = target.Ensure(x.Dim(0), oh, ow);
                Conv.ForwardFusedInto(x, Min, Max, all.Data, TargetChannel * oh * ow, target.Channels * oh * ow);
                _output[0] = all;
            }
            else
            {
                _output[0] = target.CopyIn(Conv.ForwardFused(x, null, Min, Max), TargetChannel);
            }
            return _output;
        }
        var input = inputs[0];
        Tensor? into = null; // the slot's view when placed, else the convolution's own output
        if (_seat.Arena is not null && input.Rank == 4 && input.Dim(1) == Conv.InChannels)
        {
            var (oh, ow) = Conv.OutputSize(input.Dim(2), input.Dim(3));
            into = _seat.Slot(input.Dim(0), Conv.OutChannels, oh, ow);
        }
        _output[0] = Conv.ForwardFused(input, HasResidual ? inputs[1] : null, Min, Max, into, _inputChannels);
        return _output;
    }

    /// <summary>Always throws: the node exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override IReadOnlyList<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs) =>
        throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");

    /// <inheritdoc/>
    public override string ToString()
    {
        string norm = FoldedNorm ? " + BatchNorm2d" : "";
        string residual = HasResidual ? " + residual" : "";
        string shuffled = _inputChannels is null ? "" : " after a channel shuffle";
        return $"Fused({Conv}{norm}{residual}{ClampText(Min, Max)}{shuffled})";
    }

    /// <summary>How a fused node's clamp reads in its description: "", " → ReLU", " → ReLU6" or " → clamp[min, max]".</summary>
    internal static string ClampText(float min, float max) => (min, max) switch
    {
        (float.NegativeInfinity, float.PositiveInfinity) => "",
        (0f, float.PositiveInfinity) => " → ReLU",
        (0f, 6f) => " → ReLU6",
        _ => string.Create(CultureInfo.InvariantCulture, $" → clamp[{min}, {max}]"),
    };
}
