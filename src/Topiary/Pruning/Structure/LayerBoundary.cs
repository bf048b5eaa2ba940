// LayerBoundary: what lies between two consecutive weight layers L (producer) and N (consumer) of a
// module chain, and whether unit i of L can be removed across it.
//   Supported ops between: ReLU, Dropout, Identity, MaxPool2d, AvgPool2d, GlobalAvgPool2d, GlobalMaxPool2d, Flatten,
//   BatchNorm2d (after a Conv2d, before Flatten), BatchNorm1d (after a Linear). All act on each unit
//   (channel) separately, so unit i of L feeds exactly one block of N's weight row:
//     Linear N:  Block = N.InFeatures / L.Units consecutive columns (1, or H·W across Flatten)
//     Conv2d N:  Block = KH·KW entries W_N[o, i, :, :]
//   Anything else (Residual, Concat, LocalResponseNorm, unknown modules, shapes that do not line up, or a grouped
//   Conv2d as producer or consumer — its channels are tied to its groups) makes the boundary unsupported:
//   UnsupportedReason says why and nothing is removed across it.
// A unit with no inputs outputs a constant c = f(b_i) (f = the ops between, inference semantics:
// ReLU → max(c, 0); Dropout, Identity, pools, Flatten → c; BatchNorm → γ(c − μ)/√(σ² + ε) + β with
// running statistics). FoldBlockedReason is set when a non-zero c cannot be folded into N's bias
// exactly: AvgPool2d that counts zero padding (border windows average in zeros; not with count_include_pad
// false) or a padded Conv2d N (its border outputs read padding instead of c).
using Topiary.Nn;

namespace Topiary.Pruning.Structure;

/// <summary>The analysed connection between two consecutive weight layers.</summary>
internal sealed class LayerBoundary
{
    private readonly List<Module> _ops = [];
    private readonly List<BatchNorm> _norms = [];

    private LayerBoundary(WeightLayer producer, WeightLayer consumer)
    {
        Producer = producer;
        Consumer = consumer;
    }

    public WeightLayer Producer { get; }
    public WeightLayer Consumer { get; }

    /// <summary>Why nothing may be removed across this boundary, or null when it is supported.</summary>
    public string? UnsupportedReason { get; private set; }

    /// <summary>Why a non-zero constant of a unit without inputs cannot be folded into the consumer, or null.</summary>
    public string? FoldBlockedReason { get; private set; }

    /// <summary>Entries of each consumer weight row that read one producer unit (fixed under shrinking).</summary>
    public int Block { get; private set; }

    /// <summary>BatchNorm layers between producer and consumer (shrunk with the producer's units).</summary>
    public IReadOnlyList<BatchNorm> Norms => _norms;

    /// <summary>Analyses the modules <paramref name="between"/> the producer and the consumer.</summary>
    public static LayerBoundary Analyse(WeightLayer producer, WeightLayer consumer, IReadOnlyList<(string Name, Module Module)> between)
    {
        var b = new LayerBoundary(producer, consumer);
        b.UnsupportedReason = b.Check(between);
        return b;
    }

    private string? Check(IReadOnlyList<(string Name, Module Module)> between)
    {
        var l = Producer;
        var n = Consumer;
        bool spatial = l.IsConv;   // the producer's output is [N, C, H, W] ...
        bool flat = false;         // ... until a Flatten turns it into [N, C·H·W]
        if (l.Groups > 1)
            return $"'{l.Name}' is a grouped convolution (groups = {l.Groups}); removing one of its output channels would break its groups";
        if (n.Groups > 1)
            return $"'{n.Name}' is a grouped convolution (groups = {n.Groups}); its input channels cannot be removed one at a time";
        foreach (var (name, m) in between)
        {
            switch (m)
            {
                case ReLU or Dropout or Identity:
                    break;
                case MaxPool2d or GlobalAvgPool2d or GlobalMaxPool2d:
                    if (!spatial || flat) return $"'{name}' ({m}) needs [N, C, H, W] input here";
                    break;
                case AvgPool2d avg:
                    if (!spatial || flat) return $"'{name}' ({m}) needs [N, C, H, W] input here";
                    if (avg.CountsPadding)
                        FoldBlockedReason ??= $"'{name}' ({m}) averages zero padding in at the borders, so a constant channel does not stay constant";
                    break;
                case BatchNorm2d bn2:
                    if (!spatial || flat) return $"'{name}' ({m}) is not directly on the channels of '{l.Name}'";
                    if (bn2.Channels != l.Units) return $"'{name}' has {bn2.Channels} channels but '{l.Name}' has {l.Units}";
                    _norms.Add(bn2);
                    break;
                case BatchNorm1d bn1:
                    if (spatial) return $"'{name}' ({m}) after a Conv2d normalises per feature, not per channel";
                    if (bn1.Channels != l.Units) return $"'{name}' has {bn1.Channels} features but '{l.Name}' has {l.Units}";
                    _norms.Add(bn1);
                    break;
                case Flatten { Axis: 1 }:
                    if (spatial) flat = true;
                    break;
                default:
                    return $"'{name}' ({m.GetType().Name}) is not a per-channel operation";
            }
            _ops.Add(m);
        }

        if (n.IsConv)
        {
            if (!spatial || flat) return $"'{n.Name}' (Conv2d) does not read the [N, C, H, W] output of '{l.Name}'";
            if (n.InputUnits != l.Units) return $"'{n.Name}' reads {n.InputUnits} channels but '{l.Name}' produces {l.Units}";
            Block = n.RowLength / n.InputUnits;
            if (n.IsPadded)
                FoldBlockedReason ??= $"'{n.Name}' pads its input with zeros, so a constant input channel contributes differently at the borders";
            return null;
        }

        int inFeatures = n.InputUnits;
        if (spatial && !flat) return $"the [N, C, H, W] output of '{l.Name}' reaches '{n.Name}' (Linear) without a Flatten";
        if (inFeatures % l.Units != 0 || (!spatial && inFeatures != l.Units))
            return $"'{n.Name}' reads {inFeatures} features, which is not a whole number of features per unit for the {l.Units} units of '{l.Name}'";
        Block = inFeatures / l.Units;
        return null;
    }

    /// <summary>
    /// The constant that reaches the consumer from unit <paramref name="unit"/> of the producer when that unit has no
    /// inputs and bias <paramref name="bias"/> (inference semantics; see the file header).
    /// </summary>
    public double Constant(int unit, double bias)
    {
        double c = bias;
        foreach (var m in _ops)
        {
            switch (m)
            {
                case ReLU:
                    c = Math.Max(c, 0);
                    break;
                case BatchNorm bn:
                    double gamma = bn.Weight.Value.Data[unit], beta = bn.Bias.Value.Data[unit];
                    double mean = bn.RunningMean.Data[unit], variance = bn.RunningVar.Data[unit];
                    c = gamma * (c - mean) / Math.Sqrt(variance + bn.Eps) + beta;
                    break;
            }
        }
        return c;
    }
}
