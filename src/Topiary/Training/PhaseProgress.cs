// PhaseProgress: forwards training progress under another phase label ("retrain 2/5", "fine-tune 1/3"), so a schedule
// can reuse Trainer's reports and the CLI shows which stage is running.
namespace Topiary.Training;

/// <summary>Relabels the <see cref="TrainingProgress.Phase"/> of every report passed on to <paramref name="inner"/>.</summary>
internal sealed class PhaseProgress(IProgress<TrainingProgress> inner, string phase) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => inner.Report(value with { Phase = phase });
}
