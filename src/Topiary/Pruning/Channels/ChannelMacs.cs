// ChannelMacs: the multiply-accumulates per example of a model's Conv2d and Linear layers (OpCounter's count) as
// channels are removed, updated incrementally so a greedy search can try thousands of removals:
//   Conv2d  OH·OW·KH·KW·(C′/G′)·OC′   (C′, OC′ the kept input/output channels; G′ = OC′ for a depthwise convolution)
//   Linear  F′·O′                    (kept input features and output units)
// Removing a channel lowers the kept width of every tensor that holds it (by its block: H·W features after a
// Flatten) and recomputes the layers reading or writing those tensors.
using Topiary.Nn;

namespace Topiary.Pruning.Channels;

/// <summary>Forward MACs per example of a model as channels are removed.</summary>
internal sealed class ChannelMacs
{
    private readonly ChannelDependencies _deps;
    private readonly int[] _width;
    private readonly long[] _stepMacs;
    private readonly Dictionary<int, List<(int Tensor, int Width)>> _tensorsOf = [];
    private readonly Dictionary<int, HashSet<int>> _stepsOf = [];

    public ChannelMacs(ChannelDependencies deps)
    {
        _deps = deps;
        var flow = deps.Flow;
        _width = flow.Tensors.Select(t => t.Shape.Length >= 2 ? t.Shape[1] : 1).ToArray();
        var readers = new List<int>[flow.Tensors.Count];
        for (int s = 0; s < flow.Steps.Count; s++)
            foreach (int t in flow.Steps[s].Inputs.Concat(flow.Steps[s].Outputs)) (readers[t] ??= []).Add(s);
        for (int t = 0; t < flow.Tensors.Count; t++)
        {
            if (deps.Channels(t) is not { } ch) continue;
            foreach (int slot in ch.Slots)
            {
                int c = deps.ClassOf(slot);
                if (!_tensorsOf.TryGetValue(c, out var list)) _tensorsOf[c] = list = [];
                list.Add((t, ch.Block));
                if (!_stepsOf.TryGetValue(c, out var steps)) _stepsOf[c] = steps = [];
                steps.UnionWith(readers[t] ?? []);
            }
        }
        _stepMacs = new long[flow.Steps.Count];
        for (int s = 0; s < _stepMacs.Length; s++) Total += _stepMacs[s] = StepMacs(s);
        Dense = Total;
    }

    /// <summary>MACs with nothing removed.</summary>
    public long Dense { get; }

    /// <summary>MACs with the removals so far.</summary>
    public long Total { get; private set; }

    /// <summary>Removes the channel of class <paramref name="cls"/> and updates <see cref="Total"/>.</summary>
    public void Remove(int cls)
    {
        if (_tensorsOf.TryGetValue(cls, out var tensors))
            foreach (var (t, w) in tensors) _width[t] -= w;
        if (!_stepsOf.TryGetValue(cls, out var steps)) return;
        foreach (int s in steps)
        {
            long m = StepMacs(s);
            Total += m - _stepMacs[s];
            _stepMacs[s] = m;
        }
    }

    private long StepMacs(int s)
    {
        var step = _deps.Flow.Steps[s];
        var outShape = _deps.Flow.Tensors[step.Outputs[0]].Shape;
        int cin = _width[step.Inputs[0]], cout = _width[step.Outputs[0]];
        switch (step.Module)
        {
            case Linear:
                return (long)cin * cout;
            case Conv2d conv:
            {
                long spatial = 1;
                for (int a = 2; a < outShape.Length; a++) spatial *= outShape[a];
                var (kh, kw) = conv.KernelSize;
                int groups = conv.IsDepthwise && conv.OutChannels == conv.Groups ? cout : conv.Groups;
                return spatial * kh * kw * (cin / groups) * cout;
            }
            default:
                return 0;
        }
    }
}
