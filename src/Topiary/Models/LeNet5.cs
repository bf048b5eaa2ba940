// Caffe LeNet-5 (as used by Han et al. 2015 and Deep Compression): [N,1,28,28] →
// conv1 20@5x5 → maxpool 2/2 → conv2 50@5x5 → maxpool 2/2 → flatten(800) → fc1 500 → ReLU → fc2 10.
// No ReLU after the convolutions (as in Caffe's lenet_train_test.prototxt). 431,080 parameters.
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Models;

/// <summary>The Caffe LeNet-5 network.</summary>
public static class LeNet5
{
    /// <summary>The Caffe solver: SGD lr 0.01, momentum 0.9, weight decay 5e-4, "inv" (1e-4, 0.75), batch 64,
    /// 10k iterations ≈ 11 epochs; bias learning rate ×2.</summary>
    public static TrainingRecipe Recipe { get; } = ZooRecipes.SgdMomentum(batchSize: 64, epochs: 11, learningRate: 0.01f, LrPolicy.Inv);

    /// <summary>Builds the network; weights Caffe-Xavier initialised from <paramref name="seed"/>, biases zero.</summary>
    public static Module Create(int seed) => ModelZoo.Seeded(seed, rng => new Sequential()
        .Add("conv1", new Conv2d(1, 20, 5, rng))
        .Add("pool1", new MaxPool2d(2, 2))
        .Add("conv2", new Conv2d(20, 50, 5, rng))
        .Add("pool2", new MaxPool2d(2, 2))
        .Add("flatten", new Flatten())
        .Add("fc1", new Linear(800, 500, rng))
        .Add("relu1", new ReLU())
        .Add("fc2", new Linear(500, 10, rng)), CaffeInit.Apply);
}
