// FashionMnist: Zalando's Fashion-MNIST, 60,000 training and 10,000 test 28x28 images, 10 classes.
// The data comes from Debian's package `dataset-fashion-mnist`, which installs the original gzip'd
// IDX files in /usr/share/datasets/fashion-mnist/. Search order: the directory argument, then
// <DatasetCache.DefaultRoot>/fashion-mnist/, then the Debian path; plain or .gz names are accepted.
// The decompressed content is checked against the upstream SHA-256 hashes. Nothing is downloaded:
// when no copy is found, DatasetUnavailableException says `sudo apt install dataset-fashion-mnist`.
using System.Security.Cryptography;

namespace Topiary.Data;

/// <summary>The Fashion-MNIST dataset (Zalando Research), read from Debian's <c>dataset-fashion-mnist</c> package.</summary>
public static class FashionMnist
{
    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    // SHA-256 of the decompressed IDX files (identical to upstream's .gz content).
    private static readonly Dictionary<string, string> Hashes = new(StringComparer.Ordinal)
    {
        ["train-images-idx3-ubyte"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ["train-labels-idx1-ubyte"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ["t10k-images-idx3-ubyte"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ["t10k-labels-idx1-ubyte"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    };

    /// <summary>The directories searched when no directory is given, in order.</summary>
    public static IReadOnlyList<string> SearchDirectories() =>
        [Path.Combine(DatasetCache.DefaultRoot, "fashion-mnist"), DebianDirectory];

    /// <summary>
    /// Loads a split of Fashion-MNIST.
    /// </summary>
    /// <param name="split">Train (60,000 images) or test (10,000 images).</param>
    /// <param name="directory">A directory holding the four IDX files (plain or <c>.gz</c>); default: <see cref="SearchDirectories"/>.</param>
    /// <param name="progress">Receives human-readable progress lines.</param>
    /// <param name="transform">Pixel mapping; default <see cref="PixelTransform.Caffe"/> (x/256).</param>
    /// <returns>Images <c>[N, 1, 28, 28]</c>, labels 0-9, named <c>fashion-mnist-train</c> or <c>fashion-mnist-test</c>.</returns>
    /// <exception cref="DatasetUnavailableException">No copy was found (install it with <c>sudo apt install dataset-fashion-mnist</c>).</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or differs from the published Fashion-MNIST.</exception>
    public static ImageDataset Load(
        DatasetSplit split, string? directory = null, IProgress<string>? progress = null, PixelTransform? transform = null)
    {
        string prefix = split switch
        {
            DatasetSplit.Train => "train",
            DatasetSplit.Test => "t10k",
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
        };
        string imagesName = prefix + "-images-idx3-ubyte", labelsName = prefix + "-labels-idx1-ubyte";
        IReadOnlyList<string> candidates = directory is null ? SearchDirectories() : [directory];
        foreach (string dir in candidates)
        {
            string? images = Find(dir, imagesName), labels = Find(dir, labelsName);
            if (images is null || labels is null) continue;
            progress?.Report($"Reading Fashion-MNIST {prefix} from {dir}");
            var imageData = IdxReader.Parse(ReadVerified(images, imagesName), images, expectedRank: 3);
            var labelData = IdxReader.Parse(ReadVerified(labels, labelsName), labels, expectedRank: 1).Data;
            if (labelData.Length != imageData.Count)
                throw new InvalidDataException($"{labels}: label count {labelData.Length} does not match the image count {imageData.Count} of {images}.");
            string name = split == DatasetSplit.Train ? "fashion-mnist-train" : "fashion-mnist-test";
            return ImageDataset.FromIdx(name, imageData, labelData, ClassCount, transform ?? PixelTransform.Caffe);
        }
        throw new DatasetUnavailableException(
            $"Fashion-MNIST ({imagesName}, {labelsName}, plain or .gz) was not found in {string.Join(" or ", candidates)}. " +
            "Install Debian's package with: sudo apt install dataset-fashion-mnist");
    }

    private static string? Find(string directory, string name)
    {
        foreach (string candidate in new[] { name, name + ".gz" })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static byte[] ReadVerified(string path, string name)
    {
        byte[] bytes = IdxReader.ReadAllBytes(path);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != Hashes[name])
            throw new InvalidDataException($"{path}: SHA-256 of the decompressed content is {actual}, expected {Hashes[name]} (Fashion-MNIST {name}).");
        return bytes;
    }
}
