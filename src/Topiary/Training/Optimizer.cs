// Optimizer: updates parameters from their gradients. Step() enforces the pruning contract:
// the gradient is masked before the update and the value is re-masked after it, so a masked
// weight is exactly zero after every step and is never revived.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>Base class of optimizers. Subclasses implement <see cref="Update"/> for one parameter.</summary>
public abstract class Optimizer
{
    private readonly Parameter[] _parameters;
    private readonly Dictionary<string, float[]?[]> _slots = new(StringComparer.Ordinal);

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

    /// <summary>Returns <paramref name="value"/> when it lies in [0, 1) (a momentum or moment-decay factor).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is outside [0, 1) or NaN; the message names <paramref name="what"/>.</exception>
    protected static float BelowOne(float value, string name, string what) =>
        value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{what} must be in [0, 1).");

    /// <summary>Returns <paramref name="value"/> when it is ≥ 0 (a penalty or decay coefficient).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative or NaN; the message names <paramref name="what"/>.</exception>
    protected static float NonNegative(float value, string name, string what) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{what} must be non-negative.");

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Applies one update to every parameter that requires a gradient.</summary>
    public void Step()
    {
        StepCount++;
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

    /// <summary>Number of <see cref="Step"/> calls so far (Adam's bias-correction counter; restored on resume).</summary>
    public long StepCount { get; set; }

    /// <summary>Updates parameter number <paramref name="index"/> with effective learning rate <paramref name="lr"/>.
    /// The gradient is already masked; the caller re-applies the mask afterwards.</summary>
    protected abstract void Update(int index, Parameter parameter, float lr);

    /// <summary>
    /// Per-parameter state <paramref name="slot"/> (e.g. "velocity") of parameter <paramref name="index"/>: an array of the
    /// parameter's length, created zeroed on first use and recreated when the parameter's size changes.
    /// </summary>
    protected float[] State(string slot, int index)
    {
        if (!_slots.TryGetValue(slot, out var arrays)) _slots[slot] = arrays = new float[]?[_parameters.Length];
        int length = _parameters[index].Length;
        if (arrays[index] is not { } a || a.Length != length) arrays[index] = a = new float[length];
        return a;
    }

    /// <summary>The optimizer state as named tensors (<c>slot.index</c>, shaped like the parameter), for checkpoints.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> StateTensors()
    {
        var list = new List<(string, Tensor)>();
        foreach (var (slot, arrays) in _slots.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            for (int i = 0; i < arrays.Length; i++)
            {
                if (arrays[i] is { } a && a.Length == _parameters[i].Length)
                    list.Add(($"{slot}.{i}", new Tensor((float[])a.Clone(), _parameters[i].Value.Shape.ToArray())));
            }
        }
        return list;
    }

    /// <summary>Restores state written by <see cref="StateTensors"/>; slots not named keep their current values.</summary>
    /// <exception cref="ArgumentException">A name is not <c>slot.index</c>, the index is out of range, or the shape differs from the parameter's.</exception>
    public void LoadState(IEnumerable<(string Name, Tensor Tensor)> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var staged = new List<(string Slot, int Index, float[] Data)>();
        foreach (var (name, tensor) in state)
        {
            int dot = name.LastIndexOf('.');
            if (dot <= 0 || !int.TryParse(name.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
                throw new ArgumentException($"Optimizer state '{name}' is not named 'slot.index'.", nameof(state));
            if (index >= _parameters.Length)
                throw new ArgumentException($"Optimizer state '{name}' refers to parameter {index}; the optimizer has {_parameters.Length}.", nameof(state));
            if (!tensor.SameShape(_parameters[index].Value))
                throw new ArgumentException($"Optimizer state '{name}' has shape {Tensor.ShapeString(tensor.Shape)}; parameter {index} has {Tensor.ShapeString(_parameters[index].Value.Shape)}.", nameof(state));
            staged.Add((name[..dot], index, tensor.Data));
        }
        foreach (var (slot, index, data) in staged) data.AsSpan().CopyTo(State(slot, index));
    }
}
