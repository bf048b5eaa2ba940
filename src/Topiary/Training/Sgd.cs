// SGD with momentum, L2 weight decay and an L1 penalty (PyTorch semantics, dampening 0):
//   d = g + wd·decay_mult·w + l1·decay_mult·sign(w);  v = μ·v + d;  w -= lr·(nesterov ? d + μ·v : v)
// Masked entries: d is masked, so their velocity decays to zero and the re-mask keeps them at 0.
using Topiary.Nn;

namespace Topiary.Training;

/// <summary>Stochastic gradient descent with momentum, weight decay (L2) and L1 penalty.</summary>
/// <remarks>The checks run as the properties are initialised: momentum outside [0, 1) or a negative penalty throws
/// <see cref="ArgumentOutOfRangeException"/> naming the argument.</remarks>
public sealed class Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float weightDecay = 0f,
    float l1 = 0f, bool nesterov = false) : Optimizer(parameters, learningRate)
{
    private float[] _scratch = [];

    /// <summary>Momentum μ.</summary>
    public float Momentum { get; } = BelowOne(momentum, nameof(momentum), "Momentum");

    /// <summary>L2 weight-decay coefficient (adds wd·w to the gradient).</summary>
    public float WeightDecay { get; } = NonNegative(weightDecay, nameof(weightDecay), "Weight decay");

    /// <summary>L1 coefficient (adds l1·sign(w) to the gradient).</summary>
    public float L1 { get; } = NonNegative(l1, nameof(l1), "The L1 penalty");

    /// <summary>Nesterov momentum.</summary>
    public bool Nesterov { get; } = nesterov;

    /// <inheritdoc/>
    protected override void Update(int index, Parameter parameter, float lr)
    {
        var w = parameter.Value.Span;
        var g = parameter.Grad.Span;
        float wd = WeightDecay * parameter.WeightDecayMultiplier;
        float l1 = L1 * parameter.WeightDecayMultiplier;

        if (l1 == 0 && parameter.Mask is null && Momentum != 0 && !Nesterov)
        {
            // The common case (every zoo recipe before pruning): one fused sweep, bit for bit the passes below.
            var value = parameter.Value;
            SgdKernel.MomentumStep(value.Data, parameter.Grad.Data, State("velocity", index), value.Length, wd, Momentum, lr);
            return;
        }

        // d = g + wd·w + l1·sign(w), masked; vectorised through TensorPrimitives (this loop runs over
        // every weight at every step: as scalar code it cost ~10% of a LeNet-5 training step).
        Span<float> d = Scratch(w.Length);
        if (wd != 0) TensorPrimitives.MultiplyAdd(w, wd, g, d);
        else g.CopyTo(d);
        if (l1 != 0)
            for (int i = 0; i < d.Length; i++) d[i] += l1 * MathF.Sign(w[i]);
        if (parameter.Mask is not null) TensorPrimitives.Multiply(d, parameter.Mask.Span, d);

        if (Momentum == 0)
        {
            TensorPrimitives.MultiplyAdd(d, -lr, w, w);
            return;
        }
        var v = State("velocity", index).AsSpan();
        TensorPrimitives.MultiplyAdd(v, Momentum, d, v);           // v = μ·v + d
        // A pruned weight's velocity would otherwise decay geometrically through the subnormal range,
        // where every arithmetic op on it is slow; zero it at once (it can never move the weight).
        if (parameter.Mask is not null) TensorPrimitives.Multiply(v, parameter.Mask.Span, v);
        if (Nesterov)
        {
            TensorPrimitives.MultiplyAdd(v, Momentum, d, d);       // d + μ·v
            TensorPrimitives.MultiplyAdd(d, -lr, w, w);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(v, -lr, w, w);            // w −= lr·v
        }
    }

    private Span<float> Scratch(int length)
    {
        if (_scratch.Length < length) _scratch = new float[length];
        return _scratch.AsSpan(0, length);
    }
}
