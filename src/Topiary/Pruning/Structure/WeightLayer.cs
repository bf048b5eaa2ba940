// WeightLayer: one Linear or Conv2d seen as a matrix of units. The weight is viewed as
//   W [U, R]   U = units (Linear out features / Conv2d out channels), R = fan-in per unit
//              (Linear: in features; Conv2d: (C/G)·KH·KW with G groups)
// and, from the input side, each row as InputUnits blocks of InputBlock consecutive entries
// (Linear: blocks of 1; Conv2d: one KH·KW block per input channel). Sizes are read from the weight
// every time, so they follow structural shrinking.
using Topiary.Nn;

namespace Topiary.Pruning.Structure;

/// <summary>A Linear or Conv2d layer with a uniform, shape-following view of its weight.</summary>
internal sealed class WeightLayer
{
    private WeightLayer(string name, Module module, Parameter weight, Parameter? bias, bool isConv, bool padded, int groups)
    {
        Name = name;
        Module = module;
        Weight = weight;
        Bias = bias;
        IsConv = isConv;
        IsPadded = padded;
        Groups = groups;
    }

    /// <summary>Wraps <paramref name="module"/> when it is a Linear or a Conv2d; otherwise null.</summary>
    public static WeightLayer? TryCreate(string name, Module module) => module switch
    {
        Linear l => new WeightLayer(name, l, l.Weight, l.Bias, isConv: false, padded: false, groups: 1),
        Conv2d c => new WeightLayer(name, c, c.Weight, c.Bias, isConv: true, padded: c.Pads != (0, 0, 0, 0), groups: c.Groups),
        _ => null,
    };

    public string Name { get; }
    public Module Module { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public bool IsConv { get; }

    /// <summary>True for a Conv2d with non-zero padding on any side.</summary>
    public bool IsPadded { get; }

    /// <summary>Groups of a Conv2d (1 for Linear): with more than one, unit i reads only its group's input channels.</summary>
    public int Groups { get; }

    /// <summary>"Linear" or "Conv2d".</summary>
    public string Kind => IsConv ? "Conv2d" : "Linear";

    /// <summary>U: output neurons or output channels (weight dim 0).</summary>
    public int Units => Weight.Value.Dim(0);

    /// <summary>R: weights per unit (Linear: in features; Conv2d: (C/G)·KH·KW).</summary>
    public int RowLength => Weight.Length / Units;

    /// <summary>Input features (Linear) or input channels per group (Conv2d; C when ungrouped): weight dim 1.</summary>
    public int InputUnits => Weight.Value.Dim(1);

    /// <summary>True when every weight of unit <paramref name="unit"/> is zero (the unit has no input connections).</summary>
    public bool RowIsZero(int unit)
    {
        int r = RowLength;
        return ParameterSlicing.AllZero(Weight.Value.Data.AsSpan(unit * r, r));
    }

    /// <summary>The bias of <paramref name="unit"/> (0 without a bias).</summary>
    public float BiasOf(int unit) => Bias is null ? 0f : Bias.Value.Data[unit];

    public override string ToString() => $"{Name} ({Module})";
}
