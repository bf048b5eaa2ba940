// DeadNeuronRemover: physically removes dead neurons (Linear) and dead channels (Conv2d), Han et al.
// 2015 §3: "neurons with zero input connections or zero output connections may be safely pruned".
//
// Model: a Sequential (nested Sequentials are walked in order, see ModuleChain) whose weight layers
// are Linear and Conv2d. For each pair of consecutive weight layers L (producer, U units) and N
// (consumer) with only per-channel ops between them (LayerBoundary), unit i of L is removed when
//   NO OUTPUTS: every weight of N reading unit i is zero — W_N[:, block i] (one column; H·W columns
//               across a Flatten; W_N[:, i, :, :] for a Conv2d N). Output unchanged exactly.
//   NO INPUTS:  W_L[i, ...] is all zero (Value, which is zero wherever masked). Unit i then feeds N the
//               constant c = f(b_i) (LayerBoundary.Constant), which is folded into N's bias:
//                 b_N[o] += c · Σ_{j in block i} W_N[o, j]      (Linear: the column(s); Conv2d: Σ_{kh,kw})
//               Output unchanged up to float rounding, in inference mode. The unit is kept when c ≠ 0 and
//               N has no bias, N's bias is masked where the fold would change it, N is a padded Conv2d,
//               or a padded AvgPool2d lies between.
// Removing unit i (UnitRemover.KeepUnits) deletes row i of W_L (and of its mask), b_L[i], entry i of every BatchNorm between
// (weight, bias, running_mean, running_var, masks), and block i of every row of W_N (and its mask).
// The last weight layer's outputs and the first one's inputs are never removed; a layer always keeps
// at least one unit. Passes repeat until one removes nothing (removals cascade both ways).
// Parameters are shrunk in place (Parameter.Replace: same objects, gradients reset to zero); layers
// read their sizes from the weight shapes, so Forward/Backward work at once. Optimizer state for a
// shrunk parameter is recreated (zeroed) at the next step; checkpoints of the shrunk model no longer
// fit the original architecture.
using Topiary.Nn;

namespace Topiary.Pruning.Structure;

/// <summary>Removes neurons and channels with no input or no output connections by shrinking the layers.</summary>
public static class DeadNeuronRemover
{
    /// <summary>
    /// Removes dead units from every supported boundary of <paramref name="model"/> until none is left
    /// (see the remarks for the rules). The model is modified in place.
    /// </summary>
    /// <remarks>
    /// For consecutive weight layers L → N: a unit of L whose outgoing weights W_N[:, block] are all zero is removed
    /// (exact); a unit whose incoming weights are all zero outputs c = f(b) and is removed after
    /// b_N[o] += c·Σ_block W_N[o, ·] (exact up to rounding in inference mode; training-mode BatchNorm and Dropout see
    /// the folded constant instead of the unit). Boundaries with any module other than ReLU, Dropout, Identity,
    /// MaxPool2d, AvgPool2d, GlobalAvgPool2d, GlobalMaxPool2d, Flatten, BatchNorm2d/BatchNorm1d between are left untouched and
    /// reported in <see cref="DeadNeuronReport.Notes"/>.
    /// </remarks>
    /// <returns>Per-layer counts before/after and by reason, notes, passes, and parameter counts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">The same Linear/Conv2d instance appears twice in the chain.</exception>
    public static DeadNeuronReport Remove(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var chain = WeightChain.Analyse(model);
        var layers = chain.Layers;
        var boundaries = chain.Boundaries;
        var staticNotes = new List<DeadNeuronNote>();
        foreach (var b in boundaries)
            if (b.UnsupportedReason is { } why)
                staticNotes.Add(new DeadNeuronNote(b.Producer.Name, b.Consumer.Name, "boundary left untouched: " + why));

        long parametersBefore = model.ParameterCount();
        int[] before = layers.Select(l => l.Units).ToArray();
        var state = new PassState(layers.Count);
        int passes = 0;
        List<DeadNeuronNote> notes;
        while (true)
        {
            passes++;
            notes = [.. staticNotes];
            Array.Clear(state.KeptDead);
            bool changed = false;
            for (int k = 0; k < boundaries.Count; k++)
            {
                var b = boundaries[k];
                if (b.UnsupportedReason is not null)
                {
                    int zeroRows = 0;
                    for (int i = 0; i < b.Producer.Units; i++) if (b.Producer.RowIsZero(i)) zeroRows++;
                    state.KeptDead[k] = zeroRows;
                    continue;
                }
                changed |= Shrink(b, k, state, notes);
            }
            if (!changed || boundaries.Count == 0) break;
        }

        var reports = new List<DeadNeuronLayerReport>(layers.Count);
        for (int k = 0; k < layers.Count; k++)
            reports.Add(new DeadNeuronLayerReport(layers[k].Name, layers[k].Kind, before[k], layers[k].Units,
                state.RemovedNoInput[k], state.RemovedNoOutput[k], state.KeptDead[k]));
        return new DeadNeuronReport(reports, notes, boundaries.Count == 0 ? 0 : passes, parametersBefore, model.ParameterCount());
    }

