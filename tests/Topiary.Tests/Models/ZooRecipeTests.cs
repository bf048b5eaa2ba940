// The zoo networks' training recipes (ZooRecipes.SgdMomentum): SGD with momentum 0.9 and weight decay 5e-4, and each
// network's own batch size, epochs, base rate and policy as its documentation states.
using Topiary.Models;
using Topiary.Training;

namespace Topiary.Tests.Models;

public class ZooRecipeTests
{
    public static TheoryData<string, int, int, float, LrPolicy> Recipes() => new()
    {
        { "lenet-300-100", 64, 20, 0.05f, LrPolicy.Cosine },
        { "lenet-5", 64, 11, 0.01f, LrPolicy.Inv },
        { "convnet", 64, 6, 0.02f, LrPolicy.Cosine },
        { "resnet-20", 128, 8, 0.1f, LrPolicy.Cosine },
        { "squeezenet", 128, 8, 0.1f, LrPolicy.Cosine },
        { "mobilenet-v2", 128, 8, 0.1f, LrPolicy.Cosine },
    };

    private static TrainingRecipe RecipeOf(string name) => name switch
    {
        "lenet-300-100" => LeNet300100.Recipe,
        "lenet-5" => LeNet5.Recipe,
        "convnet" => ConvNetCifar.Recipe,
        "resnet-20" => ResNet20.Recipe,
        "squeezenet" => SqueezeNet.Recipe,
        "mobilenet-v2" => MobileNetV2.Recipe,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Each_zoo_network_trains_with_sgd_momentum_and_its_documented_schedule(string name, int batch, int epochs, float lr, LrPolicy policy)
    {
        var r = RecipeOf(name);
        Assert.Equal(OptimizerKind.Sgd, r.Optimizer);
        Assert.Equal(0.9f, r.Momentum);
        Assert.Equal(5e-4f, r.WeightDecay);
        Assert.Equal(0f, r.L1);
        Assert.Equal((batch, epochs, lr, policy), (r.BatchSize, r.Epochs, r.LearningRate, r.Policy));
        Assert.Equal((1e-4f, 0.75f), (r.Gamma, r.Power));
    }

    [Fact]
    public void The_bn_networks_get_equal_but_separate_recipes()
    {
        Assert.Equal(ResNet20.Recipe, SqueezeNet.Recipe);
        Assert.NotSame(ResNet20.Recipe, SqueezeNet.Recipe);
    }
}
