// PruningSchedules: how sparsity grows over a schedule.
//   Iterative (Han et al. 2015): R prune/retrain rounds; the kept fraction shrinks geometrically,
//     kept_r = kept_final^(r/R), so each round removes the same proportion of the survivors.
//   AGP (Zhu & Gupta 2017, gradual cubic): s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(n·Δt))³ for
//     t ∈ [t0, t0 + n·Δt], pruning every Δt steps; s_i before, s_f after.
//   Raised s (Han's second variant): s_r = s_0 + (r − 1)·Δs.
namespace Topiary.Pruning;

/// <summary>Sparsity schedules.</summary>
public static class PruningSchedules
{
    /// <summary>Target sparsity after round <paramref name="round"/> (1-based) of <paramref name="rounds"/>, geometric in the kept fraction.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Round outside [1, rounds] or sparsity outside [0, 1).</exception>
    public static double Iterative(double finalSparsity, int round, int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        if (round < 1 || round > rounds) throw new ArgumentOutOfRangeException(nameof(round), round, $"Round must be in [1, {rounds}].");
        if (!(finalSparsity >= 0 && finalSparsity < 1)) throw new ArgumentOutOfRangeException(nameof(finalSparsity), finalSparsity, "Sparsity must be in [0, 1).");
        return 1 - Math.Pow(1 - finalSparsity, (double)round / rounds);
    }

    /// <summary>AGP sparsity at step <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid sparsities, frequency or count.</exception>
    public static double Agp(double initialSparsity, double finalSparsity, long step, long startStep, int pruningSteps, int frequency)
    {
        if (!(initialSparsity >= 0 && initialSparsity <= finalSparsity && finalSparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(finalSparsity), finalSparsity, "Need 0 ≤ initial ≤ final < 1.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pruningSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frequency);
        if (step <= startStep) return initialSparsity;
        double progress = Math.Min(1.0, (double)(step - startStep) / ((double)pruningSteps * frequency));
        // Sparsity only changes at pruning events: quantise progress to whole Δt intervals.
        progress = Math.Floor(progress * pruningSteps) / pruningSteps;
        return finalSparsity + (initialSparsity - finalSparsity) * Math.Pow(1 - progress, 3);
    }

    /// <summary>Han's raised quality parameter: s for round <paramref name="round"/> (1-based).</summary>
    public static double RaisedS(double s0, double step, int round)
    {
        if (round < 1) throw new ArgumentOutOfRangeException(nameof(round), round, "Round must be at least 1.");
        return s0 + (round - 1) * step;
    }
}
