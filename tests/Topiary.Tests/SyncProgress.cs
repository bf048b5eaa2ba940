using Topiary.Training;

namespace Topiary.Tests;

/// <summary>An IProgress that runs its callback synchronously on the reporting thread (Progress&lt;T&gt; posts asynchronously).</summary>
internal sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => action(value);
}
