// NodeMask: forward y = x·[β > T] per unit (FC and per channel), the input gradient against finite
// differences, the straight-through β gradient against Σ dy·x computed by hand, threshold/clamp/penalty,
// the frozen mode, counts, and rejected arguments.
using System.Text;
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Tests.Nn;

namespace Topiary.Tests.Pruning.Node;

public class NodeMaskTests
{
    private static NodeMask WithGates(params float[] beta)
    {
        var m = new NodeMask(beta.Length);
        beta.CopyTo(m.Gate.Value.Data, 0);
        return m;
    }

    [Fact]
    public void Defaults_AreDocumentedBand_AllKept_NoWeightDecay()
    {
        var m = new NodeMask(5);
        Assert.Equal(0.8f, m.Threshold);
        Assert.Equal(0.7f, m.GateMin);
        Assert.Equal(1.0f, m.GateMax);
        Assert.All(m.Gate.Value.Data, b => Assert.Equal(0.9f, b));
        Assert.Equal(5, m.KeptCount);
        Assert.Equal(0, m.BlockedCount);
        Assert.Equal(0f, m.Gate.WeightDecayMultiplier);
        Assert.Equal(["gate"], m.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Forward_Fc_ZeroesBlockedUnits_ThresholdIsStrict()
    {
        // β = T exactly is blocked (α = [β > T]).
        var m = WithGates(0.9f, 0.8f, 0.81f, 0.7f);
        var x = new Tensor([1, 2, 3, 4, -5, -6, -7, -8], 2, 4);
        var y = m.Forward(x, training: false);
        Assert.Equal([1f, 0, 3, 0, -5, 0, -7, 0], y.Data);
        Assert.Equal([1f, 0, 1, 0], m.Alpha.ToArray());
        Assert.Equal(2, m.KeptCount);
        Assert.Equal(2, m.BlockedCount);
        Assert.True(m.IsKept(2));
        Assert.False(m.IsKept(1));
    }

    [Fact]
    public void Forward_Conv_GatesWholeChannels()
    {
        var m = WithGates(0.75f, 0.95f, 0.85f);
        var x = Tensor.RandomUniform(new Random(3), 1f, 2, 3, 3, 5);
        var y = m.Forward(x, training: true);
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int s = 0; s < 15; s++)
                {
                    int i = (n * 3 + c) * 15 + s;
                    Assert.Equal(c == 0 ? 0f : x.Data[i], y.Data[i]);
                }
    }

    [Theory]
    [InlineData(new[] { 4, 7 })]
    [InlineData(new[] { 3, 5, 4, 3 })]
    [InlineData(new[] { 2, 1, 1, 1 })]
    public void InputGradient_MatchesFiniteDifferences(int[] shape)
    {
        int units = shape[1];
        var m = new NodeMask(units);
        for (int u = 0; u < units; u++) m.Gate.Value.Data[u] = u % 3 == 1 ? 0.75f : 0.92f;   // some blocked
        var x = GradientChecker.Randn(7, shape);
        var r = Tensor.RandomUniform(new Random(8), 1f, shape);
        m.Forward(x, training: true);
        var dx = m.Backward(r).Clone();
        var report = new StringBuilder();
        GradientChecker.Compare("input", x.Data, dx.Data, () =>
        {
            var y = m.Forward(x, training: true);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)y.Data[i] * r.Data[i];
            return s;
        }, 1e-2f, 1e-3, 1e-4, report);
        Assert.True(report.Length == 0, report.ToString());
    }

