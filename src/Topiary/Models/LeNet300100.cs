// LeNet-300-100: flatten → fc1 784→300 → ReLU → fc2 300→100 → ReLU → fc3 100→10 (266,610 parameters).
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Models;

/// <summary>The LeNet-300-100 multilayer perceptron of Han et al. 2015.</summary>
public static class LeNet300100
{
    /// <summary>Reference recipe: SGD momentum 0.9, weight decay 5e-4, batch 64, cosine from 0.05, 20 epochs.</summary>
    public static TrainingRecipe Recipe { get; } = ZooRecipes.SgdMomentum(batchSize: 64, epochs: 20, learningRate: 0.05f, LrPolicy.Cosine);

    /// <summary>Builds the network; weights Caffe-Xavier initialised from <paramref name="seed"/>, biases zero.</summary>
    public static Module Create(int seed) => ModelZoo.Seeded(seed, rng => new Sequential()
        .Add("flatten", new Flatten())
        .Add("fc1", new Linear(784, 300, rng))
        .Add("relu1", new ReLU())
        .Add("fc2", new Linear(300, 100, rng))
        .Add("relu2", new ReLU())
        .Add("fc3", new Linear(100, 10, rng)), CaffeInit.Apply);
}
