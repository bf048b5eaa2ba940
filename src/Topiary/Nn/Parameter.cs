// Parameter: a trainable tensor with its gradient and an optional pruning mask.
// Invariant while a mask is set: Value[i] == 0 and Grad[i] == 0 wherever Mask[i] == 0, after every
// ApplyMask/MaskGradient call; optimizers call both, so a pruned weight is never revived.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>A trainable tensor: value, gradient (same shape) and an optional 0/1 mask (same shape).</summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter holding <paramref name="value"/> (not copied) and a zero gradient.</summary>
    public Parameter(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Grad = new Tensor(value.Shape.ToArray());
    }

    /// <summary>The current weights.</summary>
    public Tensor Value { get; private set; }

    /// <summary>The accumulated gradient of the loss with respect to <see cref="Value"/>.</summary>
    public Tensor Grad { get; private set; }

    /// <summary>The pruning mask (1 = kept, 0 = pruned), or null when the parameter is dense.</summary>
    public Tensor? Mask { get; private set; }

    /// <summary>Learning-rate multiplier (Caffe's <c>lr_mult</c>; biases use 2 in the Caffe LeNet recipe).</summary>
    public float LearningRateMultiplier { get; set; } = 1f;

    /// <summary>Weight-decay multiplier (Caffe's <c>decay_mult</c>).</summary>
    public float WeightDecayMultiplier { get; set; } = 1f;

    /// <summary>When false the optimizer leaves this parameter untouched (frozen layer).</summary>
    public bool RequiresGrad { get; set; } = true;

    /// <summary>Number of elements.</summary>
    public int Length => Value.Length;

    /// <summary>Number of entries not removed by the mask (all entries when there is no mask).</summary>
    public int UnmaskedCount
    {
        get
        {
            if (Mask is null) return Value.Length;
            int n = 0;
            foreach (float m in Mask.Data) if (m != 0) n++;
            return n;
        }
    }

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGrad() => Grad.Clear();

    /// <summary>Installs a 0/1 mask of the same shape and zeroes the masked values and gradients.</summary>
    /// <exception cref="ArgumentException">Shape differs or an entry is neither 0 nor 1.</exception>
    public void SetMask(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (!mask.SameShape(Value))
            throw new ArgumentException($"Mask shape {Tensor.ShapeString(mask.Shape)} does not match parameter shape {Tensor.ShapeString(Value.Shape)}.", nameof(mask));
        foreach (float m in mask.Data)
            if (m != 0f && m != 1f) throw new ArgumentException($"Mask entries must be 0 or 1; found {m}.", nameof(mask));
        Mask = mask;
        ApplyMask();
        MaskGradient();
    }

    /// <summary>Drops the mask; masked entries keep their (zero) values. Pruning becomes permanent.</summary>
    public void RemoveMask() => Mask = null;

    /// <summary>Value *= Mask (no-op without a mask).</summary>
    public void ApplyMask()
    {
        if (Mask is not null) TensorPrimitives.Multiply(Value.Data, Mask.Data, Value.Data);
    }

    /// <summary>Grad *= Mask (no-op without a mask).</summary>
    public void MaskGradient()
    {
        if (Mask is not null) TensorPrimitives.Multiply(Grad.Data, Mask.Data, Grad.Data);
    }

    /// <summary>
    /// Replaces the value with a tensor of a possibly different shape (structural shrinking).
    /// The gradient is reset and any mask must be replaced by the caller.
    /// </summary>
    public void Replace(Tensor value, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Grad = new Tensor(value.Shape.ToArray());
        Mask = null;
        if (mask is not null) SetMask(mask);
    }
}
