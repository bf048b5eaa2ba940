// NodeMask: Scalpel's node-pruning mask layer (Yu et al., ISCA 2017), placed after a layer's activation.
// Input [N, U] (FC: one gate per neuron) or [N, U, S...] (conv: one gate per channel, S = H·W).
//   gate   β ∈ [GateMin, GateMax], a Parameter [U] (weight decay multiplier 0), initialised to InitialGate
//   switch α_u = [β_u > T]                                    (T = Threshold)
//   forward   y[n, u, s] = x[n, u, s]·α_u                     (training and inference alike)
//   backward  dx = dy·α;  dβ_u += Σ_{n, s} dy[n, u, s]·x[n, u, s]   (straight-through: ∂(x·β)/∂β, ignoring the step)
// After every optimizer step ApplyPenalty(penalty·lr) moves β down and clamps it to the band; a blocked unit
// (β ≤ T) still receives the straight-through gradient, so it comes back when the loss wants it.
// Defaults T = 0.8, β₀ = 0.9, band [0.7, 1.0]: a unit needs a net push of 0.1 to switch either way, so it can
// return through the straight-through gradient but never drifts so far below T that it cannot.
// Frozen: α is fixed (β is not read) and β gets no gradient (RequiresGrad = false) — the retrain stage.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Per-unit (per-channel) binary gate y = x·[β &gt; T] with a straight-through gradient for β.</summary>
public sealed class NodeMask : Module
{
    private readonly float[] _alpha;
    private Tensor? _output, _gradInput;
    private KeptInput _kept;

