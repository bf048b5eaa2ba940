// TrainingRecipe: the hyper-parameters of a training run (optimizer, schedule, batch, epochs),
// and the factories that turn them into an Optimizer and an ILearningRateSchedule. Its settings are the train
// section of a recipe (RecipeLoader/RecipeWriter) and `topiary train`'s flags (SettingFlags).
using Topiary.Nn;
using Topiary.Settings;

namespace Topiary.Training;

/// <summary>Learning-rate policies a recipe can name.</summary>
public enum LrPolicy
{
    /// <summary>Constant learning rate.</summary>
    Constant,
    /// <summary>Caffe "inv": base·(1 + gamma·iter)^−power.</summary>
    Inv,
    /// <summary>Step decay by gamma every StepEpochs epochs.</summary>
    Step,
    /// <summary>Cosine annealing to zero over the run.</summary>
    Cosine,
}

/// <summary>Optimizers a recipe can name.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum.</summary>
    Sgd,
    /// <summary>Adam.</summary>
    Adam,
}

/// <summary>Hyper-parameters of a training run: the <c>train</c> section of a recipe and the flags of <c>topiary train</c>
/// (one [Setting] per key; the initializers are the defaults).</summary>
public sealed record TrainingRecipe
{
    /// <summary>Number of epochs.</summary>
    [Setting("epochs", "Training epochs.", Min = 1, Max = 100_000)]
    public int Epochs { get; init; } = 10;

    /// <summary>Mini-batch size.</summary>
    [Setting("batch_size", "Mini-batch size.", Min = 1, Max = 1 << 20)]
    public int BatchSize { get; init; } = 64;

    /// <summary>Optimizer.</summary>
    [Setting("optimizer", "Optimizer.")]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Base learning rate.</summary>
    [Setting("lr", "Base learning rate.", Min = 0, MinExclusive = true)]
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>SGD momentum.</summary>
    [Setting("momentum", "SGD momentum.", Min = 0, Max = 1, MaxExclusive = true)]
    public float Momentum { get; init; } = 0.9f;

    /// <summary>L2 weight decay.</summary>
    [Setting("weight_decay", "L2 weight decay.", Min = 0)]
    public float WeightDecay { get; init; } = 5e-4f;

    /// <summary>L1 penalty (SGD only).</summary>
    [Setting("l1", "L1 penalty (SGD only).", Min = 0)]
    public float L1 { get; init; }

    /// <summary>Learning-rate policy.</summary>
    [Setting("lr_policy", "Learning-rate policy.")]
    public LrPolicy Policy { get; init; } = LrPolicy.Inv;

    /// <summary>Gamma of the inv or step policy.</summary>
    [Setting("gamma", "Gamma of the inv or step policy.", Min = 0)]
    public float Gamma { get; init; } = 1e-4f;

    /// <summary>Power of the inv policy.</summary>
    [Setting("power", "Power of the inv policy.", Min = 0)]
    public float Power { get; init; } = 0.75f;

    /// <summary>Epochs per step of the step policy.</summary>
    [Setting("step_epochs", "Epochs per step of the step policy.", Min = 1, Max = 100_000)]
    public int StepEpochs { get; init; } = 5;

    /// <summary>Creates the optimizer over the model's parameters.</summary>
    public Optimizer CreateOptimizer(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Optimizer switch
        {
            OptimizerKind.Sgd => new Sgd(model.Parameters(), LearningRate, Momentum, WeightDecay, L1),
            OptimizerKind.Adam => new Adam(model.Parameters(), LearningRate, weightDecay: WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimizer."),
        };
    }

    /// <summary>Creates the schedule for a run of <paramref name="epochs"/> epochs of <paramref name="batchesPerEpoch"/> steps.</summary>
    public ILearningRateSchedule CreateSchedule(int batchesPerEpoch, int epochs) => Policy switch
    {
        LrPolicy.Constant => new ConstantLr(LearningRate),
        LrPolicy.Inv => new InvLr(LearningRate, Gamma, Power),
        LrPolicy.Step => new StepLr(LearningRate, Math.Max(1, StepEpochs * batchesPerEpoch), Gamma),
        LrPolicy.Cosine => new CosineLr(LearningRate, Math.Max(1, batchesPerEpoch * epochs)),
        _ => throw new ArgumentOutOfRangeException(nameof(Policy), Policy, "Unknown learning-rate policy."),
    };
}
