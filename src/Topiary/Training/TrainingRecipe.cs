// TrainingRecipe: the hyper-parameters of a training run (optimizer, schedule, batch, epochs),
// and the factories that turn them into an Optimizer and an ILearningRateSchedule.
using Topiary.Nn;

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

/// <summary>Hyper-parameters of a training run.</summary>
public sealed record TrainingRecipe
{
    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Base learning rate.</summary>
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>SGD momentum.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>L2 weight decay.</summary>
    public float WeightDecay { get; init; } = 5e-4f;

    /// <summary>L1 penalty (SGD only).</summary>
    public float L1 { get; init; }

    /// <summary>Learning-rate policy.</summary>
    public LrPolicy Policy { get; init; } = LrPolicy.Inv;

    /// <summary>Gamma of the inv or step policy.</summary>
    public float Gamma { get; init; } = 1e-4f;

    /// <summary>Power of the inv policy.</summary>
    public float Power { get; init; } = 0.75f;

    /// <summary>Epochs per step of the step policy.</summary>
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