    /// <summary>Creates a mask over <paramref name="units"/> units with every β set to <paramref name="initialGate"/>.</summary>
    /// <param name="units">U: features of an [N, U] input or channels of an [N, U, H, W] input; at least 1.</param>
    /// <param name="threshold">T: a unit is kept while β &gt; T.</param>
    /// <param name="initialGate">β₀, in [<paramref name="gateMin"/>, <paramref name="gateMax"/>].</param>
    /// <param name="gateMin">Lower clamp of β; must be ≤ T so that units can be blocked.</param>
    /// <param name="gateMax">Upper clamp of β; must be &gt; T so that units can be kept.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> below 1, a value not finite, or the band
    /// does not satisfy gateMin ≤ T &lt; gateMax and gateMin ≤ β₀ ≤ gateMax.</exception>
    public NodeMask(int units, float threshold = 0.8f, float initialGate = 0.9f, float gateMin = 0.7f, float gateMax = 1.0f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        foreach (var (v, name) in new[] { (threshold, nameof(threshold)), (initialGate, nameof(initialGate)), (gateMin, nameof(gateMin)), (gateMax, nameof(gateMax)) })
            if (!float.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, "NodeMask settings must be finite.");
        if (!(gateMin <= threshold && threshold < gateMax))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"The threshold must satisfy gateMin ({gateMin}) ≤ T < gateMax ({gateMax}).");
        if (!(initialGate >= gateMin && initialGate <= gateMax))
            throw new ArgumentOutOfRangeException(nameof(initialGate), initialGate, $"The initial gate must lie in [{gateMin}, {gateMax}].");
        Threshold = threshold;
        GateMin = gateMin;
        GateMax = gateMax;
        var beta = new Tensor(units);
        beta.Fill(initialGate);
        Gate = new Parameter(beta) { WeightDecayMultiplier = 0f };
        _alpha = new float[units];
        RefreshAlpha();
    }

    /// <summary>β, shape [U] (<c>gate</c>); never weight-decayed.</summary>
    public Parameter Gate { get; }

    /// <summary>T: unit u is kept while β_u &gt; T.</summary>
    public float Threshold { get; }

    /// <summary>Lower clamp of β.</summary>
    public float GateMin { get; }

    /// <summary>Upper clamp of β.</summary>
    public float GateMax { get; }

    /// <summary>U, the number of gated units.</summary>
    public int Units => _alpha.Length;

    /// <summary>True while α is fixed and β is not trained (see <see cref="Freeze"/>).</summary>
    public bool Frozen { get; private set; }

    /// <summary>α, one 0/1 entry per unit (the current switches; a snapshot while frozen).</summary>
    public ReadOnlySpan<float> Alpha
    {
        get
        {
            if (!Frozen) RefreshAlpha();
            return _alpha;
        }
    }

    /// <summary>Number of units with α = 1.</summary>
    public int KeptCount
    {
        get
        {
            int n = 0;
            foreach (float a in Alpha) if (a != 0) n++;
            return n;
        }
    }

    /// <summary>Number of units with α = 0.</summary>
    public int BlockedCount => Units - KeptCount;

    /// <summary>True when unit <paramref name="unit"/> is kept (α = 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The unit is outside [0, U).</exception>
    public bool IsKept(int unit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unit);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(unit, Units);
        return Alpha[unit] != 0;
    }

    /// <summary>Fixes α at its current value and stops training β (RequiresGrad = false).</summary>
    public void Freeze()
    {
        RefreshAlpha();
        Frozen = true;
        Gate.RequiresGrad = false;
    }

    /// <summary>Lets α follow β again and trains β.</summary>
    public void Unfreeze()
    {
        Frozen = false;
        Gate.RequiresGrad = true;
        RefreshAlpha();
    }

    /// <summary>β ← clamp(β − <paramref name="amount"/>, GateMin, GateMax) for every unit (the node-pruning penalty step,
    /// amount = penalty·lr); also restores the clamp after an optimizer step. No effect while frozen.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative or not finite.</exception>
    public void ApplyPenalty(float amount)
    {
        if (!(amount >= 0) || float.IsInfinity(amount))
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "The penalty step must be a finite, non-negative number.");
        if (Frozen) return;
        var beta = Gate.Value.Span;
        if (amount != 0) TensorPrimitives.Subtract(beta, amount, beta);
        TensorPrimitives.Clamp(beta, GateMin, GateMax, beta);
    }

    /// <summary>y = x·α per unit (axis 1); output has the input's shape (layer-owned).</summary>
    /// <exception cref="ArgumentException">The input is not [N, U] or [N, U, ...].</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2 || input.Dim(1) != Units)
            throw LayerHelpers.ShapeError(ToString(), LayerHelpers.Expected("N", Units.ToString(System.Globalization.CultureInfo.InvariantCulture), "..."), input.Shape);
        if (!Frozen) RefreshAlpha();
        var y = LayerHelpers.Ensure(ref _output, input.Shape);
        int n = input.Dim(0), s = input.Length / Math.Max(1, n * Units);
        for (int b = 0; b < n; b++)
        {
            for (int u = 0; u < Units; u++)
            {
                int at = (b * Units + u) * s;
                if (_alpha[u] != 0) input.Data.AsSpan(at, s).CopyTo(y.Data.AsSpan(at, s));
                else y.Data.AsSpan(at, s).Clear();
            }
        }
        _kept.Keep(input, training);
        return y;
    }

    /// <summary>dx = dy·α (layer-owned); unless frozen, dβ_u += Σ_{n, s} dy·x.</summary>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        var x = _kept.Take(this, gradOutput, _output!);
        var dx = LayerHelpers.Ensure(ref _gradInput, gradOutput.Shape);
        int n = x.Dim(0), s = x.Length / Math.Max(1, n * Units);
        var dBeta = Gate.Grad.Data;
        for (int u = 0; u < Units; u++)
        {
            double sum = 0;
            for (int b = 0; b < n; b++)
            {
                int at = (b * Units + u) * s;
                var dy = gradOutput.Data.AsSpan(at, s);
                if (!Frozen) sum += TensorPrimitives.Dot(dy, x.Data.AsSpan(at, s));
                if (_alpha[u] != 0) dy.CopyTo(dx.Data.AsSpan(at, s));
                else dx.Data.AsSpan(at, s).Clear();
            }
            if (!Frozen) dBeta[u] += (float)sum;
        }
        return dx;
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => [("gate", Gate)];

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"NodeMask({Units}, T={Threshold}, band=[{GateMin}, {GateMax}], kept={KeptCount}{(Frozen ? ", frozen" : "")})");

    private void RefreshAlpha()
    {
        var beta = Gate.Value.Data;
        for (int u = 0; u < _alpha.Length; u++) _alpha[u] = beta[u] > Threshold ? 1f : 0f;
    }
}
