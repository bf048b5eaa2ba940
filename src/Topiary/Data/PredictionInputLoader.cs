// PredictionInputLoader: reads the examples a model is to be run on from a .npy array, an IDX image file, one image, or
// a folder of images, and fits them to the model's expected example shape (ModelInputShape: -1 = unknown dimension).
//   .npy: float32/float64/int64 values are used as they are (already model inputs); uint8 values are pixels and go
//     through the transform's Scale/Mean/Std (channel axis per its Layout for 3-D examples). Batch axis: with an expected
//     shape E of rank r, an array of rank r matching E is one example, an array [N, ...E] is a batch; when E is fully
//     known, an array [N, ...] whose trailing axes hold as many values as E is a batch reshaped to E (e.g. [N, 784] for
//     [1, 28, 28]), and any array holding exactly E's values is one example. With nothing known, the first axis is the
//     batch. Anything else: InvalidDataException naming the file and "header 'shape'".
//   IDX images [N, H, W]: one grayscale channel through the transform; not resized.
//   Images: decoded with ImageDecoder; a folder's image files (ImageDecoder.Extensions) in ordinal name order, all of
//     the same decoded size.
// Image and IDX examples are [C, H, W] (or [H, W, C]); when E is fully known and holds as many values they are reshaped
// to E (e.g. [1, 28, 28] → [784] for an MLP), else they must match it. Nothing is written.
using Topiary.IO;
using Topiary.Models;
using Topiary.Tensors;

namespace Topiary.Data;

