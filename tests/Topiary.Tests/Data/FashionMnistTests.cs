// Fashion-MNIST from Debian's dataset-fashion-mnist package. When the package is installed the real
// data is checked; when it is not, the error must tell the user how to install it.
using Topiary.Data;
using Topiary.Tests.IO;

namespace Topiary.Tests.Data;

public class FashionMnistTests
{
    private static bool Installed => File.Exists(Path.Combine(FashionMnist.DebianDirectory, "train-images-idx3-ubyte.gz"));

    [Fact]
    public void Load_RealDataOrInstallHint()
    {
        if (!Installed)
        {
            var e = Assert.Throws<DatasetUnavailableException>(() => FashionMnist.Load(DatasetSplit.Test, FashionMnist.DebianDirectory));
            Assert.Contains("sudo apt install dataset-fashion-mnist", e.Message);
            return;
        }
        var train = FashionMnist.Load(DatasetSplit.Train);
        Assert.Equal("fashion-mnist-train", train.Name);
        Assert.Equal(60000, train.Count);
        Assert.Equal(9, train.Labels[0]); // ankle boot
        var test = FashionMnist.Load(DatasetSplit.Test, transform: PixelTransform.UnitInterval);
        Assert.Equal(10000, test.Count);
        Assert.Equal(new[] { 9, 2, 1, 1, 6 }, test.Labels[..5]);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, test.Labels.Count(l => l == c)));
    }

    [Fact]
    public void Load_MissingDirectory_TellsHowToInstall()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DatasetUnavailableException>(() => FashionMnist.Load(DatasetSplit.Train, dir.Path));
        Assert.Contains("sudo apt install dataset-fashion-mnist", e.Message);
        Assert.Contains(dir.Path, e.Message);
    }

    [Fact]
    public void Load_RejectsFilesThatAreNotFashionMnist()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte.gz"), IdxTestFiles.Gzip(IdxTestFiles.Images(3)));
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), IdxTestFiles.Labels(3));
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(DatasetSplit.Test, dir.Path));
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("SHA-256", e.Message);
    }
}
