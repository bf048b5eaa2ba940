// Learning-rate schedules: a pure function iteration → learning rate (iteration counts from 0).
namespace Topiary.Training;

/// <summary>A learning-rate schedule: the learning rate to use at a given iteration (0-based).</summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate at <paramref name="iteration"/>.</summary>
    float At(int iteration);
}

/// <summary>A constant learning rate.</summary>
public sealed record ConstantLr(float BaseLr) : ILearningRateSchedule
{
    /// <inheritdoc/>
    public float At(int iteration) => BaseLr;
}

/// <summary>Step decay: <c>lr = base · gamma^floor(iter / stepSize)</c> (Caffe "step", PyTorch StepLR per iteration).</summary>
public sealed record StepLr : ILearningRateSchedule
{
    /// <exception cref="ArgumentOutOfRangeException">stepSize ≤ 0 or gamma ≤ 0.</exception>
    public StepLr(float baseLr, int stepSize, float gamma = 0.1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        if (!(gamma > 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be positive.");
        (BaseLr, StepSize, Gamma) = (baseLr, stepSize, gamma);
    }

    /// <summary>Learning rate of the first step.</summary>
    public float BaseLr { get; }

    /// <summary>Iterations between decays.</summary>
    public int StepSize { get; }

    /// <summary>Factor applied at every decay.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public float At(int iteration) => BaseLr * MathF.Pow(Gamma, iteration / StepSize);
}

/// <summary>Caffe "inv": <c>lr = base · (1 + gamma·iter)^(−power)</c> (LeNet solver: gamma 1e-4, power 0.75).</summary>
public sealed record InvLr(float BaseLr, float Gamma = 1e-4f, float Power = 0.75f) : ILearningRateSchedule
{
    /// <inheritdoc/>
    public float At(int iteration) => BaseLr * MathF.Pow(1f + Gamma * iteration, -Power);
}

/// <summary>Cosine annealing from base to <c>MinLr</c> over <c>TotalIterations</c>, after an optional linear warm-up.</summary>
public sealed record CosineLr : ILearningRateSchedule
{
    /// <exception cref="ArgumentOutOfRangeException">totalIterations ≤ 0 or warmup outside [0, total).</exception>
    public CosineLr(float baseLr, int totalIterations, float minLr = 0f, int warmupIterations = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalIterations);
        if (warmupIterations < 0 || warmupIterations >= totalIterations)
            throw new ArgumentOutOfRangeException(nameof(warmupIterations), warmupIterations, "Warm-up must be in [0, totalIterations).");
        (BaseLr, TotalIterations, MinLr, WarmupIterations) = (baseLr, totalIterations, minLr, warmupIterations);
    }

    /// <summary>Peak learning rate (reached after the warm-up).</summary>
    public float BaseLr { get; }

    /// <summary>Iterations of the whole schedule, warm-up included.</summary>
    public int TotalIterations { get; }

    /// <summary>Learning rate at the last iteration.</summary>
    public float MinLr { get; }

    /// <summary>Iterations of linear warm-up from 0 to <see cref="BaseLr"/>.</summary>
    public int WarmupIterations { get; }

    /// <inheritdoc/>
    public float At(int iteration)
    {
        if (iteration < WarmupIterations) return BaseLr * (iteration + 1) / WarmupIterations;
        double t = Math.Min(1.0, (double)(iteration - WarmupIterations) / (TotalIterations - WarmupIterations));
        return (float)(MinLr + 0.5 * (BaseLr - MinLr) * (1 + Math.Cos(Math.PI * t)));
    }
}
