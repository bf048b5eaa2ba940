// MaskSchedule: runs any mask pruner (IMaskPruner) under the shared schedule — one-shot or iterative prune/retrain
// rounds (IterativePruning, Han et al. 2015) or automated gradual pruning (AgpPruning, Zhu & Gupta 2017) — so that
// every schedule composes with every mask-level method. The outcome's label is "<method>/<schedule>".
namespace Topiary.Pruning.Methods;

/// <summary>Runs a mask pruner under a <see cref="PruningSchedule"/>.</summary>
public static class MaskSchedule
{
    /// <summary>Prunes the context's model in place with <paramref name="pruner"/>.</summary>
    /// <param name="method">The method's name, for the label and messages.</param>
    /// <param name="pruner">How masks are computed.</param>
    /// <param name="context">Model, data and schedule.</param>
    public static PruningOutcome Run(string method, IMaskPruner pruner, PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(pruner);
        ArgumentNullException.ThrowIfNull(context);
        var c = context;
        if (c.Schedule.Kind == ScheduleKind.Agp)
        {
            var agp = c.Schedule.Agp(pruner);
            c.Messages?.Report($"AGP {method} pruning ({pruner.Name}) over {agp.Epochs} epochs");
            return new PruningOutcome($"{method}/agp", AgpPruning.Run(c.Model, c.Training, c.Train, c.Test, agp, c.Progress, c.CancellationToken), c.Model);
        }
        var options = c.Schedule.Iterative(pruner);
        string schedule = c.Schedule.Kind == ScheduleKind.OneShot ? "one-shot" : "iterative";
        c.Messages?.Report($"{schedule} {method} pruning ({pruner.Name}): {options.Rounds} round(s) x {options.EpochsPerRound} epoch(s)");
        return new PruningOutcome($"{method}/{schedule}", IterativePruning.Run(c.Model, c.Training, c.Train, c.Test, options, c.Progress, c.CancellationToken), c.Model);
    }
}
