// ModelZoo: named, seeded model constructors and their reference training recipes.
// Parameter names follow PyTorch conventions (conv1.weight, fc1.bias, ...).
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Models;

/// <summary>A model the zoo can build.</summary>
/// <param name="Name">CLI name, e.g. <c>lenet-5</c>.</param>
/// <param name="Description">One line.</param>
/// <param name="InputShape">Shape of one input example (without the batch axis).</param>
/// <param name="Factory">Builds the model from a seed.</param>
/// <param name="Recipe">Reference training recipe.</param>
public sealed record ModelInfo(string Name, string Description, int[] InputShape, Func<int, Module> Factory, TrainingRecipe Recipe);

/// <summary>The model zoo.</summary>
public static class ModelZoo
{
    private static readonly ModelInfo[] Models =
    [
        new("lenet-300-100", "784-300-100-10 fully connected with ReLU (Han et al. 2015)", [1, 28, 28], LeNet300100.Create,
            LeNet300100.Recipe),
        new("lenet-5", "Caffe LeNet-5: conv 20@5x5, pool, conv 50@5x5, pool, fc 500, ReLU, fc 10", [1, 28, 28], LeNet5.Create,
            LeNet5.Recipe),
        new("convnet", "CIFAR-style ConvNet for 28x28: 2x(conv 3x3, conv 3x3, pool) 32/64, fc 256, dropout, fc 10", [1, 28, 28],
            ConvNetCifar.Create, ConvNetCifar.Recipe),
        new("resnet-20", "CIFAR ResNet-20 (He et al. 2016) for 28x28: conv 16, 3 stages x 3 basic blocks 16/32/64, BN, projection shortcuts, GAP, fc 10",
            [1, 28, 28], ResNet20.Create, ResNet20.Recipe),
        new("squeezenet", "SqueezeNet 1.1 with BN for 28x28: conv 64, 6 Fire modules (squeeze 16/32/48), dropout, conv 1x1 to 10, GAP", [1, 28, 28],
            SqueezeNet.Create, SqueezeNet.Recipe),
        new("mobilenet-v2", "MobileNetV2 width 0.5 for 28x28: 17 inverted residual blocks (depthwise 3x3, ReLU6), CIFAR strides, conv 1x1 1280, GAP, dropout, fc 10",
            [1, 28, 28], MobileNetV2.Create, MobileNetV2.Recipe),
    ];

    /// <summary>Names of every model in the zoo.</summary>
    public static IReadOnlyList<string> Names { get; } = Models.Select(m => m.Name).ToArray();

    /// <summary>Looks a model up by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known names.</exception>
    public static ModelInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Builds model <paramref name="name"/> with weights initialised from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Module Create(string name, int seed) => Get(name).Factory(seed);

    /// <summary>The network <paramref name="build"/> makes with a generator seeded from <paramref name="seed"/>, then
    /// re-initialised by <paramref name="init"/> (e.g. <see cref="CaffeInit.Apply"/>) from the same generator.</summary>
    internal static Module Seeded(int seed, Func<Random, Module> build, Action<Module, Random> init)
    {
        var rng = new Random(seed);
        var net = build(rng);
        init(net, rng);
        return net;
    }

    /// <summary>The recipe a model named <paramref name="name"/> retrains with: its zoo recipe, or for an imported (non-zoo)
    /// model plain SGD at 0.01 with a cosine schedule.</summary>
    public static TrainingRecipe RetrainingRecipe(string name) =>
        Names.Contains(name) ? Get(name).Recipe : new TrainingRecipe { LearningRate = 0.01f, Policy = LrPolicy.Cosine };
}