    [Fact]
    public void GateGradient_IsStraightThroughSumOfDyTimesX_ForKeptAndBlockedUnits_AndAccumulates()
    {
        // [N = 2, C = 2, S = 2]; unit 1 blocked — it still gets Σ dy·x.
        var m = WithGates(0.9f, 0.72f);
        var x = new Tensor([1, 2, 3, 4, 5, 6, 7, 8], 2, 2, 2);
        var dy = new Tensor([0.5f, -1, 2, 0.25f, -3, 1, 0, 4], 2, 2, 2);
        m.Forward(x, training: true);
        var dx = m.Backward(dy);
        // unit 0: 1·0.5 + 2·(−1) + 5·(−3) + 6·1 = −10.5; unit 1: 3·2 + 4·0.25 + 7·0 + 8·4 = 39
        Assert.Equal([-10.5f, 39f], m.Gate.Grad.Data);
        Assert.Equal([0.5f, -1, 0, 0, -3, 1, 0, 0], dx.Data);
        m.Forward(x, training: true);
        m.Backward(dy);
        Assert.Equal([-21f, 78f], m.Gate.Grad.Data);
    }

    [Fact]
    public void ApplyPenalty_SubtractsAndClampsToBand_AndSwitchesAlpha()
    {
        var m = WithGates(0.9f, 0.81f, 1.3f, 0.5f);
        m.ApplyPenalty(0.02f);
        Assert.Equal(0.88f, m.Gate.Value.Data[0], 6);
        Assert.Equal(0.79f, m.Gate.Value.Data[1], 6);
        Assert.Equal(1.0f, m.Gate.Value.Data[2]);       // clamped from above
        Assert.Equal(0.7f, m.Gate.Value.Data[3]);       // clamped from below
        Assert.Equal([1f, 0, 1, 0], m.Alpha.ToArray());
        for (int i = 0; i < 100; i++) m.ApplyPenalty(0.05f);
        Assert.All(m.Gate.Value.Data, b => Assert.Equal(0.7f, b));
        Assert.Equal(0, m.KeptCount);
        // A blocked unit comes back when β is pushed over T again (e.g. by its straight-through gradient).
        m.Gate.Value.Data[2] = 0.85f;
        Assert.True(m.IsKept(2));
    }

    [Fact]
    public void Frozen_FixesAlpha_NoGateGradient_NoPenalty_Unfreeze_Restores()
    {
        var m = WithGates(0.9f, 0.75f);
        m.Freeze();
        Assert.True(m.Frozen);
        Assert.False(m.Gate.RequiresGrad);
        m.Gate.Value.Data[0] = 0.7f;                    // β changes do not move a frozen α
        m.Gate.Value.Data[1] = 0.95f;
        m.ApplyPenalty(0.5f);
        Assert.Equal([0.7f, 0.95f], m.Gate.Value.Data);
        var x = new Tensor([1, 2], 1, 2);
        Assert.Equal([1f, 0], m.Forward(x, training: true).Data);
        m.Backward(new Tensor([3, 4], 1, 2));
        Assert.Equal([0f, 0], m.Gate.Grad.Data);
        m.Unfreeze();
        Assert.True(m.Gate.RequiresGrad);
        Assert.Equal([0f, 2], m.Forward(x, training: false).Data);
    }

    [Fact]
    public void BadArguments_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NodeMask(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NodeMask(3, threshold: 0.8f, gateMin: 0.85f));       // min above T
        Assert.Throws<ArgumentOutOfRangeException>(() => new NodeMask(3, threshold: 1.0f, gateMax: 1.0f));        // T not below max
        Assert.Throws<ArgumentOutOfRangeException>(() => new NodeMask(3, initialGate: 1.2f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NodeMask(3, threshold: float.NaN));
        var m = new NodeMask(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.ApplyPenalty(-0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.ApplyPenalty(float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.IsKept(3));
        var e = Assert.Throws<ArgumentException>(() => m.Forward(new Tensor(2, 4), training: false));
        Assert.Contains("[2, 4]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => m.Forward(new Tensor(3), training: false));
        Assert.Throws<InvalidOperationException>(() => m.Backward(new Tensor(2, 3)));
        m.Forward(new Tensor(2, 3), training: true);
        Assert.Throws<ArgumentException>(() => m.Backward(new Tensor(2, 4)));
    }
}
