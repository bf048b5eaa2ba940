// EnergyAwareMethod: energy-aware pruning (Yang, Chen, Sze, CVPR 2017) as a registered method — layers pruned in
// order of estimated energy, each step by magnitude with greedy restoration and a least-squares refit, a step kept
// only while the validation accuracy stays within the tolerance; then fine-tuning (EnergyAwarePruning). The method
// finds its own densities: it takes no targets or schedule, and holds out validation images of its own.
using Topiary.Nn;
using Topiary.Pruning.EnergyAware;
using Topiary.Training;
using Topiary.Settings;

namespace Topiary.Pruning.Methods;

/// <summary>Settings of energy-aware pruning.</summary>
public sealed record EnergyAwareSettings
{
    /// <summary>Largest validation-accuracy drop a step may leave, as a fraction (0.005 = 0.5 points). Key <c>tolerance</c>.</summary>
    [Setting("tolerance", "Largest validation-accuracy drop a step may leave, as a fraction in [0, 1] (0.005 = 0.5 points).", Min = 0, Max = 1)]
    public double Tolerance { get; init; } = 0.005;

    /// <summary>Passes of (all layers in energy order, then fine-tune). Key <c>passes</c>.</summary>
    [Setting("passes", "Passes of (all layers in energy order, then fine-tune).", Min = 1, Max = 1000)]
    public int Passes { get; init; } = 1;

    /// <summary>Global fine-tuning epochs with fixed masks after each pass. Key <c>fine_tune_epochs</c>.</summary>
    [Setting("fine_tune_epochs", "Global fine-tuning epochs with fixed masks after each pass.", Min = 0, Max = 100_000)]
    public int FineTuneEpochs { get; init; } = 2;

    /// <summary>Fine-tuning learning rate as a multiple of the training rate. Key <c>lr_scale</c>.</summary>
    [Setting("lr_scale", "Fine-tuning learning rate as a multiple of the training rate.", Min = 0, Max = 1e6, MinExclusive = true)]
    public double LrScale { get; init; } = 0.1;

    /// <summary>Measure the drop from each layer's starting accuracy (drops add up). Key <c>per_layer_tolerance</c>.</summary>
    [Setting("per_layer_tolerance", "Measure the drop from each layer's starting accuracy (drops add up).")]
    public bool PerLayerTolerance { get; init; }

    /// <summary>A layer ends when its halved step fraction falls below this. Key <c>min_step</c>.</summary>
    [Setting("min_step", "A layer ends when its halved step fraction falls below this.", Min = 0, Max = 0.5, MinExclusive = true)]
    public double MinStep { get; init; } = 0.1;

    /// <summary>Training images held out (the last ones) as the validation set. Key <c>validation_images</c>.</summary>
    [Setting("validation_images", "Training images held out (the last ones) as the validation set.", Min = 1)]
    public int ValidationImages { get; init; } = 5000;

    /// <summary>Images of the feature-map sample the refits use. Key <c>sample_images</c>.</summary>
    [Setting("sample_images", "Images of the feature-map sample the refits use.", Min = 1)]
    public int SampleImages { get; init; } = 1000;

    /// <summary>Layers to prune; null = every weight layer. Key <c>layers</c>.</summary>
    [Setting("layers", "Layers to prune (default: every weight layer).", LayerNames = true)]
    public NameList? Layers { get; init; }
}

/// <summary>What energy-aware pruning did (its report section).</summary>
/// <param name="Order">Layers in the order they were pruned (most energy first).</param>
/// <param name="OriginalEnergy">Estimated energy of the dense model, in units of one 16-bit MAC.</param>
/// <param name="ReferenceAccuracy">Validation accuracy of the dense model.</param>
/// <param name="PrunedAccuracy">Validation accuracy after the layer steps, before fine-tuning.</param>
/// <param name="FinalAccuracy">Validation accuracy at the end.</param>
/// <param name="Layers">Every layer step.</param>
/// <param name="PruningSeconds">Wall time of the layer steps.</param>
/// <param name="FineTuneSeconds">Wall time of fine-tuning.</param>
public sealed record EnergyAwareSummary(IReadOnlyList<string> Order, double OriginalEnergy, double ReferenceAccuracy, double PrunedAccuracy,
    double FinalAccuracy, IReadOnlyList<EnergyAwareLayer> Layers, double PruningSeconds, double FineTuneSeconds);

/// <summary>Energy-aware pruning with its own held-out validation set.</summary>
public sealed class EnergyAwareMethod(EnergyAwareSettings settings) : IPruningMethod
{
    /// <inheritdoc/>
    public int ValidationImages => settings.ValidationImages;

    /// <inheritdoc/>
    public void CheckPlan(Module model, string modelName, int[] inputShape, PruningSchedule schedule, bool compressing) =>
        PrunableLayer.CheckNames(model, modelName, "prune.layers", settings.Layers ?? (IEnumerable<string>)[]);

    /// <inheritdoc/>
    public PruningOutcome Prune(PruningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var c = context;
        var validation = c.Validation ?? throw new ArgumentException("Energy-aware pruning needs held-out validation images.", nameof(context));
        c.Messages?.Report("energy-aware pruning");
        var r = EnergyAwarePruning.Run(c.Model, c.Train, validation, Options(c.Training, c.Schedule), c.Progress, c.Messages, c.CancellationToken);
        return new PruningOutcome("energy-aware", new EnergyAwareSummary(r.Order, r.OriginalEnergy.Total.Total, r.ReferenceAccuracy, r.PrunedAccuracy,
            r.FinalAccuracy, r.Layers, r.PruningSeconds, r.FineTuneSeconds), c.Model);
    }

    /// <summary>The library options of these settings for a model trained by <paramref name="training"/>, under <paramref name="schedule"/> (seed, checkpoint).</summary>
    public EnergyAwareOptions Options(TrainingRecipe training, PruningSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(schedule);
        return new EnergyAwareOptions
        {
            Recipe = training,
            Tolerance = settings.Tolerance,
            PerLayerTolerance = settings.PerLayerTolerance,
            MinStep = settings.MinStep,
            Passes = settings.Passes,
            FineTuneEpochs = settings.FineTuneEpochs,
            LearningRateScale = (float)settings.LrScale,
            Sampler = new SamplerOptions(Images: settings.SampleImages, Seed: schedule.Seed),
            Layers = settings.Layers?.ToArray(),
            Seed = schedule.Seed,
            CheckpointPath = schedule.CheckpointPath,
            Resume = schedule.Resume,
        };
    }
}
