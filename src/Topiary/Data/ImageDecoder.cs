// ImageDecoder: image files (PNG, JPEG, BMP, WebP, GIF — whatever SkiaSharp's codecs recognise by content) to float
// tensors through an ImageTransform. Decoding: the codec's pixels as 8-bit RGBA, unpremultiplied, without colour-space
// conversion or EXIF rotation (like Pillow's Image.open + convert('RGB')); alpha is dropped, not composited; the
// channels are written R, G, B, or B, G, R for a Bgr transform (Caffe's models). A GIF gives its first frame.
// Resizing (only when the size differs): SkiaSharp's bilinear filter with linear mipmaps (so strong down-scaling does
// not alias); CenterCrop first cuts the largest centred region with the target's aspect ratio.
// An image whose pixels equal the target size is used as is, so a 28x28 PNG gives exactly its pixels.
// Errors: an empty, unrecognised, truncated or corrupt file, or one declaring more than MaxPixels pixels (checked
// before the pixels are allocated), throws InvalidDataException naming the file.
using SkiaSharp;
using Topiary.Tensors;

namespace Topiary.Data;

/// <summary>Decodes image files into float tensors.</summary>
public static class ImageDecoder
{
    /// <summary>Largest image accepted, in pixels (2^26, e.g. 8192 × 8192).</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>File extensions treated as images when a folder is listed (compared ignoring case).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif"];

    /// <summary>True when <paramref name="path"/> has one of the <see cref="Extensions"/>.</summary>
    public static bool HasImageExtension(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>Decodes <paramref name="path"/> into one example shaped by <paramref name="transform"/> (<c>[C, H, W]</c> or <c>[H, W, C]</c>).</summary>
    /// <exception cref="ArgumentException">The transform is invalid (see <see cref="ImageTransform.Validate"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp can decode, is truncated or corrupt, or is too large.</exception>
    public static Tensor Decode(string path, ImageTransform transform)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(transform);
        transform.Validate();
        return Decode(File.ReadAllBytes(path), path, transform);
    }

    /// <summary>Decodes the image file content <paramref name="bytes"/> (see the other overload).</summary>
    /// <param name="bytes">The whole image file.</param>
    /// <param name="source">Name used in error messages.</param>
    /// <param name="transform">Resize, channels, normalisation and layout.</param>
    /// <exception cref="ArgumentException">The transform is invalid.</exception>
    /// <exception cref="InvalidDataException">The bytes are not an image SkiaSharp can decode, are truncated or corrupt, or the image is too large.</exception>
    public static Tensor Decode(byte[] bytes, string source, ImageTransform transform)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(transform);
        transform.Validate();
        using var decoded = DecodeRgba(bytes, source);
        if (transform.Height is int h && transform.Width is int w && (decoded.Width != w || decoded.Height != h))
        {
            using var sized = Resize(decoded, h, w, transform.Resize, source);
            return ToTensor(sized, transform);
        }
        return ToTensor(decoded, transform);
    }

    /// <summary>The decoded pixels of <paramref name="bytes"/> as an RGBA8888 unpremultiplied bitmap (the caller disposes it).</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image SkiaSharp can decode, are truncated or corrupt, or the image is too large.</exception>
    internal static SKBitmap DecodeRgba(byte[] bytes, string source)
    {
        if (bytes.Length == 0) throw new InvalidDataException($"{source}: the image file is empty.");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"{source}: not an image SkiaSharp can decode (PNG, JPEG, BMP, WebP, GIF): the header is not recognised.");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new InvalidDataException($"{source}: image size {info.Width}x{info.Height} is empty.");
        if ((long)info.Width * info.Height > MaxPixels)
            throw new InvalidDataException($"{source}: image size {info.Width}x{info.Height} is larger than the {MaxPixels} pixels the decoder accepts.");
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap();
        try
        {
            if (!bitmap.TryAllocPixels(target))
                throw new InvalidDataException($"{source}: could not allocate {info.Width}x{info.Height} pixels.");
            var result = codec.GetPixels(target, bitmap.GetPixels());
            if (result != SKCodecResult.Success)
                throw new InvalidDataException($"{source}: image data: {Describe(result)} ({info.Width}x{info.Height} {codec.EncodedFormat}).");
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the data ends early (truncated file)",
        SKCodecResult.ErrorInInput => "the data is corrupt",
        SKCodecResult.InvalidInput => "the data is invalid",
        SKCodecResult.InvalidConversion => "the pixels cannot be converted to RGBA",
        SKCodecResult.Unimplemented => "this variant of the format is not supported",
        _ => $"decoding failed ({result})",
    };

    private static SKBitmap Resize(SKBitmap source, int height, int width, ImageResize mode, string name)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        if (mode == ImageResize.Stretch)
            return source.Resize(info, sampling) ?? throw new InvalidDataException($"{name}: could not resize {source.Width}x{source.Height} to {width}x{height}.");
        // The largest centred region with the target's aspect ratio.
        double scale = Math.Max((double)width / source.Width, (double)height / source.Height);
        int cw = Math.Clamp((int)Math.Round(width / scale), 1, source.Width), ch = Math.Clamp((int)Math.Round(height / scale), 1, source.Height);
        using var crop = new SKBitmap();
        if (!source.ExtractSubset(crop, SKRectI.Create((source.Width - cw) / 2, (source.Height - ch) / 2, cw, ch)))
            throw new InvalidDataException($"{name}: could not crop {source.Width}x{source.Height} to {cw}x{ch}.");
        return crop.Resize(info, sampling) ?? throw new InvalidDataException($"{name}: could not resize {cw}x{ch} to {width}x{height}.");
    }

    private static Tensor ToTensor(SKBitmap bitmap, ImageTransform transform)
    {
        using var pixmap = bitmap.PeekPixels();
        ReadOnlySpan<byte> pixels = pixmap.GetPixelSpan();
        int height = pixmap.Height, width = pixmap.Width, rowBytes = pixmap.RowBytes, channels = transform.Channels, plane = height * width;
        var tables = Enumerable.Range(0, channels).Select(transform.Table).ToArray();
        var values = new float[channels * plane];
        bool nchw = transform.Layout == TensorLayout.Nchw;
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * rowBytes, 4 * width);
            for (int x = 0; x < width; x++)
            {
                int r = row[4 * x], g = row[4 * x + 1], b = row[4 * x + 2], at = y * width + x;
                if (transform.Bgr && !transform.Grayscale) (r, b) = (b, r);
                if (transform.Grayscale)
                {
                    values[at] = tables[0][(19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16];
                }
                else if (nchw)
                {
                    values[at] = tables[0][r];
                    values[plane + at] = tables[1][g];
                    values[2 * plane + at] = tables[2][b];
                }
                else
                {
                    values[3 * at] = tables[0][r];
                    values[3 * at + 1] = tables[1][g];
                    values[3 * at + 2] = tables[2][b];
                }
            }
        }
        return new Tensor(values, transform.ExampleShape(height, width));
    }
}
