// ConvNetCifar: the classic CIFAR-style ConvNet (two conv-conv-pool stages, one hidden FC layer with
// dropout), adapted to 1×28×28 Fashion-MNIST:
//   conv1 1→32 3x3 p1 → ReLU → conv2 32→32 3x3 p1 → ReLU → maxpool 2/2 (14x14)
//   → conv3 32→64 3x3 p1 → ReLU → conv4 64→64 3x3 p1 → ReLU → maxpool 2/2 (7x7)
//   → flatten (3136) → fc1 3136→256 → ReLU → dropout 0.5 → fc2 256→10.          870,634 parameters.
// Weights Kaiming-uniform (fan-in, ReLU gain), biases zero; the recipe is SGD with momentum and a cosine
// schedule, a few epochs (the reference error on Fashion-MNIST is about 8-9%).
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Models;

/// <summary>A CIFAR-style ConvNet for 1×28×28 inputs (zoo name <c>convnet</c>).</summary>
public static class ConvNetCifar
{
    /// <summary>Reference recipe: SGD momentum 0.9, weight decay 5e-4, batch 64, cosine from 0.02, 6 epochs.</summary>
    public static TrainingRecipe Recipe { get; } = ZooRecipes.SgdMomentum(batchSize: 64, epochs: 6, learningRate: 0.02f, LrPolicy.Cosine);

    /// <summary>The dataset the recipe is meant for.</summary>
    public const string Dataset = "fashion-mnist";

    /// <summary>Builds the network; weights Kaiming-uniform from <paramref name="seed"/>, biases zero, dropout seeded from it.</summary>
    public static Module Create(int seed) => ModelZoo.Seeded(seed, rng => new Sequential()
        .Add("conv1", new Conv2d(1, 32, 3, rng, padding: 1))
        .Add("relu1", new ReLU())
        .Add("conv2", new Conv2d(32, 32, 3, rng, padding: 1))
        .Add("relu2", new ReLU())
        .Add("pool1", new MaxPool2d(2, 2))
        .Add("conv3", new Conv2d(32, 64, 3, rng, padding: 1))
        .Add("relu3", new ReLU())
        .Add("conv4", new Conv2d(64, 64, 3, rng, padding: 1))
        .Add("relu4", new ReLU())
        .Add("pool2", new MaxPool2d(2, 2))
        .Add("flatten", new Flatten())
        .Add("fc1", new Linear(64 * 7 * 7, 256, rng))
        .Add("relu5", new ReLU())
        .Add("drop1", new Dropout(0.5f, seed * 31 + 7))
        .Add("fc2", new Linear(256, 10, rng)), KaimingInit.Apply);
}
