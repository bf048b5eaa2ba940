// ChannelSlice: one piece of a parameter, buffer or constant that belongs to one channel and goes when it goes.
//   Rows     p viewed as [D0, R]: row Index (a conv/linear output unit, a depthwise filter, a bias or BN entry)
//   Columns  p viewed as [D0, U·Block]: columns [Index·Block, (Index + 1)·Block) of every row (a consumer's inputs)
// Constants of a Graph (a per-channel scale or shift added by an exported model) are sliced along their channel axis
// by the remover and have no ChannelSlice: they carry no importance.
using Topiary.Nn;

namespace Topiary.Pruning.Channels;

/// <summary>How a <see cref="ChannelSlice"/> cuts its parameter.</summary>
public enum SliceKind
{
    /// <summary>Row Index of the parameter viewed as [D0, R] (a producer's unit, a bias or BatchNorm entry).</summary>
    Rows,

    /// <summary>Columns [Index·Block, (Index + 1)·Block) of every row (a consumer's inputs).</summary>
    Columns,
}

/// <summary>The part of one parameter that belongs to one channel.</summary>
/// <param name="Layer">Dotted name of the layer owning the parameter.</param>
/// <param name="Parameter">The parameter.</param>
/// <param name="Role">What the parameter is to its layer (importance criteria pick slices by role).</param>
/// <param name="Kind">Rows or columns.</param>
/// <param name="Index">Row index, or block index for columns.</param>
/// <param name="Block">Columns per channel (1 for rows).</param>
public sealed record ChannelSlice(string Layer, Parameter Parameter, SliceRole Role, SliceKind Kind, int Index, int Block)
{
    /// <summary>Calls <paramref name="visit"/> with the flat indices of the slice's elements.</summary>
    public void ForEachIndex(Action<int> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        int d0 = Parameter.Value.Dim(0), r = Parameter.Length / d0;
        if (Kind == SliceKind.Rows)
        {
            for (int j = 0; j < r; j++) visit(Index * r + j);
            return;
        }
        for (int o = 0; o < d0; o++)
            for (int j = 0; j < Block; j++) visit(o * r + Index * Block + j);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Layer} {Role} {(Kind == SliceKind.Rows ? "row" : "input")} {Index}";
}

/// <summary>What a sliced parameter is to its layer.</summary>
public enum SliceRole
{
    /// <summary>A Conv2d/Linear weight (output rows of a producer, input columns of a consumer, a depthwise filter).</summary>
    Weight,

    /// <summary>A Conv2d/Linear bias entry.</summary>
    Bias,

    /// <summary>A BatchNorm scale γ entry.</summary>
    NormScale,

    /// <summary>A BatchNorm shift β entry.</summary>
    NormShift,
}
