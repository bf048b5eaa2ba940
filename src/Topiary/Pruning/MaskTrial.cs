// MaskTrial: undoable pruning. While a pruning step is on trial (sensitivity analysis tries every level on every layer;
// trial-and-error methods try a step and keep it only if accuracy holds), the values and masks of the parameters it
// touches are kept beside them; Undo puts them back — the original values of the weights a trial mask zeroed included
// — so a trial needs neither a copy of the model nor its own save/restore code. Disposing an unsettled trial undoes it.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Pruning;

/// <summary>The saved values and masks of some parameters while a pruning step is tried.</summary>
public sealed class MaskTrial : IDisposable
{
    private readonly (Parameter Parameter, Tensor Value, Tensor? Mask)[] _saved;
    private bool _kept;

    /// <summary>Saves the values and masks of <paramref name="parameters"/>.</summary>
    public MaskTrial(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _saved = parameters.Select(p => (p, p.Value.Clone(), p.Mask?.Clone())).ToArray();
    }

    /// <summary>A trial of <paramref name="layer"/>'s weight.</summary>
    public static MaskTrial Of(PrunableLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return new MaskTrial([layer.Weight]);
    }

    /// <summary>Puts the saved values and masks back (the trial goes on: another step can be tried and undone).</summary>
    public void Undo()
    {
        foreach (var (p, value, mask) in _saved)
        {
            p.RemoveMask();
            p.Value.CopyFrom(value);
            if (mask is not null) p.SetMask(mask.Clone());
        }
    }

    /// <summary>Settles the trial: the current values and masks stay, and disposing no longer undoes.</summary>
    public void Keep() => _kept = true;

    /// <summary>Undoes the trial unless it was kept.</summary>
    public void Dispose()
    {
        if (!_kept) Undo();
    }
}
