// Han2015: the whole "Learning both Weights and Connections" experiment on one zoo model —
// train (or resume) the dense reference, run the per-layer sensitivity analysis, prune iteratively
// with retraining, remove dead neurons, and report reference vs pruned error, parameters,
// compression and kept fraction per layer beside the paper's numbers. Every stage checkpoints into
// the work directory, so an interrupted run resumes where it stopped. Data only: the CLI prints
// tables and renders plots from the returned report.
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.Structure;
using Topiary.Training;

namespace Topiary.Experiments;

/// <summary>Options of the Han et al. 2015 reproduction (the schedule's settings: <see cref="HanScheduleOptions"/>).</summary>
public sealed record Han2015Options : HanScheduleOptions
{
    /// <summary>The defaults; <see cref="Model"/> and the work directory are required.</summary>
    public Han2015Options() { }

    /// <summary>The reproduction with <paramref name="schedule"/>'s model, seed, work directory, resume, reference training
    /// and schedule (the record copy of <see cref="HanScheduleOptions"/>), and this record's own defaults.</summary>
    [SetsRequiredMembers]
    public Han2015Options(HanScheduleOptions schedule) : base(schedule) => Model = schedule.Model;

    /// <summary>Zoo model: lenet-300-100 or lenet-5.</summary>
    public override required string Model { get; init; }

    /// <summary>Per-layer targets (default: <see cref="Han2015.DefaultTargets"/>).</summary>
    public IReadOnlyDictionary<string, LayerTarget>? Targets { get; init; }

    /// <summary>Remove dead neurons at the end (physically shrinks layers; off when the zoo shapes must be kept).</summary>
    public bool RemoveDeadNeurons { get; init; } = true;

    /// <summary>Run the per-layer sensitivity analysis on the reference.</summary>
    public bool Sensitivity { get; init; } = true;

    /// <inheritdoc/>
    public override Han2015Options Quick() => (Han2015Options)base.Quick();
}

/// <summary>One layer of the result table.</summary>
public sealed record Han2015Layer(string Name, string Kind, long Weights, long Kept, double KeptFraction, double? PaperKeptFraction,
    double EffectiveS, double DenseSigma);

/// <summary>Error and size of a model.</summary>
public sealed record ModelSummary(double TestError, long Params, long NonzeroParams)
{
    /// <summary><paramref name="model"/>'s summary: <paramref name="testError"/>, its parameters and non-zero parameters.</summary>
    public static ModelSummary Of(Module model, double testError) => new(testError, model.ParameterCount(), PruningState.NonZeroParameters(model));
}

/// <summary>The reproduction's report (JSON fields in snake_case by the CLI).</summary>
public sealed record Han2015Report(
    string Model, string Dataset, int Seed, ModelSummary Reference, ModelSummary Pruned, double Compression,
    IReadOnlyList<Han2015Layer> Layers, IReadOnlyList<PruningRound> Rounds, DeadNeuronReport? DeadNeurons,
    IReadOnlyList<SensitivityCurve> Sensitivity, PaperResult Paper, double ReferenceSeconds, double PruningSeconds, double TotalSeconds)
{
    /// <summary>Nonzero weights per layer of the dense, one-shot-pruned (no retraining) and final models, for the histogram figure.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<(string Name, float[] Values)> Histograms { get; init; } = [];

    /// <summary>The final pruned model (masks permanent and dead neurons removed when <see cref="Han2015Options.RemoveDeadNeurons"/>, else still masked).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Module? Network { get; init; }
}

/// <summary>Runs the Han et al. 2015 reproduction.</summary>
public static class Han2015
{
    /// <summary>Our default targets: beyond the paper's kept fractions, aiming at ≥ 15x.</summary>
    public static IReadOnlyDictionary<string, LayerTarget> DefaultTargets(string model) => model switch
    {
        "lenet-300-100" => new Dictionary<string, LayerTarget>
        {
            ["fc1"] = new(Sparsity: 0.94), ["fc2"] = new(Sparsity: 0.92), ["fc3"] = new(Sparsity: 0.75),
        },
        "lenet-5" => new Dictionary<string, LayerTarget>
        {
            ["conv1"] = new(Sparsity: 0.40), ["conv2"] = new(Sparsity: 0.90), ["fc1"] = new(Sparsity: 0.94), ["fc2"] = new(Sparsity: 0.85),
        },
        _ => throw new ArgumentException($"reproduce han2015 supports lenet-300-100 and lenet-5; got '{model}'.", nameof(model)),
    };

