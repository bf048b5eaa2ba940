// Builders for small image files used by the image and predict tests: bitmaps from pixel arrays, encoded as PNG, JPEG or
// lossless WebP by SkiaSharp, and 24-bit BMP files built by hand (SkiaSharp has no BMP encoder).
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace Topiary.Tests.Data;

internal static class ImageTestFiles
{
    /// <summary>A grayscale bitmap of <paramref name="height"/> × <paramref name="width"/> pixels (row-major).</summary>
    public static SKBitmap Gray(byte[] pixels, int height, int width)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++) Marshal.Copy(pixels, y * width, bitmap.GetPixels() + y * bitmap.RowBytes, width);
        return bitmap;
    }

    /// <summary>An RGBA bitmap (opaque) from (r, g, b) per pixel, row-major.</summary>
    public static SKBitmap Rgb(Func<int, int, (byte R, byte G, byte B)> color, int height, int width)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = color(y, x);
                bitmap.SetPixel(x, y, new SKColor(r, g, b));
            }
        return bitmap;
    }

    public static byte[] Png(SKBitmap bitmap) => Encode(bitmap, SKEncodedImageFormat.Png, 100);

    public static byte[] Jpeg(SKBitmap bitmap, int quality = 95) => Encode(bitmap, SKEncodedImageFormat.Jpeg, quality);

    public static byte[] WebpLossless(SKBitmap bitmap)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap!.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100));
        return data!.ToArray();
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality)
    {
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>A 24-bit uncompressed BMP (BITMAPINFOHEADER, rows bottom-up, BGR, padded to 4 bytes).</summary>
    public static byte[] Bmp(Func<int, int, (byte R, byte G, byte B)> color, int height, int width)
    {
        int rowBytes = (3 * width + 3) / 4 * 4, size = 54 + rowBytes * height;
        var file = new byte[size];
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(34), rowBytes * height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = color(y, x);
                int at = 54 + (height - 1 - y) * rowBytes + 3 * x;
                (file[at], file[at + 1], file[at + 2]) = (b, g, r);
            }
        return file;
    }
}
