// TrainingProgressRenderer: shows TrainingProgress as Spectre.Console progress bars
// (one bar for epochs, one for batches). Updates are synchronous and thread-safe.
using Spectre.Console;
using Topiary.Training;

namespace Topiary.Cli.Rendering;

/// <summary>Renders training progress with Spectre.Console.</summary>
public sealed class TrainingProgressRenderer : IProgress<TrainingProgress>
{
    private readonly ProgressTask _epochs;
    private readonly ProgressTask _batches;

    private TrainingProgressRenderer(ProgressContext context, string label)
    {
        _epochs = context.AddTask($"{Markup.Escape(label)} epochs");
        _batches = context.AddTask("batches");
    }

    /// <summary>Runs <paramref name="body"/> while rendering progress bars fed by the renderer it receives.</summary>
    public static T Run<T>(string label, Func<IProgress<TrainingProgress>, T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => body(new TrainingProgressRenderer(ctx, label)));
    }

    /// <inheritdoc/>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _batches.MaxValue = Math.Max(1, value.Batches);
        _batches.Value = value.Batch;
        _batches.Description = $"{Markup.Escape(value.Phase)} epoch {value.Epoch}/{value.Epochs} (loss {value.Loss:F4}, lr {value.LearningRate:G3})";
        if (value.Phase == "epoch" || value.Phase.StartsWith("round", StringComparison.Ordinal))
        {
            _epochs.MaxValue = value.Epochs;
            _epochs.Value = value.Epoch;
            string what = value.Phase == "epoch" ? "epoch" : "round";
            _epochs.Description = value.TestError is { } e
                ? $"{what} {value.Epoch}/{value.Epochs}: test error {e:P2}"
                : $"{what} {value.Epoch}/{value.Epochs}";
        }
    }
}
