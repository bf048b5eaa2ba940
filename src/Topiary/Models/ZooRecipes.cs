// ZooRecipes: the training recipe the BN networks of the zoo share (resnet-20, squeezenet, mobilenet-v2): SGD with
// momentum 0.9, weight decay 5e-4, batch 128, cosine schedule from 0.1 over 8 epochs, no augmentation.
using Topiary.Training;

namespace Topiary.Models;

internal static class ZooRecipes
{
    /// <summary>A new instance of the shared recipe (records are immutable; each model exposes its own).</summary>
    public static TrainingRecipe CosineSgd() => new()
    {
        BatchSize = 128,
        Epochs = 8,
        LearningRate = 0.1f,
        Momentum = 0.9f,
        WeightDecay = 5e-4f,
        Policy = LrPolicy.Cosine,
    };
}