    /// <summary>Runs the experiment.</summary>
    /// <exception cref="ArgumentException">Unsupported model or invalid targets.</exception>
    public static Han2015Report Run(Han2015Options options, IProgress<TrainingProgress>? progress = null,
        IProgress<string>? messages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var targets = options.Targets ?? DefaultTargets(options.Model);
        var paper = Han2015Paper.Results.GetValueOrDefault(options.Model)
            ?? throw new ArgumentException($"reproduce han2015 supports {string.Join(", ", Han2015Paper.Results.Keys)}; got '{options.Model}'.");
        var total = Stopwatch.StartNew();
        var reference = ExperimentStages.Reference(options, "mnist", progress, messages, cancellationToken);
        var model = reference.Network;
        var refSummary = ModelSummary.Of(model, reference.TestError);
        var (train, test) = ExperimentStages.Data(options, "mnist", messages, cancellationToken);

        IReadOnlyList<SensitivityCurve> sensitivity = [];
        if (options.Sensitivity)
        {
            messages?.Report("sensitivity analysis (one layer at a time, no retraining)");
            sensitivity = Pruning.Sensitivity.Run(model, test, null, messages, cancellationToken);
        }

        var histograms = new List<(string, float[])> { ("dense", NonZeroWeights(model)) };
        histograms.Add(("pruned, before retraining", OneShotPrunedWeights(model, targets)));

        messages?.Report($"iterative pruning: {options.Rounds} rounds x {options.EpochsPerRound} retraining epochs");
        var pruneWatch = Stopwatch.StartNew();
        var info = ModelZoo.Get(options.Model);
        var schedule = IterativePruning.Run(model, info.Recipe, train, test, options.Schedule(targets, "pruning"), progress, cancellationToken);
        double pruningSeconds = pruneWatch.Elapsed.TotalSeconds;
        histograms.Add(("after pruning and retraining", NonZeroWeights(model)));

        var lastRound = schedule.Rounds.Count > 0 ? schedule.Rounds[^1] : null;
        var layers = PrunableLayer.Find(model).Select(l => new Han2015Layer(l.Name, l.Kind.ToString().ToLowerInvariant(), l.Weight.Length,
            l.KeptWeights, l.KeptFraction, paper.KeptFraction.TryGetValue(l.Name, out var pk) ? pk : null,
            lastRound?.ThresholdS.GetValueOrDefault(l.Name, double.NaN) ?? double.NaN,
            schedule.DenseSigma.GetValueOrDefault(l.Name, double.NaN))).ToArray();
        double prunedError = TrainingRun.Evaluate(model, test, cancellationToken).Error;
        long nonzero = PruningState.NonZeroParameters(model);

        DeadNeuronReport? dead = null;
        if (options.RemoveDeadNeurons)
        {
            PruningState.MakePermanent(model);
            dead = model is Sequential seq ? DeadNeuronRemover.Remove(seq) : null;
        }

        return new Han2015Report(info.Name, "mnist", options.Seed, refSummary,
            new ModelSummary(prunedError, refSummary.Params, nonzero), (double)refSummary.Params / nonzero, layers, schedule.Rounds, dead,
            sensitivity, paper, reference.Seconds, pruningSeconds, total.Elapsed.TotalSeconds)
        { Histograms = histograms, Network = model };
    }

    private static float[] NonZeroWeights(Module model) =>
        PrunableLayer.Find(model).SelectMany(l => l.Weight.Value.Data).Where(v => v != 0).ToArray();

    // The distribution right after the first (one-shot) application of the final targets, on a copy.
    private static float[] OneShotPrunedWeights(Module model, IReadOnlyDictionary<string, LayerTarget> targets)
    {
        var layers = PrunableLayer.Find(model);
        var values = new List<float>();
        foreach (var l in layers)
        {
            if (!targets.TryGetValue(l.Name, out var t) || t.Sparsity is not double sp)
            {
                values.AddRange(l.Weight.Value.Data.Where(v => v != 0));
                continue;
            }
            var sorted = l.Weight.Value.Data.Select(Math.Abs).OrderBy(v => v).ToArray();
            float threshold = sorted[Math.Min(sorted.Length - 1, (int)Math.Round(sp * sorted.Length))];
            values.AddRange(l.Weight.Value.Data.Where(v => Math.Abs(v) >= threshold && v != 0));
        }
        return values.ToArray();
    }
}
