// OptimizerArgumentTests: every hyper-parameter check of Sgd and Adam (checked where each property is initialised)
// rejects its bad values with ArgumentOutOfRangeException naming the argument, and good values are stored as given.
using Topiary.Nn;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Training;

public class OptimizerArgumentTests
{
    private static readonly Parameter P = new(new Tensor(3));

    public static TheoryData<string, Func<Optimizer>> BadArguments => new()
    {
        { "momentum", () => new Sgd([P], 0.1f, momentum: -0.1f) },
        { "momentum", () => new Sgd([P], 0.1f, momentum: 1f) },
        { "momentum", () => new Sgd([P], 0.1f, momentum: float.NaN) },
        { "weightDecay", () => new Sgd([P], 0.1f, weightDecay: -1e-4f) },
        { "weightDecay", () => new Sgd([P], 0.1f, weightDecay: float.NaN) },
        { "l1", () => new Sgd([P], 0.1f, l1: -1e-4f) },
        { "beta1", () => new Adam([P], beta1: 1f) },
        { "beta1", () => new Adam([P], beta1: -0.5f) },
        { "beta2", () => new Adam([P], beta2: 1f) },
        { "epsilon", () => new Adam([P], epsilon: 0f) },
        { "epsilon", () => new Adam([P], epsilon: float.NaN) },
        { "weightDecay", () => new Adam([P], weightDecay: -1f) },
        { "value", () => new Sgd([P], -1f) },
        { "value", () => new Adam([P], float.PositiveInfinity) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void A_bad_hyper_parameter_is_refused_by_name(string name, Func<Optimizer> create)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => create());
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void The_messages_say_what_is_wrong()
    {
        Assert.StartsWith("The L1 penalty must be non-negative.", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([P], 0.1f, l1: -1f)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Weight decay must be non-negative.", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([P], weightDecay: -1f)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Momentum must be in [0, 1).", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([P], 0.1f, momentum: 1f)).Message, StringComparison.Ordinal);
        Assert.StartsWith("beta2 must be in [0, 1).", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([P], beta2: -1f)).Message, StringComparison.Ordinal);
        Assert.StartsWith("epsilon must be positive.", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([P], epsilon: -1f)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_values_are_stored_as_given()
    {
        var sgd = new Sgd([P], 0.2f, momentum: 0f, weightDecay: 0f, l1: 3e-3f, nesterov: true);
        Assert.Equal((0.2f, 0f, 0f, 3e-3f, true), (sgd.LearningRate, sgd.Momentum, sgd.WeightDecay, sgd.L1, sgd.Nesterov));
        var adam = new Adam([P], 2e-3f, beta1: 0f, beta2: 0.5f, epsilon: 1e-6f, weightDecay: 0.1f, decoupledWeightDecay: true);
        Assert.Equal((2e-3f, 0f, 0.5f, 1e-6f, 0.1f, true),
            (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay, adam.DecoupledWeightDecay));
    }
}
