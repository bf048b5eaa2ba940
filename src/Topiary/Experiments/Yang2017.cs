// Yang2017: "Designing Energy-Efficient Convolutional Neural Networks using Energy-Aware Pruning" (Yang,
// Chen, Sze, CVPR 2017) on a zoo model — train (or resume) the dense reference, prune it energy-aware
// (EnergyAwarePruning), prune a second copy by global element-wise magnitude with retraining to the SAME
// accuracy, and compare the three networks' non-zero weights, MACs, non-skipped MACs and Eyeriss energy — each
// estimated as deployed (ModelEnergy.EstimateDeployed: dead units removed, constants folded).
//
// Data: the training set minus its last ValidationImages images trains every network; those held-out
// images are the energy-aware validation set (and the activation-density sample); the test set reports.
// Magnitude matching: starting dense, each trial prunes globally (MagnitudePruner.ApplyGlobal through
// IterativePruning, one round) to density d·(1 − f) from the last accepted state and retrains
// MagnitudeEpochs epochs; a trial is accepted when its test error ≤ energy-aware test error + MatchMargin
// (0.1 points). A rejected trial halves f; the search ends when f < MagnitudeMinStep. The result is the
// sparsest magnitude network within the margin — the accuracy-matched baseline (selected on the test set,
// like the target it must match). Every stage checkpoints in the work directory; Resume continues.
using System.Diagnostics;
using System.Globalization;
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.EnergyAware;
using Topiary.Recipes;
using Topiary.Settings;
using Topiary.Training;

namespace Topiary.Experiments;

/// <summary>Options of the Yang et al. 2017 reproduction.</summary>
public sealed record Yang2017Options : ExperimentOptions
{
    /// <summary>Zoo model: lenet-5 (MNIST) or convnet (Fashion-MNIST).</summary>
    public override required string Model { get; init; }

    /// <summary>Held-out training images for validation (taken after the training images).</summary>
    [Setting("validation_images", "Held-out training images for the energy-aware validation.", Min = 1)]
    public int ValidationImages { get; init; } = 5000;

    /// <summary>Use only the first N test images; null = all.</summary>
    [Setting("test_limit", "Evaluate on the first N test images only (default: all).", Min = 1)]
    public int? TestLimit { get; init; }

    /// <summary>Energy-aware step schedule: the layer ends when its halved step fraction falls below this.</summary>
    public double EnergyAwareMinStep { get; init; } = 0.1;

    /// <summary>Retraining learning rate as a fraction of the recipe's (energy-aware fine-tune and magnitude retraining).</summary>
    public float LearningRateScale { get; init; } = 0.5f;

    /// <summary>Energy-aware global fine-tuning epochs after each pass.</summary>
    [Setting("fine_tune_epochs", "Energy-aware global fine-tuning epochs after each pass (6 passes × 2 = the magnitude search's ~12 retraining epochs).", Min = 0)]
    public int FineTuneEpochs { get; init; } = 2;

    /// <summary>Energy-aware passes (layers in energy order, then fine-tune).</summary>
    [Setting("passes", "Energy-aware passes (all layers in energy order, then fine-tune).", Min = 1)]
    public int Passes { get; init; } = 6;

    /// <summary>Energy-aware validation-accuracy tolerance (fraction): largest drop from the original a step may leave.</summary>
    public double Tolerance { get; init; } = 0.005;

    /// <summary><see cref="Tolerance"/> in points (0.5 = 0.005), as the flag gives it.</summary>
    [Setting("tolerance", "Energy-aware validation-accuracy drop allowed (from the original), in points.", Min = 0)]
    public double TolerancePoints { get => Tolerance * 100; init => Tolerance = value / 100; }

    /// <summary>Measure the energy-aware drop per layer (from the accuracy the layer started at) instead of from the original.</summary>
    [Setting("per_layer_tolerance", "Measure the energy-aware drop from each layer's starting accuracy (drops add up).")]
    public bool PerLayerTolerance { get; init; }

    /// <summary>Retraining epochs per magnitude trial.</summary>
    [Setting("magnitude_epochs", "Retraining epochs per magnitude-search trial.", Min = 0)]
    public int MagnitudeEpochs { get; init; } = 1;