/// <summary>Loads prediction inputs.</summary>
public static class PredictionInputLoader
{
    /// <summary>What <paramref name="path"/> holds: a folder, an NPY or IDX file (by its first bytes or extension), else an image.</summary>
    /// <exception cref="FileNotFoundException">Neither a file nor a folder exists at <paramref name="path"/>.</exception>
    public static PredictionInputKind Detect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) return PredictionInputKind.ImageFolder;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder.", path);
        Span<byte> head = stackalloc byte[6];
        int n;
        using (var stream = File.OpenRead(path)) n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (NpyReader.IsNpy(head) || Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase)) return PredictionInputKind.Npy;
        if ((n >= 3 && head[0] == 0 && head[1] == 0 && head[2] == 0x08) || IdxReader.IsGzip(head)) return PredictionInputKind.Idx;
        return PredictionInputKind.Image;
    }

    /// <summary>Loads the examples at <paramref name="path"/> (see the file comment for each kind).</summary>
    /// <param name="path">A .npy file, an IDX image file, an image, or a folder of images.</param>
    /// <param name="expected">The model's per-example shape (-1 for unknown dimensions), or null when unknown.</param>
    /// <param name="transform">Pixel handling for images, IDX images and uint8 arrays.</param>
    /// <exception cref="ArgumentException">The transform is invalid, or asks to resize IDX images.</exception>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, a folder holds no images, or the examples do not fit <paramref name="expected"/> (the message names the file).</exception>
    public static PredictionInputs Load(string path, IReadOnlyList<int>? expected, ImageTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        var kind = Detect(path);
        return kind switch
        {
            PredictionInputKind.Npy => LoadNpy(path, expected, transform),
            PredictionInputKind.Idx => LoadIdx(path, expected, transform),
            PredictionInputKind.Image => LoadImages(kind, [path], expected, transform, path),
            _ => LoadImages(kind, ListImages(path), expected, transform, path),
        };
    }

    /// <summary>The image files of <paramref name="folder"/> (by extension), sorted by name (ordinal).</summary>
    /// <exception cref="InvalidDataException">The folder holds no image files.</exception>
    public static string[] ListImages(string folder)
    {
        var files = Directory.EnumerateFiles(folder).Where(ImageDecoder.HasImageExtension)
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new InvalidDataException($"{folder}: the folder holds no image files ({string.Join(", ", ImageDecoder.Extensions)}).");
        return files;
    }

    private static PredictionInputs LoadNpy(string path, IReadOnlyList<int>? expected, ImageTransform transform)
    {
        var array = NpyReader.Read(path);
        var (n, example) = FitArray(array.Shape.ToArray(), expected, path);
        float[] values = array.Values;
        if (array.Dtype == NpyDtype.UInt8)
        {
            transform.Validate();
            values = Pixels(values, example, transform, path);
        }
        return new PredictionInputs(PredictionInputKind.Npy, Indexed(path, n), new Tensor(values, [n, .. example]));
    }

    private static PredictionInputs LoadIdx(string path, IReadOnlyList<int>? expected, ImageTransform transform)
    {
        var gray = transform with { Grayscale = true };
        gray.Validate();
        var idx = IdxReader.ReadImages(path);
        int n = idx.Count, h = idx.Dimensions[1], w = idx.Dimensions[2];
        if (gray.Height is int th && gray.Width is int tw && (th != h || tw != w))
            throw new ArgumentException($"{path}: the IDX images are {h}x{w}, not the requested {th}x{tw}; IDX images are not resized.");
        if (n == 0 || h == 0 || w == 0)
            throw new InvalidDataException($"{path}: the IDX file holds no pixels (dimensions [{n}, {h}, {w}]).");
        var table = gray.Table(0);
        var values = new float[idx.Data.Length];
        for (int i = 0; i < values.Length; i++) values[i] = table[idx.Data[i]];
        int[] example = FitExample(gray.ExampleShape(h, w), expected, path, "IDX images");
        return new PredictionInputs(PredictionInputKind.Idx, Indexed(path, n), new Tensor(values, [n, .. example]));
    }

    private static PredictionInputs LoadImages(PredictionInputKind kind, string[] files, IReadOnlyList<int>? expected, ImageTransform transform, string path)
    {
        transform.Validate();
        float[]? all = null;
        int[]? shape = null;
        int size = 0;
        for (int i = 0; i < files.Length; i++)
        {
            var image = ImageDecoder.Decode(files[i], transform);
            if (shape is null)
            {
                shape = image.Shape.ToArray();
                size = image.Length;
                all = new float[checked((long)size * files.Length)];
            }
            else if (!image.Shape.SequenceEqual(shape))
            {
                throw new InvalidDataException(
                    $"{files[i]}: decoded to {Tensor.ShapeString(image.Shape)}, but {files[0]} decoded to {Tensor.ShapeString(shape)}; set a common size to resize them all.");
            }
            image.Data.CopyTo(all!, (long)i * size);
        }
        int[] example = FitExample(shape!, expected, files.Length == 1 ? files[0] : path, "the image");
        var sources = files.Select(f => new ExampleSource(f, null)).ToArray();
        return new PredictionInputs(kind, sources, new Tensor(all!, [files.Length, .. example]));
    }

    // One example's shape fitted to the model's: as is when it matches, reshaped when the model's shape is complete and
    // holds as many values.
    private static int[] FitExample(int[] shape, IReadOnlyList<int>? expected, string source, string what)
    {
        if (expected is null || ModelInputShape.Matches(shape, expected)) return shape;
        if (ModelInputShape.IsComplete(expected) && Count(expected) == Count(shape)) return expected.ToArray();
        throw new InvalidDataException(
            $"{source}: {what} gives examples of {ModelInputShape.Show(shape)}, but the model expects {ModelInputShape.Show(expected)} (check the size, channels and layout).");
    }

    // (batch size, example shape) of an array of shape `shape` (see the file comment).
    private static (int N, int[] Example) FitArray(int[] shape, IReadOnlyList<int>? expected, string source)
    {
        string shown = "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
        if (expected is null)
        {
            if (shape.Length == 0)
                throw new InvalidDataException($"{source}: header 'shape': {shown} is a scalar; the model's input shape is unknown, so the first axis must be the batch.");
            return Checked(shape[0], shape[1..]);
        }
        if (ModelInputShape.Matches(shape, expected)) return Checked(1, shape);
        if (shape.Length == expected.Count + 1 && ModelInputShape.Matches(shape.AsSpan(1), expected)) return Checked(shape[0], shape[1..]);
        if (ModelInputShape.IsComplete(expected))
        {
            long k = Count(expected);
            if (shape.Length >= 2 && Count(shape[1..]) == k) return Checked(shape[0], expected.ToArray());
            if (Count(shape) == k) return Checked(1, expected.ToArray());
        }
        throw new InvalidDataException(
            $"{source}: header 'shape': {shown} does not fit the model's input {ModelInputShape.Show(expected)}: give one example {ModelInputShape.Show(expected)} or a batch [N, {string.Join(", ", expected.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}].");

        (int, int[]) Checked(int n, int[] example)
        {
            if (n == 0 || Count(example) == 0)
                throw new InvalidDataException($"{source}: header 'shape': {shown} holds no examples.");
            return (n, example);
        }
    }

    // uint8 pixels through the transform; the channel of each value follows the layout for 3-D examples.
    private static float[] Pixels(float[] pixels, int[] example, ImageTransform transform, string source)
    {
        int channels = example.Length == 3 ? (transform.Layout == TensorLayout.Nchw ? example[0] : example[2]) : 1;
        float[][] tables;
        try
        {
            tables = transform.Tables(channels);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{source}: {e.Message}", e);
        }
        int plane = example.Length == 3 ? (transform.Layout == TensorLayout.Nchw ? example[1] * example[2] : 1) : 1;
        var values = new float[pixels.Length];
        for (int i = 0; i < values.Length; i++) values[i] = tables[i / plane % channels][(int)pixels[i]];
        return values;
    }

    private static ExampleSource[] Indexed(string path, int n) => Enumerable.Range(0, n).Select(i => new ExampleSource(path, i)).ToArray();

    private static long Count(IEnumerable<int> shape) => shape.Aggregate(1L, (a, d) => a * d);
}
