// Recipe: the typed form of a YAML recipe file that drives a whole run (like Distiller / SparseML recipes):
// which model and data, how to train the dense reference, how to prune (any registered method: PruningMethods)
// and retrain, how to compress (Deep Compression's .tpz container) and what to export (ONNX). Records with
// defaults; collections compare by value, so equal recipes are Equal. RecipeLoader validates; these types
// do not re-check values.
//
// YAML keys are snake_case: model, model_file, dataset, seed, train_limit, train{epochs, batch_size, optimizer,
// lr, momentum, weight_decay, l1, lr_policy, gamma, power, step_epochs}, prune{method, the method's own settings
// (its Setting keys), schedule, rounds, scope, targets{LAYER: {sparsity | threshold_std}}, global_sparsity,
// retrain{epochs_per_round, final_epochs, lr_scale, regularization, freeze, reinitialize}},
// compress{bits, index_bits, fine_tune_epochs, fine_tune_lr_scale, huffman}, export{onnx, sparse_initializers}.
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Training;
using Topiary.Settings;

namespace Topiary.Recipes;

/// <summary>A whole run: model, data, optional dense training, pruning, optional compression and export.</summary>
public sealed record Recipe
{
    /// <summary>Zoo model name (e.g. <c>lenet-300-100</c>); exactly one of <see cref="Model"/> and <see cref="ModelFile"/> is set.</summary>
    public string? Model { get; init; }

    /// <summary>Path of a trained model file (e.g. <c>.safetensors</c>), as written in the recipe (relative paths are the caller's to resolve).</summary>
    public string? ModelFile { get; init; }

    /// <summary>Dataset name: <c>mnist</c> or <c>fashion-mnist</c>. YAML key <c>dataset</c> (required).</summary>
    public required string Dataset { get; init; }

    /// <summary>Seed of every random choice in the run. YAML key <c>seed</c>, default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Use only the first N training images (smoke runs); null = all. YAML key <c>train_limit</c>, ≥ 1.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Dense reference training; null when the run starts from <see cref="ModelFile"/> without training.</summary>
    public TrainSpec? Train { get; init; }

    /// <summary>How to prune. YAML key <c>prune</c> (required).</summary>
    public required PruneSpec Prune { get; init; }

    /// <summary>Deep Compression of the pruned model into a .tpz container; null = no compression. YAML key <c>compress</c>.</summary>
    public CompressSpec? Compress { get; init; }

    /// <summary>ONNX export of the final model; null = no export. YAML key <c>export</c>.</summary>
    public ExportSpec? Export { get; init; }
}

/// <summary>Training hyper-parameters (YAML section <c>train</c>); defaults match <see cref="TrainingRecipe"/>.</summary>
public sealed record TrainSpec
{
    /// <summary>Epochs, ≥ 1. YAML <c>epochs</c>.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Mini-batch size, ≥ 1. YAML <c>batch_size</c>.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Optimizer. YAML <c>optimizer</c>: sgd | adam.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Base learning rate, &gt; 0. YAML <c>lr</c>.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>SGD momentum in [0, 1). YAML <c>momentum</c>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay, ≥ 0. YAML <c>weight_decay</c>.</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>L1 penalty, ≥ 0. YAML <c>l1</c>.</summary>
    public double L1 { get; init; }

    /// <summary>Learning-rate policy. YAML <c>lr_policy</c>: constant | inv | step | cosine.</summary>
    public LrPolicy LrPolicy { get; init; } = LrPolicy.Inv;

    /// <summary>Gamma of the inv/step policies, ≥ 0. YAML <c>gamma</c>.</summary>
    public double Gamma { get; init; } = 1e-4;

    /// <summary>Power of the inv policy, ≥ 0. YAML <c>power</c>.</summary>
    public double Power { get; init; } = 0.75;

    /// <summary>Epochs per step of the step policy, ≥ 1. YAML <c>step_epochs</c>.</summary>
    public int StepEpochs { get; init; } = 5;

    /// <summary>The equivalent <see cref="TrainingRecipe"/> (rates narrowed to float).</summary>
    public TrainingRecipe ToTrainingRecipe() => new()
    {
        Epochs = Epochs,
        BatchSize = BatchSize,
        Optimizer = Optimizer,
        LearningRate = (float)LearningRate,
        Momentum = (float)Momentum,
        WeightDecay = (float)WeightDecay,
        L1 = (float)L1,
        Policy = LrPolicy,
        Gamma = (float)Gamma,
        Power = (float)Power,
        StepEpochs = StepEpochs,
    };
}

/// <summary>Pruning settings (YAML section <c>prune</c>): the method, its own settings and the shared schedule.</summary>
public sealed record PruneSpec
{
    /// <summary>The method's registered name (<see cref="PruningMethods"/>). YAML <c>method</c>, default magnitude.</summary>
    public string Method { get; init; } = "magnitude";

    /// <summary>The method's settings record (e.g. <see cref="MagnitudeSettings"/>); its keys are flat keys of the prune section.</summary>
    public object Settings { get; init; } = new MagnitudeSettings();

    /// <summary>Schedule. YAML <c>schedule</c>: one-shot | iterative | agp, default one-shot.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.OneShot;

    /// <summary>Prune/retrain rounds, ≥ 1 (exactly 1 for one-shot). YAML <c>rounds</c>, default 1.</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>Per-layer targets or one global budget. YAML <c>scope</c>, default layer.</summary>
    public ScopeKind Scope { get; init; } = ScopeKind.Layer;

    /// <summary>Per-layer targets by layer name (scope layer; non-empty there, empty for global).</summary>
    public RecipeMap<TargetSpec> Targets { get; init; } = RecipeMap<TargetSpec>.Empty;

    /// <summary>Global sparsity in [0, 1) (scope global only). YAML <c>global_sparsity</c>.</summary>
    public double? GlobalSparsity { get; init; }

    /// <summary>Retraining after each round (YAML section <c>prune.retrain</c>: epochs_per_round, final_epochs, lr_scale,
    /// regularization l1 | l2, freeze none | conv | fc, reinitialize); null = not given.</summary>
    public RetrainSettings? Retrain { get; init; }

    /// <summary>The settings as <typeparamref name="T"/>, or null when the method's settings are of another type.</summary>
    public T? SettingsAs<T>() where T : class => Settings as T;
}

/// <summary>
/// One layer's target: exactly one of a sparsity fraction (YAML <c>sparsity</c>, in [0, 1)) or a threshold
/// as a multiple s of the layer's weight standard deviation, keeping |w| &gt; s·σ (YAML <c>threshold_std</c>, ≥ 0).
/// In YAML a bare number is shorthand for <c>{ sparsity: number }</c>.
/// </summary>
/// <param name="Sparsity">Fraction of the layer's weights to remove.</param>
/// <param name="ThresholdStd">Threshold multiple s of the weight standard deviation.</param>
public sealed record TargetSpec(double? Sparsity = null, double? ThresholdStd = null)
{
    /// <summary>A sparsity target.</summary>
    public static TargetSpec ForSparsity(double sparsity) => new(Sparsity: sparsity);

    /// <summary>A threshold target: keep |w| &gt; s·σ.</summary>
    public static TargetSpec ForThresholdStd(double s) => new(ThresholdStd: s);
}

/// <summary>Whether targets are per layer or one global budget.</summary>
public enum ScopeKind
{
    /// <summary>Each layer to its own target (<c>layer</c>).</summary>
    Layer,
    /// <summary>One threshold across all layers (<c>global</c>).</summary>
    Global,
}
