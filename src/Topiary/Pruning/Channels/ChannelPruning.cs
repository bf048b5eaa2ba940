// ChannelPruning: structured pruning of any model, end to end. Per round r = 1..R:
//   analyse (ChannelDependencies) → score (ChannelImportance; Taylor averages gradients of a few batches first) →
//   choose (ChannelSelection; the round's target lies on a cubic ramp from dense to the final target, AGP-style) →
//   remove physically (ChannelRemover) → fine-tune EpochsPerRound epochs (+ FinalEpochs after the last round) →
//   checkpoint (model + state, atomically).
// With EpochsPerRound = 0 and a data-free criterion it needs no data at all (imported models without a dataset).
// Latency budget: rounds of LatencyStep fewer MACs each, until the caller's measurement of the model is within budget
// (or nothing more can go; then TargetReached is false).
// Resume: a checkpoint whose options match continues after its last completed round with the model it saved.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Topiary.Data;
using Topiary.IO;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Pruning.Channels;

/// <summary>Structured (channel) pruning with physical removal.</summary>
public static class ChannelPruning
{
    /// <summary>
    /// Prunes <paramref name="model"/> (input shapes without batch) to <paramref name="options"/>' target; the model is
    /// shrunk in place (on resume, the checkpoint's model is returned instead).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShapes">One shape per model input, without the batch axis.</param>
    /// <param name="modelName">Name stored in the checkpoint's model file.</param>
    /// <param name="options">Options.</param>
    /// <param name="data">Fine-tuning/evaluation data (null: data-free; then no fine-tuning and no Taylor).</param>
    /// <param name="progress">Training progress.</param>
    /// <param name="cancellationToken">Cancels between batches.</param>
    /// <param name="latency">Measures a model's latency in µs (required with <see cref="ChannelPruningOptions.LatencyBudgetUs"/>).</param>
    /// <exception cref="ArgumentException">Invalid options, fine-tuning/Taylor asked for without data, or a latency budget without a measurement.</exception>
    /// <exception cref="InvalidDataException">A checkpoint to resume from is corrupt or was written with other options.</exception>
    public static ChannelPruningResult Run(Module model, IReadOnlyList<int[]> inputShapes, string modelName, ChannelPruningOptions options,
        ChannelPruningData? data = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default,
        Func<Module, double>? latency = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShapes);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data is null && (options.EpochsPerRound > 0 || options.FinalEpochs > 0))
            throw new ArgumentException("Fine-tuning epochs need a dataset; prune without data with 0 epochs per round.", nameof(data));
        if (data is null && options.Criterion == ChannelCriterion.Taylor)
            throw new ArgumentException("The Taylor criterion needs a dataset for its gradients; use l1, l2, bn-scale or random without data.", nameof(data));
        if (options.LatencyBudgetUs is not null && latency is null)
            throw new ArgumentException("A latency budget needs a latency measurement of the target runtime.", nameof(latency));

        var dense = ChannelDependencies.Analyse(model, inputShapes, options.Protect);
        var denseLayers = OutputChannels(model, inputShapes);
        long denseMacs = new ChannelMacs(dense).Dense;
        long denseParams = model.ParameterCount();
        double? denseError = data?.Test is { } t0 ? TrainingRun.Evaluate(model, t0, cancellationToken).Error : null;
        object key = Identity(modelName, options, denseMacs);
        var rounds = new List<ChannelRound>();
        int removed = 0, first = 1;
        bool reached = false;
        if (options.Resume && options.CheckpointPath is { } resumePath && File.Exists(resumePath))
            (model, rounds, removed, reached, first) = LoadCheckpoint(resumePath, key);

        double? denseLatency = latency?.Invoke(model);
        double? measured = rounds.Count > 0 ? rounds[^1].LatencyUs : denseLatency;
        for (int round = first; round <= options.Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.LatencyBudgetUs is { } budget && measured <= budget)
            {
                reached = true;
                break;
            }
            var clock = Stopwatch.StartNew();
            var deps = round == 1 ? dense : ChannelDependencies.Analyse(model, inputShapes, options.Protect);
            var macs = new ChannelMacs(deps).Dense;
            var target = options.RoundTarget(round, denseMacs, macs, dense.PrunableChannels, removed);
            var taylor = options.Criterion == ChannelCriterion.Taylor ? Gradients(model, data!, options, round, cancellationToken) : null;
            var scores = ChannelImportance.Compute(deps, options.Criterion, options.Seed * 7919 + round, taylor);
            var selection = ChannelSelection.Choose(deps, scores, target);
            ChannelRemover.Remove(deps, selection.Remove);
            removed += selection.RemovedChannels;
            reached = selection.TargetReached;
            if (options.LatencyBudgetUs is not null && selection.RemovedChannels == 0)
            {
                reached = false; // the constraints allow nothing more
                break;
            }
            int epochs = options.EpochsPerRound + (round == options.Rounds ? options.FinalEpochs : 0);
            if (epochs > 0) FineTune(model, data!, options, round, epochs, progress, cancellationToken);
            double? error = data?.Test is { } t ? TrainingRun.Evaluate(model, t, cancellationToken).Error : null;
            if (options.LatencyBudgetUs is not null)
            {
                measured = latency!(model);
                reached = measured <= options.LatencyBudgetUs;
            }
            rounds.Add(new ChannelRound(round, OpCounter.TotalMacs(model, inputShapes), model.ParameterCount(), selection.RemovedChannels, error,
                clock.Elapsed.TotalSeconds, options.LatencyBudgetUs is null ? null : measured));
            if (options.CheckpointPath is { } path) SaveCheckpoint(path, key, modelName, model, rounds, removed, reached);
        }

        if (options.LatencyBudgetUs is not null && options.FinalEpochs > 0 && rounds.Count > 0 && rounds[^1].Round < options.Rounds)
        {
            // The budget was met before the last allowed round: the final fine-tuning still runs once.
            FineTune(model, data!, options, rounds[^1].Round, options.FinalEpochs, progress, cancellationToken);
            double? error = data?.Test is { } t ? TrainingRun.Evaluate(model, t, cancellationToken).Error : null;
            rounds[^1] = rounds[^1] with { TestError = error };
            if (options.CheckpointPath is { } path) SaveCheckpoint(path, key, modelName, model, rounds, removed, reached);
        }
        var after = OutputChannels(model, inputShapes);
        return new ChannelPruningResult
        {
            Model = model,
            DenseMacs = denseMacs,
            Macs = OpCounter.TotalMacs(model, inputShapes),
            DenseParams = denseParams,
            Params = model.ParameterCount(),
            DenseTestError = denseError,
            DenseLatencyUs = denseLatency,
            TestError = rounds.Count > 0 ? rounds[^1].TestError : denseError,
            TargetReached = reached,
            Groups = dense.Groups.Count,
            PrunableChannels = dense.PrunableChannels,
            Layers = denseLayers.Select(l => l with { After = after.FirstOrDefault(a => a.Layer == l.Layer)?.Before ?? 0 }).ToList(),
            Rounds = rounds,
            Unprunable = dense.Unprunable,
            Unsupported = dense.UnsupportedLayers,
        };
    }

    private static List<LayerChannels> OutputChannels(Module model, IReadOnlyList<int[]> inputShapes) =>
        Dataflow.Trace(model, inputShapes).Steps
            .Where(s => s.Module is Conv2d or Linear)
            .Select(s => s.Module is Conv2d c ? new LayerChannels(s.Name, "Conv2d", c.OutChannels, c.OutChannels)
                : new LayerChannels(s.Name, "Linear", ((Linear)s.Module).OutFeatures, ((Linear)s.Module).OutFeatures))
            .ToList();

    // |w·g| averaged over a few training batches; BatchNorm running statistics are restored afterwards.
    private static TaylorAccumulator Gradients(Module model, ChannelPruningData data, ChannelPruningOptions options, int round, CancellationToken ct)
    {
        var saved = model.NamedBuffers().Select(b => (b.Buffer, Copy: (float[])b.Buffer.Data.Clone())).ToList();
        var acc = new TaylorAccumulator();
        var loader = new DataLoader(data.Train, data.Recipe.BatchSize, shuffle: true, seed: options.Seed * 31 + round);
        Tensors.Tensor? grad = null;
        foreach (var batch in TrainingRun.Batches(loader, 0).Take(options.TaylorBatches))
        {
            ct.ThrowIfCancellationRequested();
            model.ZeroGrad();
            var logits = model.Forward(batch.Inputs, training: true);
            if (grad is null || !grad.SameShape(logits)) grad = new Tensors.Tensor(logits.Shape.ToArray());
            SoftmaxCrossEntropy.Compute(logits, batch.Labels, grad);
            model.Backward(grad);
            acc.Accumulate(model);
        }
        model.ZeroGrad();
        foreach (var (buffer, copy) in saved) copy.CopyTo(buffer.Data, 0);
        return acc;
    }

    private static void FineTune(Module model, ChannelPruningData data, ChannelPruningOptions options, int round, int epochs,
        IProgress<TrainingProgress>? progress, CancellationToken ct)
    {
        var scales = model.NamedModules().Select(m => m.Module).OfType<BatchNorm>().Select(b => b.Weight).ToList();
        TrainingRun.Retrain(model, options.FineTuneRecipe(data.Recipe), data.Train, epochs, options.Seed + 1000 * round,
            progress is null ? null : new PhaseProgress(progress, $"fine-tune {round}/{options.Rounds}"), ct,
            trainer => trainer.AfterStep = options.BnScalePenalty > 0 ? t => ShrinkScales(scales, t.Optimizer.LearningRate * options.BnScalePenalty) : null);
    }

    // Proximal step of λ·Σ|γ| (network slimming): γ ← sign(γ)·max(|γ| − lr·λ, 0).
    private static void ShrinkScales(List<Parameter> scales, float amount)
    {
        foreach (var p in scales)
        {
            var d = p.Value.Data;
            for (int i = 0; i < d.Length; i++) d[i] = MathF.Sign(d[i]) * MathF.Max(MathF.Abs(d[i]) - amount, 0);
        }
    }

    private static object Identity(string modelName, ChannelPruningOptions o, long denseMacs) =>
        new
        {
            model = modelName,
            dense_macs = denseMacs,
            criterion = o.Criterion.ToString(),
            o.Target.ChannelSparsity,
            o.Target.MacsReduction,
            o.Target.Global,
            o.Target.MaxRatio,
            o.Target.RoundTo,
            protect = o.Protect,
            o.LatencyBudgetUs,
            o.LatencyStep,
            o.Rounds,
            o.EpochsPerRound,
            o.FinalEpochs,
            o.LearningRateScale,
            o.TaylorBatches,
            o.BnScalePenalty,
            o.Seed,
        };

    private static void SaveCheckpoint(string path, object key, string modelName, Module model, List<ChannelRound> rounds, int removed, bool reached)
    {
        ModelFile.Save(path + ".model.safetensors", modelName, model);
        var state = new JsonObject
        {
            [ResumeCheckpoint.IdentityKey] = JsonNode.Parse(ResumeCheckpoint.IdentityJson(key)),
            ["removed"] = removed,
            ["target_reached"] = reached,
            ["rounds"] = JsonSerializer.SerializeToNode(rounds),
        };
        AtomicFile.WriteAllText(path, state.ToJsonString());
    }

    private static (Module, List<ChannelRound>, int, bool, int) LoadCheckpoint(string path, object key)
    {
        try
        {
            var state = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            ResumeCheckpoint.CheckIdentity(path, state[ResumeCheckpoint.IdentityKey]?.ToJsonString(), key);
            var rounds = state["rounds"].Deserialize<List<ChannelRound>>() ?? [];
            var model = ModelFile.Load(path + ".model.safetensors").Network;
            return (model, rounds, (int)state["removed"]!, (bool)state["target_reached"]!, rounds.Count + 1);
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a channel-pruning checkpoint ({e.Message}).", e);
        }
    }
}
