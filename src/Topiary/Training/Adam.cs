// Adam (Kingma & Ba) with bias correction; weight decay either as L2 in the gradient (Adam) or
// decoupled (AdamW, Loshchilov & Hutter). Masked entries get a zero gradient and are re-masked.
using Topiary.Nn;

namespace Topiary.Training;

/// <summary>The Adam optimizer (optionally AdamW).</summary>
/// <remarks>The checks run as the properties are initialised: a beta outside [0, 1), epsilon ≤ 0 or a negative decay
/// throws <see cref="ArgumentOutOfRangeException"/> naming the argument.</remarks>
public sealed class Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
    float epsilon = 1e-8f, float weightDecay = 0f, bool decoupledWeightDecay = false) : Optimizer(parameters, learningRate)
{
    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; } = BelowOne(beta1, nameof(beta1), "beta1");

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; } = BelowOne(beta2, nameof(beta2), "beta2");

    /// <summary>Denominator epsilon.</summary>
    public float Epsilon { get; } = epsilon > 0 ? epsilon
        : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");

    /// <summary>Weight-decay coefficient.</summary>
    public float WeightDecay { get; } = NonNegative(weightDecay, nameof(weightDecay), "Weight decay");

    /// <summary>True for AdamW (decay applied to the weights directly, not through the moments).</summary>
    public bool DecoupledWeightDecay { get; } = decoupledWeightDecay;

    /// <inheritdoc/>
    protected override void Update(int index, Parameter parameter, float lr)
    {
        var w = parameter.Value.Span;
        var g = parameter.Grad.Span;
        var m = State("exp_avg", index).AsSpan();
        var v = State("exp_avg_sq", index).AsSpan();
        ReadOnlySpan<float> mask = parameter.Mask is null ? default : parameter.Mask.Span;
        float wd = WeightDecay * parameter.WeightDecayMultiplier;
        float c1 = 1f / (1f - MathF.Pow(Beta1, StepCount));
        float c2 = 1f / (1f - MathF.Pow(Beta2, StepCount));
        for (int i = 0; i < w.Length; i++)
        {
            float gi = DecoupledWeightDecay ? g[i] : g[i] + wd * w[i];
            if (!mask.IsEmpty) gi *= mask[i];
            m[i] = Beta1 * m[i] + (1 - Beta1) * gi;
            v[i] = Beta2 * v[i] + (1 - Beta2) * gi * gi;
            float step = lr * (m[i] * c1) / (MathF.Sqrt(v[i] * c2) + Epsilon);
            if (DecoupledWeightDecay) step += lr * wd * w[i];
            w[i] -= step;
        }
    }
}
