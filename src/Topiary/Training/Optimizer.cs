// Optimizer: updates parameters from their gradients. Step() enforces the pruning contract:
// the gradient is masked before the update and the value is re-masked after it, so a masked
// weight is exactly zero after every step and is never revived.
using Topiary.Nn;

namespace Topiary.Training;

/// <summary>Base class of optimizers. Subclasses implement <see cref="Update"/> for one parameter.</summary>
public abstract class Optimizer
{
    private readonly Parameter[] _parameters;

    /// <summary>Creates an optimizer over <paramref name="parameters"/> with learning rate <paramref name="learningRate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is negative or not finite.</exception>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.Distinct().ToArray();
        LearningRate = learningRate;
    }

    /// <summary>The base learning rate, multiplied per parameter by <see cref="Parameter.LearningRateMultiplier"/>.</summary>
    public float LearningRate
    {
        get;
        set
        {
            if (!(value >= 0) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Learning rate must be a finite, non-negative number.");
            field = value;
        }
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Applies one update to every parameter that requires a gradient.</summary>
    public void Step()
    {
        BeginStep();
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (!p.RequiresGrad) continue;
            p.MaskGradient();
            Update(i, p, LearningRate * p.LearningRateMultiplier);
            p.ApplyMask();
        }
    }

    /// <summary>Zeroes all gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.ZeroGrad();
    }

    /// <summary>Called once at the start of every <see cref="Step"/> (e.g. to advance a step counter).</summary>
    protected virtual void BeginStep()
    {
    }

    /// <summary>Updates parameter number <paramref name="index"/> with effective learning rate <paramref name="lr"/>.
    /// The gradient is already masked; the caller re-applies the mask afterwards.</summary>
    protected abstract void Update(int index, Parameter parameter, float lr);

    /// <summary>Per-parameter state slot of the same shape as the parameter, (re)created when the shape changes.</summary>
    protected static float[] State(ref float[]? slot, Parameter p)
    {
        if (slot is null || slot.Length != p.Length) slot = new float[p.Length];
        return slot;
    }
}
