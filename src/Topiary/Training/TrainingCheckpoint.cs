// TrainingCheckpoint: the complete state of a training run after an epoch — model parameters, masks
// and buffers, optimizer state (tensors prefixed "optimizer."), iteration and step counters, the
// per-epoch history, and the run's identity (model, dataset, seed, epochs, batch size, learning rate,
// training-set limit) — in one safetensors file written atomically. Resuming restores all of it, so a
// run interrupted after epoch k and resumed ends with bit-identical weights to an uninterrupted run
// (the data order depends only on seed and epoch).
using System.Globalization;
using System.Text.Json;
using Topiary.Nn;

namespace Topiary.Training;

/// <summary>Saves and restores the state of a <see cref="TrainingRun"/> between epochs.</summary>
public static class TrainingCheckpoint
{
    private const string OptimizerPrefix = "optimizer.";
    private const string EpochKey = "run.epoch";
    private const string IterationKey = "run.iteration";
    private const string StepsKey = "run.optimizer_steps";
    private const string HistoryKey = "run.history";

    /// <summary>Writes the state after the last epoch in <paramref name="history"/>.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, string> identity, Module model, Trainer trainer,
        IReadOnlyList<EpochSummary> history)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(history);
        var meta = new Dictionary<string, string>(identity, StringComparer.Ordinal)
        {
            [Checkpoint.VersionKey] = Checkpoint.Version,
            [EpochKey] = (history.Count == 0 ? 0 : history[^1].Epoch).ToString(CultureInfo.InvariantCulture),
            [IterationKey] = trainer.Iteration.ToString(CultureInfo.InvariantCulture),
            [StepsKey] = trainer.Optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
            [HistoryKey] = JsonSerializer.Serialize(history),
        };
        var tensors = Checkpoint.StateTensors(model)
            .Concat(trainer.Optimizer.StateTensors().Select(t => (OptimizerPrefix + t.Name, t.Tensor)));
        SafeTensors.Write(path, meta, tensors);
    }

    /// <summary>Restores a checkpoint into <paramref name="model"/> and <paramref name="trainer"/>; returns the last completed epoch.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt, or was written by a run with a different identity (the differing field is named).</exception>
    public static int Restore(string path, IReadOnlyDictionary<string, string> identity, Module model, Trainer trainer,
        List<EpochSummary> history)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(history);
        var file = SafeTensors.Read(path);
        foreach (var (key, expected) in identity)
        {
            string actual = file.Metadata.GetValueOrDefault(key) ?? "(missing)";
            if (actual != expected)
                throw new InvalidDataException($"{path}: cannot resume: metadata field '{key}' is '{actual}' but this run has '{expected}'.");
        }
        int epoch = ParseInt(path, file.Metadata, EpochKey);
        long iteration = ParseInt(path, file.Metadata, IterationKey);
        long steps = ParseInt(path, file.Metadata, StepsKey);
        List<EpochSummary> past;
        try
        {
            past = JsonSerializer.Deserialize<List<EpochSummary>>(file.Metadata.GetValueOrDefault(HistoryKey) ?? "null")
                ?? throw new InvalidDataException($"{path}: metadata field '{HistoryKey}' is missing.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: metadata field '{HistoryKey}' is not valid JSON: {e.Message}", e);
        }

        var modelTensors = file.Tensors.Where(t => !t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).ToList();
        var optimizerTensors = file.Tensors.Where(t => t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .Select(t => (t.Name[OptimizerPrefix.Length..], t.Tensor)).ToList();
        Checkpoint.LoadInto(model, new CheckpointData(path, file.Metadata, modelTensors));
        try
        {
            trainer.Optimizer.LoadState(optimizerTensors);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        trainer.Iteration = iteration;
        trainer.Optimizer.StepCount = steps;
        history.Clear();
        history.AddRange(past);
        return epoch;
    }

    private static int ParseInt(string path, IReadOnlyDictionary<string, string> meta, string key)
    {
        if (!meta.TryGetValue(key, out var text) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            throw new InvalidDataException($"{path}: metadata field '{key}' must be a non-negative integer; found '{meta.GetValueOrDefault(key) ?? "(missing)"}'.");
        return v;
    }
}
