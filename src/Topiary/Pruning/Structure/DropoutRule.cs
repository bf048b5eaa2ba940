// DropoutRule: Han et al. 2015 §3.2 — dropout during retraining after pruning. A layer's capacity is
// its connection count C_i = N_i · N_{i−1}; pruning lowers it from C_io to C_ir, and the dropout that
// regularises the layer is lowered with the square root of the kept fraction:
//   D_r = D_o · √(C_ir / C_io)          (D_o = 0.5 keeping 9% → D_r = 0.5·0.3 = 0.15)
// Apply sets the rate of every Dropout that follows a given Linear in a model's chain (nested
// Sequentials walked in order; the Dropouts between that Linear and the next Linear/Conv2d).
using Topiary.Nn;

namespace Topiary.Pruning.Structure;

/// <summary>The retraining dropout rule of Han et al. 2015: D_r = D_o·√(C_ir / C_io).</summary>
public static class DropoutRule
{
    /// <summary>D_r = D_o·√(C_ir / C_io): the dropout rate for retraining a layer that kept <paramref name="connectionsAfter"/> of its <paramref name="connectionsBefore"/> connections.</summary>
    /// <param name="originalRate">D_o, the dropout rate of the dense network, in [0, 1].</param>
    /// <param name="connectionsBefore">C_io, connections of the dense layer (N_i·N_{i−1}), at least 1.</param>
    /// <param name="connectionsAfter">C_ir, connections kept, in [0, C_io].</param>
    /// <returns>D_r in [0, D_o].</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rate outside [0, 1] (or NaN), C_io below 1, or C_ir outside [0, C_io].</exception>
    public static double RetrainRate(double originalRate, long connectionsBefore, long connectionsAfter)
    {
        CheckRate(originalRate, nameof(originalRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(connectionsBefore, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(connectionsAfter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(connectionsAfter, connectionsBefore);
        return originalRate * Math.Sqrt((double)connectionsAfter / connectionsBefore);
    }

    /// <summary>D_r = D_o·√<paramref name="keptFraction"/>, with <paramref name="keptFraction"/> = C_ir / C_io.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate or the fraction outside [0, 1] (or NaN).</exception>
    public static double RetrainRate(double originalRate, double keptFraction)
    {
        CheckRate(originalRate, nameof(originalRate));
        if (!(keptFraction >= 0 && keptFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(keptFraction), keptFraction, "The kept fraction C_ir/C_io must be in [0, 1].");
        return originalRate * Math.Sqrt(keptFraction);
    }

    /// <summary>
    /// Sets P = D_o·√(kept) on every Dropout that follows a Linear named in <paramref name="keptFractionByLayer"/>
    /// (the Dropouts between that Linear and the next Linear/Conv2d of the chain).
    /// </summary>
    /// <param name="model">The model; nested Sequentials are walked in order.</param>
    /// <param name="keptFractionByLayer">C_ir / C_io per Linear, keyed by dotted module name (e.g. <c>fc1</c>), each in [0, 1].</param>
    /// <param name="originalRates">
    /// D_o per Dropout, keyed by dotted module name. A Dropout not listed uses its current P as D_o — so when the rule is
    /// applied repeatedly (iterative pruning), pass the dense model's rates here, or the reductions compound.
    /// </param>
    /// <returns>The changes made, in chain order (Linears followed by no Dropout contribute nothing).</returns>
    /// <exception cref="ArgumentException">A key of <paramref name="keptFractionByLayer"/> is not a Linear of the chain, or a key of
    /// <paramref name="originalRates"/> is not a Dropout of the chain (the message lists the valid names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A fraction or rate outside [0, 1].</exception>
    public static IReadOnlyList<DropoutRateChange> Apply(Sequential model, IReadOnlyDictionary<string, double> keptFractionByLayer,
        IReadOnlyDictionary<string, double>? originalRates = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(keptFractionByLayer);
        var chain = ModuleChain.Walk(model);
        var linears = chain.Where(c => c.Module is Linear).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var dropouts = chain.Where(c => c.Module is Dropout).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, fraction) in keptFractionByLayer)
        {
            if (!linears.Contains(name))
                throw new ArgumentException($"'{name}' is not a Linear of the model (Linears: {string.Join(", ", linears)}).", nameof(keptFractionByLayer));
            if (!(fraction >= 0 && fraction <= 1))
                throw new ArgumentOutOfRangeException(nameof(keptFractionByLayer), fraction, $"Kept fraction of '{name}' must be in [0, 1].");
        }
        if (originalRates is not null)
        {
            foreach (var (name, rate) in originalRates)
            {
                if (!dropouts.Contains(name))
                    throw new ArgumentException($"'{name}' is not a Dropout of the model (Dropouts: {string.Join(", ", dropouts)}).", nameof(originalRates));
                CheckRate(rate, nameof(originalRates));
            }
        }

        // Validate everything first, then write: no half-applied rule on bad input.
        var changes = new List<(Dropout Module, DropoutRateChange Change)>();
        string? current = null;
        foreach (var (name, module) in chain)
        {
            switch (module)
            {
                case Linear:
                    current = keptFractionByLayer.ContainsKey(name) ? name : null;
                    break;
                case Conv2d:
                    current = null;
                    break;
                case Dropout d when current is not null:
                    double kept = keptFractionByLayer[current];
                    double original = originalRates is not null && originalRates.TryGetValue(name, out var r) ? r : d.P;
                    changes.Add((d, new DropoutRateChange(name, current, kept, original, RetrainRate(original, kept))));
                    break;
            }
        }
        foreach (var (d, change) in changes) d.P = (float)change.NewRate;
        return changes.Select(c => c.Change).ToList();
    }

    /// <summary>
    /// C_ir / C_io of every Linear in the chain of <paramref name="model"/>, read from its weight mask:
    /// unmasked weights / all weights (1 for a dense layer), keyed by dotted module name — the input
    /// <see cref="Apply"/> expects. Only meaningful before structural shrinking: a shrunk layer's weight count is no
    /// longer the dense C_io.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public static IReadOnlyDictionary<string, double> KeptFractionsFromMasks(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, module) in ModuleChain.Walk(model))
            if (module is Linear l) result[name] = (double)l.Weight.UnmaskedCount / l.Weight.Length;
        return result;
    }

    private static void CheckRate(double rate, string name)
    {
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentOutOfRangeException(name, rate, "A dropout rate must be in [0, 1].");
    }
}