    private sealed class PassState(int layers)
    {
        public int[] RemovedNoInput { get; } = new int[layers];
        public int[] RemovedNoOutput { get; } = new int[layers];
        public int[] KeptDead { get; } = new int[layers];
    }

    private enum Verdict { Alive, NoOutput, NoInput, KeptNoInput, KeptNoOutput }

    // One boundary, one pass: classify the producer's units, fold constants, remove. Returns true when a unit went.
    private static bool Shrink(LayerBoundary b, int k, PassState state, List<DeadNeuronNote> notes)
    {
        var l = b.Producer;
        var n = b.Consumer;
        int units = l.Units, block = b.Block, rows = n.Units, rowLength = n.RowLength;
        float[] wn = n.Weight.Value.Data;
        var verdict = new Verdict[units];
        var constant = new double[units];
        var keptReasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int candidates = 0;

        for (int i = 0; i < units; i++)
        {
            if (IsNoOutput(wn, rows, rowLength, block, i))
            {
                verdict[i] = Verdict.NoOutput;
                candidates++;
                continue;
            }
            if (!l.RowIsZero(i)) continue;
            double c = b.Constant(i, l.BiasOf(i));
            string? blocked = c == 0 ? null : FoldBlocked(b, i, block);
            if (blocked is null)
            {
                verdict[i] = Verdict.NoInput;
                constant[i] = c;
                candidates++;
            }
            else
            {
                verdict[i] = Verdict.KeptNoInput;
                keptReasons[blocked] = keptReasons.GetValueOrDefault(blocked) + 1;
            }
        }

        if (candidates == units)
        {
            // Every unit is dead; keep the first, unfolded, so the layer keeps a valid shape. Its output is a
            // constant or unread, so keeping it is exact.
            verdict[0] = verdict[0] == Verdict.NoOutput ? Verdict.KeptNoOutput : Verdict.KeptNoInput;
            candidates--;
            keptReasons["every unit was dead; one is kept so the layer keeps at least one unit"] = 1;
        }

        state.KeptDead[k] = verdict.Count(v => v is Verdict.KeptNoInput or Verdict.KeptNoOutput);
        foreach (var (reason, count) in keptReasons)
            notes.Add(new DeadNeuronNote(l.Name, n.Name, $"{count} dead unit(s) kept: {reason}"));
        if (candidates == 0) return false;

        // Fold the constants of removed no-input units: b_N[o] += Σ_i c_i · Σ_{j in block i} W_N[o, j] (double accumulation).
        if (n.Bias is not null)
        {
            float[] bn = n.Bias.Value.Data;
            for (int o = 0; o < rows; o++)
            {
                double delta = 0;
                for (int i = 0; i < units; i++)
                    if (verdict[i] == Verdict.NoInput && constant[i] != 0) delta += constant[i] * BlockSum(wn, o, rowLength, i, block);
                if (delta != 0) bn[o] = (float)(bn[o] + delta);
            }
        }

        int[] keep = Enumerable.Range(0, units).Where(i => verdict[i] is Verdict.Alive or Verdict.KeptNoInput or Verdict.KeptNoOutput).ToArray();
        state.RemovedNoInput[k] += verdict.Count(v => v == Verdict.NoInput);
        state.RemovedNoOutput[k] += verdict.Count(v => v == Verdict.NoOutput);

        UnitRemover.KeepUnits(b, keep);
        return true;
    }

    private static bool IsNoOutput(float[] wn, int rows, int rowLength, int block, int unit)
    {
        for (int o = 0; o < rows; o++)
            if (!ParameterSlicing.AllZero(wn.AsSpan(o * rowLength + unit * block, block))) return false;
        return true;
    }

    private static double BlockSum(float[] wn, int row, int rowLength, int unit, int block)
    {
        double s = 0;
        foreach (float w in wn.AsSpan(row * rowLength + unit * block, block)) s += w;
        return s;
    }

    // Why the non-zero constant of unit i cannot be folded into the consumer, or null when it can.
    private static string? FoldBlocked(LayerBoundary b, int unit, int block)
    {
        if (b.FoldBlockedReason is { } why) return "no inputs but a non-zero constant output, and " + why;
        var n = b.Consumer;
        if (n.Bias is null) return $"no inputs but a non-zero constant output, and '{n.Name}' has no bias to fold it into";
        if (n.Bias.Mask is { } mask)
        {
            float[] wn = n.Weight.Value.Data;
            int rowLength = n.RowLength;
            for (int o = 0; o < n.Units; o++)
                if (mask.Data[o] == 0 && BlockSum(wn, o, rowLength, unit, block) != 0)
                    return $"no inputs but a non-zero constant output, and the bias of '{n.Name}' is masked where the fold would change it";
        }
        return null;
    }
}
