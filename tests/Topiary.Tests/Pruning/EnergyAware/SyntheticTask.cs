// A tiny, quickly learnable image task for energy-aware pruning tests: 1×8×8 noise images with a bright
// 3×3 patch in one of three places (the class), and a small conv → pool → fc model trained on it.
using Topiary.Data;
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Tests.Pruning.EnergyAware;

internal static class SyntheticTask
{
    public static ImageDataset Data(int count, int seed)
    {
        var rng = new Random(seed);
        var images = new float[count * 64];
        var labels = new int[count];
        (int R, int C)[] corners = [(0, 0), (0, 5), (5, 2)];
        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < 64; i++) images[n * 64 + i] = (float)(rng.NextDouble() * 0.6);
            int label = rng.Next(3);
            labels[n] = label;
            var (r0, c0) = corners[label];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) images[n * 64 + (r0 + r) * 8 + c0 + c] += 0.5f;
        }
        return new ImageDataset("synthetic", images, labels, 1, 8, 8, 3);
    }

    public static Module Model(int seed)
    {
        var rng = new Random(seed);
        return new Sequential()
            .Add("conv1", new Conv2d(1, 6, 3, rng, padding: 1))
            .Add("relu1", new ReLU())
            .Add("pool1", new MaxPool2d(2, 2))
            .Add("flatten", new Flatten())
            .Add("fc1", new Linear(6 * 4 * 4, 16, rng))
            .Add("relu2", new ReLU())
            .Add("fc2", new Linear(16, 3, rng));
    }

    public static TrainingRecipe Recipe { get; } = new() { BatchSize = 32, Epochs = 4, LearningRate = 0.05f, Policy = LrPolicy.Constant };

    public static Module Trained(ImageDataset train, int seed)
    {
        var model = Model(seed);
        var loader = new DataLoader(train, Recipe.BatchSize, shuffle: true, seed: seed);
        var trainer = new Trainer(model, Recipe.CreateOptimizer(model), Recipe.CreateSchedule(loader.BatchesPerEpoch, Recipe.Epochs));
        for (int e = 0; e < Recipe.Epochs; e++)
            trainer.TrainEpoch(loader.Epoch(e).Select(b => new Batch(b.Images, b.Labels)), loader.BatchesPerEpoch, e + 1, Recipe.Epochs);
        return model;
    }
}
