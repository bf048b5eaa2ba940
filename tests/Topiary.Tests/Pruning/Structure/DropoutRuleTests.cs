// DropoutRule: D_r = D_o·√(C_ir/C_io) (Han et al. 2015: 0.5 keeping 9% → 0.15), argument errors, and
// Apply setting the Dropouts that follow pruned Linears (and nothing on bad input).
using Topiary.Nn;
using Topiary.Pruning.Structure;

namespace Topiary.Tests.Pruning.Structure;

public class DropoutRuleTests
{
    [Fact]
    public void PaperExample_HalfKeepingNinePercent_IsFifteenPercent()
    {
        Assert.Equal(0.15, DropoutRule.RetrainRate(0.5, 10_000, 900), 12);
        Assert.Equal(0.15, DropoutRule.RetrainRate(0.5, 0.09), 12);
        Assert.Equal(0.5, DropoutRule.RetrainRate(0.5, 300L * 784, 300L * 784), 12);
        Assert.Equal(0, DropoutRule.RetrainRate(0.5, 100, 0));
        // C_i = N_i·N_{i−1}: a 4096x4096 layer keeping 9% of its connections.
        Assert.Equal(0.15, DropoutRule.RetrainRate(0.5, 4096L * 4096, (long)Math.Round(4096L * 4096 * 0.09)), 6);
    }

    [Theory]
    [InlineData(-0.1, 10, 5, "originalRate")]
    [InlineData(1.1, 10, 5, "originalRate")]
    [InlineData(double.NaN, 10, 5, "originalRate")]
    [InlineData(0.5, 0, 0, "connectionsBefore")]
    [InlineData(0.5, 10, -1, "connectionsAfter")]
    [InlineData(0.5, 10, 11, "connectionsAfter")]
    public void BadArguments_Throw(double rate, long before, long after, string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DropoutRule.RetrainRate(rate, before, after));
        Assert.Equal(parameter, e.ParamName);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void BadKeptFraction_Throws(double kept) =>
        Assert.Equal("keptFraction", Assert.Throws<ArgumentOutOfRangeException>(() => DropoutRule.RetrainRate(0.5, kept)).ParamName);

    private static (Sequential Model, Dropout D1, Dropout D2) Mlp()
    {
        var rng = new Random(1);
        var d1 = new Dropout(0.5f, 1);
        var d2 = new Dropout(0.5f, 2);
        var model = new Sequential()
            .Add("fc1", new Linear(8, 6, rng)).Add("relu1", new ReLU()).Add("drop1", d1)
            .Add("block", new Sequential().Add("fc2", new Linear(6, 5, rng)).Add("relu2", new ReLU()).Add("drop2", d2))
            .Add("fc3", new Linear(5, 2, rng));
        return (model, d1, d2);
    }

    [Fact]
    public void Apply_SetsTheDropoutsFollowingPrunedLinears()
    {
        var (model, d1, d2) = Mlp();

        var changes = DropoutRule.Apply(model, new Dictionary<string, double> { ["fc1"] = 0.09 });

        var change = Assert.Single(changes);
        Assert.Equal(new DropoutRateChange("drop1", "fc1", 0.09, 0.5, DropoutRule.RetrainRate(0.5, 0.09)), change);
        Assert.Equal(0.15f, d1.P, 6);
        Assert.Equal(0.5f, d2.P);
    }

    [Fact]
    public void Apply_UsesGivenOriginalRates_SoRepeatedCallsDoNotCompound()
    {
        var (model, d1, d2) = Mlp();
        var kept = new Dictionary<string, double> { ["fc1"] = 0.25, ["block.fc2"] = 0.04 };
        var original = new Dictionary<string, double> { ["drop1"] = 0.5, ["block.drop2"] = 0.5 };

        DropoutRule.Apply(model, kept, original);
        var changes = DropoutRule.Apply(model, kept, original);

        Assert.Equal(2, changes.Count);
        Assert.Equal(0.25f, d1.P, 6);
        Assert.Equal(0.1f, d2.P, 6);
        Assert.Equal("block.drop2", changes[1].Dropout);
        Assert.Equal("block.fc2", changes[1].Layer);
    }

    [Fact]
    public void KeptFractionsFromMasks_FeedApply()
    {
        var (model, d1, d2) = Mlp();
        var fc1 = (Linear)model["fc1"];
        var mask = new Topiary.Tensors.Tensor(6, 8);
        for (int i = 0; i < 12; i++) mask[i] = 1;    // 12 of 48 kept: 25%
        fc1.Weight.SetMask(mask);

        var kept = DropoutRule.KeptFractionsFromMasks(model);

        Assert.Equal(new[] { "fc1", "block.fc2", "fc3" }, kept.Keys);
        Assert.Equal(0.25, kept["fc1"]);
        Assert.Equal(1.0, kept["block.fc2"]);
        DropoutRule.Apply(model, kept);
        Assert.Equal(0.25f, d1.P, 6);
        Assert.Equal(0.5f, d2.P);
    }

    [Fact]
    public void Apply_BadInput_ThrowsAndChangesNothing()
    {
        var (model, d1, _) = Mlp();
        var e = Assert.Throws<ArgumentException>(() =>
            DropoutRule.Apply(model, new Dictionary<string, double> { ["fc1"] = 0.5, ["fc9"] = 0.5 }));
        Assert.Contains("fc9", e.Message, StringComparison.Ordinal);
        Assert.Contains("block.fc2", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            DropoutRule.Apply(model, new Dictionary<string, double> { ["fc1"] = 1.5 }));
        Assert.Throws<ArgumentException>(() =>
            DropoutRule.Apply(model, new Dictionary<string, double> { ["fc1"] = 0.5 }, new Dictionary<string, double> { ["fc1"] = 0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            DropoutRule.Apply(model, new Dictionary<string, double> { ["fc1"] = 0.5 }, new Dictionary<string, double> { ["drop1"] = -1 }));
        Assert.Equal(0.5f, d1.P);
    }
}
