// ImageDataset: an in-memory labelled image set (float32 NCHW pixels + int labels), the output of
// Mnist.Load / FashionMnist.Load and the input of DataLoader. Immutable after construction except
// through the exposed arrays (callers own them). Shapes: images [Count, Channels, Height, Width].
using Topiary.Tensors;

namespace Topiary.Data;

/// <summary>Which half of a dataset to load.</summary>
public enum DatasetSplit
{
    /// <summary>The training set (60,000 images for MNIST and Fashion-MNIST).</summary>
    Train,

    /// <summary>The test set (10,000 images for MNIST and Fashion-MNIST).</summary>
    Test,
}

/// <summary>An in-memory labelled image dataset: float32 pixels in NCHW order and integer labels.</summary>
public sealed class ImageDataset
{
    /// <summary>Wraps <paramref name="images"/> and <paramref name="labels"/> (not copied).</summary>
    /// <param name="name">A display name (e.g. <c>mnist-train</c>).</param>
    /// <param name="images">Pixels, length <c>labels.Length * channels * height * width</c>, NCHW.</param>
    /// <param name="labels">One label per image, each in <c>[0, classCount)</c>.</param>
    /// <param name="channels">Channels per image.</param>
    /// <param name="height">Rows per image.</param>
    /// <param name="width">Columns per image.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <exception cref="ArgumentException">A size is not positive, the lengths disagree, or a label is out of range.</exception>
    public ImageDataset(string name, float[] images, int[] labels, int channels, int height, int width, int classCount)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"Image shape [{channels}, {height}, {width}] must be positive.", nameof(channels));
        if (classCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "Class count must be positive.");
        long imageSize = (long)channels * height * width;
        if (imageSize * labels.Length != images.Length)
            throw new ArgumentException(
                $"{name}: {images.Length} pixels do not hold {labels.Length} images of [{channels}, {height}, {width}].", nameof(images));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"{name}: label {labels[i]} at index {i} is outside [0, {classCount}).", nameof(labels));
        Name = name;
        Images = images;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
    }

    /// <summary>A display name such as <c>mnist-train</c>.</summary>
    public string Name { get; }

    /// <summary>All pixels, NCHW, length <see cref="Count"/> × <see cref="ImageSize"/>.</summary>
    public float[] Images { get; }

    /// <summary>The label of each image, in <c>[0, ClassCount)</c>.</summary>
    public int[] Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Channels per image (1 for MNIST).</summary>
    public int Channels { get; }

    /// <summary>Rows per image (28 for MNIST).</summary>
    public int Height { get; }

    /// <summary>Columns per image (28 for MNIST).</summary>
    public int Width { get; }

    /// <summary>Elements per image: <c>Channels * Height * Width</c>.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Number of classes (10 for MNIST).</summary>
    public int ClassCount { get; }

    /// <summary>The pixels of image <paramref name="index"/> (length <see cref="ImageSize"/>).</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Index outside [0, {Count}).");
        return Images.AsSpan(index * ImageSize, ImageSize);
    }

    /// <summary>
    /// A tensor view (shared storage) of all images: <c>[Count, Channels, Height, Width]</c>, or
    /// <c>[Count, ImageSize]</c> when <paramref name="flat"/> is true.
    /// </summary>
    public Tensor AsTensor(bool flat = false) =>
        flat ? new Tensor(Images, Count, ImageSize) : new Tensor(Images, Count, Channels, Height, Width);

    /// <summary>A copy of images <c>[start, start + count)</c> as a new dataset (handy for quick runs).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the dataset.</exception>
    public ImageDataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Range [{start}, {start}+{count}) is outside [0, {Count}).");
        return new ImageDataset(
            Name, Images.AsSpan(start * ImageSize, count * ImageSize).ToArray(), Labels.AsSpan(start, count).ToArray(),
            Channels, Height, Width, ClassCount);
    }

    /// <summary>
    /// Builds a dataset from IDX images <c>[count, rows, cols]</c> and byte labels, mapping pixels through
    /// <paramref name="transform"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The counts differ or a label is outside <c>[0, classCount)</c>.</exception>
    public static ImageDataset FromIdx(string name, IdxData images, byte[] labels, int classCount, PixelTransform transform)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Dimensions.Length != 3)
            throw new InvalidDataException($"{images.Source}: expected 3 dimensions [count, rows, cols], got {images.Dimensions.Length}.");
        if (images.Count != labels.Length)
            throw new InvalidDataException($"{images.Source}: image count {images.Count} does not match label count {labels.Length}.");
        var ints = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
                throw new InvalidDataException($"{name}: label {labels[i]} at index {i} is outside [0, {classCount}).");
            ints[i] = labels[i];
        }
        var pixels = new float[images.Data.Length];
        transform.Apply(images.Data, pixels);
        return new ImageDataset(name, pixels, ints, 1, images.Dimensions[1], images.Dimensions[2], classCount);
    }
}
