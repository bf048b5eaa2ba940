// UnitRemover: the one "remove these units" operation of structural shrinking. Removing unit i of a
// weight layer L (Linear neuron / Conv2d channel) whose boundary to the next weight layer N is supported
// (LayerBoundary) deletes
//   row i of W_L (and of its mask), b_L[i],
//   entry i of every BatchNorm between L and N (γ, β, running_mean, running_var, masks),
//   block i of every row of W_N (one column; H·W columns across a Flatten; W_N[:, i, :, :] for a Conv2d N).
// Nothing is folded: the removed units' contribution to N is dropped. The output is therefore unchanged
// exactly when that contribution was zero — the units were gated off (NodeMask α = 0 after the last BN) or
// their outgoing weights are zero. DeadNeuronRemover decides what is dead (and folds constants) and then
// calls KeepUnits; node pruning calls RemoveUnits with the units its masks blocked.
// Parameters are shrunk in place (Parameter.Replace: same objects, gradients reset to zero).
using Topiary.Nn;

namespace Topiary.Pruning.Structure;

/// <summary>Physically removes chosen units (neurons/channels) of weight layers, with every dependent parameter.</summary>
public static class UnitRemover
{
    /// <summary>
    /// Removes units <paramref name="unitsToRemove"/>[layer] from each named Linear/Conv2d of <paramref name="model"/>, with
    /// the matching BatchNorm entries and the next weight layer's input blocks (see the file header). The model is
    /// modified in place; all arguments are validated before anything changes.
    /// </summary>
    /// <param name="model">The model (nested Sequentials are walked in order).</param>
    /// <param name="unitsToRemove">Unit indices to remove, keyed by dotted layer name (e.g. <c>fc1</c>); duplicates are ignored.</param>
    /// <returns>Units before and after, for every weight layer of the chain in execution order.</returns>
    /// <exception cref="ArgumentException">A name is not a weight layer of the chain or is the last one, the boundary after the
    /// layer is not supported (the message says why), an index is outside [0, U), or every unit of a layer would go.</exception>
    public static IReadOnlyList<UnitCount> RemoveUnits(Sequential model, IReadOnlyDictionary<string, IReadOnlyCollection<int>> unitsToRemove)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(unitsToRemove);
        var chain = WeightChain.Analyse(model);
        var plan = new List<(LayerBoundary Boundary, int[] Keep)>();
        foreach (var (name, units) in unitsToRemove)
        {
            ArgumentNullException.ThrowIfNull(units, nameof(unitsToRemove));
            int k = chain.IndexOf(name);
            if (k < 0)
                throw new ArgumentException($"'{name}' is not a Linear/Conv2d of the model (weight layers: {string.Join(", ", chain.Layers.Select(l => l.Name))}).", nameof(unitsToRemove));
            if (k == chain.Layers.Count - 1)
                throw new ArgumentException($"'{name}' is the last weight layer; its outputs are the model's outputs and cannot be removed.", nameof(unitsToRemove));
            var b = chain.Boundaries[k];
            if (b.UnsupportedReason is { } why)
                throw new ArgumentException($"Units of '{name}' cannot be removed: {why}.", nameof(unitsToRemove));
            int count = b.Producer.Units;
            var remove = new HashSet<int>();
            foreach (int u in units)
            {
                if (u < 0 || u >= count)
                    throw new ArgumentException($"Unit {u} of '{name}' is outside [0, {count}).", nameof(unitsToRemove));
                remove.Add(u);
            }
            if (remove.Count == count)
                throw new ArgumentException($"Removing all {count} units of '{name}' would leave an empty layer; keep at least one.", nameof(unitsToRemove));
            plan.Add((b, Enumerable.Range(0, count).Where(u => !remove.Contains(u)).ToArray()));
        }

        var before = chain.Layers.Select(l => l.Units).ToArray();
        foreach (var (b, keep) in plan)
            if (keep.Length < b.Producer.Units) KeepUnits(b, keep);
        return chain.Layers.Select((l, k) => new UnitCount(l.Name, l.Kind, before[k], l.Units)).ToList();
    }

    /// <summary>Shrinks the producer of <paramref name="b"/> to units <paramref name="keep"/> (increasing, non-empty) and
    /// everything that depends on them; see the file header. The boundary must be supported.</summary>
    internal static void KeepUnits(LayerBoundary b, int[] keep)
    {
        System.Diagnostics.Debug.Assert(b.UnsupportedReason is null && keep.Length > 0);
        var l = b.Producer;
        var n = b.Consumer;
        ParameterSlicing.KeepRows(l.Weight, keep);
        if (l.Bias is not null) ParameterSlicing.KeepRows(l.Bias, keep);
        foreach (var norm in b.Norms)
        {
            ParameterSlicing.KeepRows(norm.Weight, keep);
            ParameterSlicing.KeepRows(norm.Bias, keep);
            norm.RunningMean = ParameterSlicing.KeepRows(norm.RunningMean, keep);
            norm.RunningVar = ParameterSlicing.KeepRows(norm.RunningVar, keep);
        }
        int[] shape = n.Weight.Value.Shape.ToArray();
        shape[1] = n.IsConv ? keep.Length : keep.Length * b.Block;
        ParameterSlicing.KeepBlocks(n.Weight, keep, b.Block, shape);
    }
}