    /// <summary>First magnitude step (fraction of the remaining weights removed).</summary>
    [Setting("magnitude_initial_step", "First magnitude-search step (fraction of the remaining weights removed).", Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double MagnitudeInitialStep { get; init; } = 0.5;

    /// <summary>The magnitude search ends when the halved step falls below this.</summary>
    [Setting("magnitude_min_step", "Magnitude search ends when its halved step (fraction of remaining weights) falls below this.", Min = 0, Max = 1, MinExclusive = true, MaxExclusive = true)]
    public double MagnitudeMinStep { get; init; } = 0.2;

    /// <summary>Accuracy match margin (fraction: 0.001 = 0.1 points).</summary>
    public double MatchMargin { get; init; } = 0.001;

    /// <summary>Feature-map sampling of the energy-aware refits.</summary>
    public SamplerOptions Sampler { get; init; } = new();

    /// <summary>The smoke run: 1 reference epoch on 5k images (1k held out), 2k test images, small samples, coarse steps, 1 pass.</summary>
    public override Yang2017Options Quick() => this with
    {
        ReferenceEpochs = 1, FineTuneEpochs = 1, Passes = 1, TrainLimit = 5000, ValidationImages = 1000, TestLimit = 2000,
        Sampler = new SamplerOptions(Images: 300), EnergyAwareMinStep = 0.25, MagnitudeMinStep = 0.25,
    };
}

/// <summary>Runs the Yang et al. 2017 reproduction.</summary>
public static class Yang2017
{
    /// <summary>The dataset each supported model is trained on.</summary>
    public static string DatasetOf(string model) => model switch
    {
        "lenet-5" => "mnist",
        "convnet" => ConvNetCifar.Dataset,
        _ => throw new ArgumentException($"reproduce yang2017 supports lenet-5 and convnet; got '{model}'.", nameof(model)),
    };

    /// <summary>Runs the experiment.</summary>
    /// <exception cref="ArgumentException">Unsupported model or invalid options.</exception>
    /// <exception cref="InvalidDataException">A checkpoint to resume from is corrupt or from other options.</exception>
    public static Yang2017Report Run(Yang2017Options options, IProgress<TrainingProgress>? progress = null, IProgress<string>? messages = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        string dataset = DatasetOf(options.Model);
        options.Validate();
        if (options.MagnitudeMinStep > options.MagnitudeInitialStep)
            throw new ArgumentOutOfRangeException(nameof(options), $"Need MagnitudeMinStep ≤ MagnitudeInitialStep; got {options.MagnitudeMinStep}, {options.MagnitudeInitialStep}.");
        var total = Stopwatch.StartNew();
        var info = ModelZoo.Get(options.Model);

        var (train, heldOut, test, _) = PruneStage.Data(dataset, options.ValidationImages, options.TrainLimit, null, null, messages, cancellationToken);
        var validation = heldOut!;
        if (options.TestLimit is int tl) test = test.Slice(0, Math.Min(tl, test.Count));
        var densityImages = validation.Slice(0, Math.Min(500, validation.Count)).AsTensor();

        var reference = ExperimentStages.Reference(options, dataset, progress, messages, cancellationToken, train.Count);
        var dense = reference.Network;

        messages?.Report("energy-aware pruning");
        var eaWatch = Stopwatch.StartNew();
        var eaModel = ModelSnapshot.Clone(dense);
        var eaOptions = new EnergyAwareOptions
        {
            Recipe = info.Recipe,
            Tolerance = options.Tolerance,
            PerLayerTolerance = options.PerLayerTolerance,
            MinStep = options.EnergyAwareMinStep,
            FineTuneEpochs = options.FineTuneEpochs,
            Passes = options.Passes,
            LearningRateScale = options.LearningRateScale,
            Sampler = options.Sampler with { Seed = options.Seed },
            Seed = options.Seed,
            CheckpointPath = Path.Combine(options.WorkDirectory, "energy-aware.ckpt"),
            Resume = options.Resume,
        };
        var ea = EnergyAwarePruning.Run(eaModel, train, validation, eaOptions, progress, messages, cancellationToken);
        double eaError = TrainingRun.Evaluate(eaModel, test, cancellationToken).Error;
        double eaSeconds = eaWatch.Elapsed.TotalSeconds;

        double target = eaError + options.MatchMargin;
        messages?.Report(string.Create(CultureInfo.InvariantCulture, $"magnitude pruning to test error ≤ {target:P2}"));
        var magWatch = Stopwatch.StartNew();
        var magModel = ModelSnapshot.Clone(dense);
        var trials = MagnitudeSearch(magModel, info.Recipe, train, test, target, options, progress, messages, cancellationToken);
        double magSeconds = magWatch.Elapsed.TotalSeconds;

        var networks = new (string Name, Module Net)[] { ("original", dense), ("magnitude", magModel), ("energy-aware", eaModel) };
        var energies = networks.Select(n => (n.Name, n.Net, Energy: ModelEnergy.EstimateDeployed(n.Net, densityImages, name: n.Name))).ToArray();
        double originalEnergy = energies[0].Energy.Total.Total;
        var rows = energies.Select(e =>
        {
            double err = TrainingRun.Evaluate(e.Net, test, cancellationToken).Error;
            long weights = e.Energy.Layers.Sum(l => l.Layer.Weights);
            long nz = PrunableLayer.Find(e.Net).Sum(l => (long)l.Weight.Value.Data.Count(v => v != 0));
            double en = e.Energy.Total.Total;
            return new Yang2017Row(e.Name, err, weights, nz, e.Energy.Macs, e.Energy.NonSkippedMacs, en, en / originalEnergy, originalEnergy / en);
        }).ToArray();
        var layers = energies.SelectMany(e => e.Energy.Layers.Select(l => new Yang2017Layer(e.Name, l.Layer.Name, l.WeightDensity, l.InputDensity,
            l.NonSkippedMacs, l.Energy.Total, l.Energy.Computation, l.Energy.Dram, l.Energy.Buffer + l.Energy.Array + l.Energy.Rf))).ToArray();
        return new Yang2017Report(info.Name, dataset, options.Seed, rows, layers, ea.Order, target, rows[1].TestError - rows[2].TestError,
            rows[1].Energy / rows[2].Energy, ea.Layers, trials, reference.Seconds, eaSeconds, magSeconds, total.Elapsed.TotalSeconds,
            Yang2017Table1.Reproduce());
    }

    private static List<MagnitudeTrial> MagnitudeSearch(Module model, TrainingRecipe recipe, ImageDataset train, ImageDataset test, double target,
        Yang2017Options o, IProgress<TrainingProgress>? progress, IProgress<string>? messages, CancellationToken ct)
    {
        string path = Path.Combine(o.WorkDirectory, "magnitude.ckpt");
        var inv = CultureInfo.InvariantCulture;
        var identity = new { Target = target, o.MagnitudeEpochs, o.MagnitudeInitialStep, o.MagnitudeMinStep, o.LearningRateScale, o.Seed };
        var state = o.Resume && File.Exists(path) ? ResumeCheckpoint.Restore<MagnitudeSearchState>(path, model, identity)
            : new MagnitudeSearchState([], 1, o.MagnitudeInitialStep);
        var (trials, density, step) = (state.Trials, state.Density, state.Step);
        var good = new ModelSnapshot(model);
        while (step >= o.MagnitudeMinStep)
        {
            ct.ThrowIfCancellationRequested();
            double d = density * (1 - step);
            good.Restore(model);
            var result = IterativePruning.Run(model, recipe, train, test, new IterativePruningOptions
            {
                Targets = new Dictionary<string, LayerTarget>(),
                GlobalSparsity = 1 - d,
                Rounds = 1,
                EpochsPerRound = o.MagnitudeEpochs,
                LearningRateScale = o.LearningRateScale,
                Seed = o.Seed + trials.Count,
            }, progress, ct);
            double err = result.Rounds[^1].RetrainedTestError;
            bool ok = err <= target;
            trials.Add(new MagnitudeTrial(d, err, ok));
            messages?.Report(string.Create(inv, $"magnitude: density {d:P1} → test error {err:P2} {(ok ? "kept" : "undone")}"));
            if (ok)
            {
                density = d;
                good = new ModelSnapshot(model);
            }
            else
            {
                step /= 2;
            }
            good.Restore(model);
            ResumeCheckpoint.Save(path, model, identity, new MagnitudeSearchState(trials, density, step));
        }
        good.Restore(model);
        return trials;
    }

    // Where the magnitude search stands: the trials so far, the last accepted density and the current step.
    internal sealed record MagnitudeSearchState(List<MagnitudeTrial> Trials, double Density, double Step);
}
