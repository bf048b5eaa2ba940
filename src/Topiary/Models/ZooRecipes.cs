// ZooRecipes: the training recipes of the zoo networks. Every one is SGD with momentum 0.9 and weight decay 5e-4
// (Inv: Caffe's gamma 1e-4 and power 0.75); the networks differ in batch size, epochs, base learning rate and
// policy. The BN networks (resnet-20, squeezenet, mobilenet-v2) share one: batch 128, cosine from 0.1 over 8 epochs,
// no augmentation.
using Topiary.Training;

namespace Topiary.Models;

internal static class ZooRecipes
{
    /// <summary>SGD with momentum 0.9 and weight decay 5e-4 at the given batch size, epochs, base rate and policy (a new instance).</summary>
    public static TrainingRecipe SgdMomentum(int batchSize, int epochs, float learningRate, LrPolicy policy) => new()
    {
        BatchSize = batchSize,
        Epochs = epochs,
        LearningRate = learningRate,
        Momentum = 0.9f,
        WeightDecay = 5e-4f,
        Policy = policy,
        Gamma = 1e-4f,
        Power = 0.75f,
    };

    /// <summary>A new instance of the BN networks' shared recipe (records are immutable; each model exposes its own).</summary>
    public static TrainingRecipe CosineSgd() => SgdMomentum(batchSize: 128, epochs: 8, learningRate: 0.1f, LrPolicy.Cosine);
}
