// Adam (Kingma & Ba) with bias correction; weight decay either as L2 in the gradient (Adam) or
// decoupled (AdamW, Loshchilov & Hutter). Masked entries get a zero gradient and are re-masked.
using Topiary.Nn;

namespace Topiary.Training;

/// <summary>The Adam optimizer (optionally AdamW).</summary>
public sealed class Adam : Optimizer
{

    /// <summary>Creates Adam.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A beta outside [0,1), epsilon ≤ 0 or negative decay.</exception>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f, bool decoupledWeightDecay = false) : base(parameters, learningRate)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be non-negative.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        DecoupledWeightDecay = decoupledWeightDecay;
    }

    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator epsilon.</summary>
    public float Epsilon { get; }

    /// <summary>Weight-decay coefficient.</summary>
    public float WeightDecay { get; }

    /// <summary>True for AdamW (decay applied to the weights directly, not through the moments).</summary>
    public bool DecoupledWeightDecay { get; }


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
