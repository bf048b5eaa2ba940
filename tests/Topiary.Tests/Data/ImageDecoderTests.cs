// ImageDecoder: PNG, lossless WebP and BMP decode to exactly their pixels through the transform (channel order NCHW or
// NHWC, Pillow's grayscale formula, per-channel mean/std, the PixelTransform presets bit for bit, the colour presets:
// torchvision's ImageNet mean/std and Caffe's B, G, R minus the channel means); JPEG decodes to within
// its compression error; resizing keeps flat colours, averages fine detail instead of aliasing it, and center-crop keeps
// only the centred region; corrupt, truncated, empty and absurdly large images are InvalidDataException naming the file.
using System.Buffers.Binary;
using System.IO.Hashing;
using SkiaSharp;
using Topiary.Data;
using Topiary.Tests.IO;

namespace Topiary.Tests.Data;

public sealed class ImageDecoderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Save(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static (byte R, byte G, byte B) Color(int y, int x) => ((byte)(10 * y + x), (byte)(100 + 7 * x), (byte)(255 - 30 * y));

    [Fact]
    public void Grayscale_png_gives_exactly_the_pixel_transform_of_its_pixels()
    {
        var pixels = Enumerable.Range(0, 28 * 28).Select(i => (byte)(i * 37 % 256)).ToArray();
        using var bitmap = ImageTestFiles.Gray(pixels, 28, 28);
        string path = Save("digit.png", ImageTestFiles.Png(bitmap));
        foreach (var preset in new[] { PixelTransform.Caffe, PixelTransform.UnitInterval, PixelTransform.MnistNormalize })
        {
            var t = ImageDecoder.Decode(path, ImageTransform.FromPixelTransform(preset) with { Grayscale = true });
            Assert.Equal([1, 28, 28], t.Shape.ToArray());
            var table = preset.Table();
            Assert.Equal(pixels.Select(p => table[p]), t.Data);
        }
    }

    [Fact]
    public void Rgb_png_is_laid_out_nchw_or_nhwc_and_grayscale_follows_pillow()
    {
        using var bitmap = ImageTestFiles.Rgb(Color, 2, 3);
        string path = Save("rgb.png", ImageTestFiles.Png(bitmap));
        var unit = new ImageTransform();
        var nchw = ImageDecoder.Decode(path, unit);
        var nhwc = ImageDecoder.Decode(path, unit with { Layout = TensorLayout.Nhwc });
        var gray = ImageDecoder.Decode(path, unit with { Grayscale = true });
        Assert.Equal([3, 2, 3], nchw.Shape.ToArray());
        Assert.Equal([2, 3, 3], nhwc.Shape.ToArray());
        Assert.Equal([1, 2, 3], gray.Shape.ToArray());
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                var (r, g, b) = Color(y, x);
                int[] rgb = [r, g, b];
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal((float)(rgb[c] / 255.0), nchw.Data[c * 6 + y * 3 + x]);
                    Assert.Equal(nchw.Data[c * 6 + y * 3 + x], nhwc.Data[(y * 3 + x) * 3 + c]);
                }
                int luma = (19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16;
                Assert.Equal((float)(luma / 255.0), gray.Data[y * 3 + x]);
            }
    }

    [Fact]
    public void Per_channel_mean_and_std_follow_the_torchvision_formula()
    {
        using var bitmap = ImageTestFiles.Rgb(Color, 2, 3);
        string path = Save("rgb.png", ImageTestFiles.Png(bitmap));
        double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
        var t = ImageDecoder.Decode(path, new ImageTransform { Mean = mean, Std = std });
        var (r, g, b) = Color(1, 2);
        int[] pixel = [r, g, b];
        for (int c = 0; c < 3; c++) Assert.Equal((float)((pixel[c] / 255.0 - mean[c]) / std[c]), t.Data[c * 6 + 5]);
    }

    [Fact]
    public void Colour_presets_give_torchvisions_imagenet_values_and_caffes_bgr_minus_the_channel_means()
    {
        using var bitmap = ImageTestFiles.Rgb(Color, 2, 3);
        string path = Save("rgb.png", ImageTestFiles.Png(bitmap));
        var (r, g, b) = Color(1, 2);
        var torch = ImageDecoder.Decode(path, ImageTransform.Preset("imagenet"));
        double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
        int[] rgb = [r, g, b];
        for (int c = 0; c < 3; c++) Assert.Equal((float)((rgb[c] / 255.0 - mean[c]) / std[c]), torch.Data[c * 6 + 5]);

        var caffe = ImageDecoder.Decode(path, ImageTransform.Preset("caffe-imagenet"));
        Assert.Equal((float)(b - 103.939), caffe.Data[5]);
        Assert.Equal((float)(g - 116.779), caffe.Data[6 + 5]);
        Assert.Equal((float)(r - 123.68), caffe.Data[12 + 5]);
        var nhwc = ImageDecoder.Decode(path, ImageTransform.Preset("caffe-imagenet") with { Layout = TensorLayout.Nhwc });
        for (int c = 0; c < 3; c++) Assert.Equal(caffe.Data[c * 6 + 5], nhwc.Data[5 * 3 + c]);
        // Grayscale ignores the channel order: the luminance of R, G, B, not of B, G, R.
        var gray = ImageDecoder.Decode(path, ImageTransform.Preset("caffe-imagenet") with { Grayscale = true, Mean = [0.0] });
        Assert.Equal((float)((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16), gray.Data[5]);
    }

    [Fact]
    public void Every_preset_name_resolves_and_an_unknown_one_is_refused_with_the_list()
    {
        foreach (string name in PixelTransform.Names)
            Assert.Equal(PixelTransform.ByName(name).Table(), ImageTransform.Preset(name).Table(0));
        Assert.Equal([.. PixelTransform.Names, "imagenet", "caffe-imagenet"], ImageTransform.PresetNames);
        Assert.True(ImageTransform.IsColourPreset("imagenet"));
        Assert.False(ImageTransform.IsColourPreset("inception"));
        Assert.Equal(-1f, PixelTransform.Inception.Table()[0]);
        Assert.Equal(1f, PixelTransform.Inception.Table()[255]);
        var e = Assert.Throws<ArgumentException>(() => ImageTransform.Preset("imagenett"));
        Assert.Contains("'imagenett'", e.Message);
        Assert.Contains("caffe-imagenet", e.Message);
    }

    [Fact]
    public void Lossless_webp_and_hand_built_bmp_decode_exactly_and_jpeg_closely()
    {
        using var bitmap = ImageTestFiles.Rgb(Color, 5, 7);
        var expected = ImageDecoder.Decode(Save("ref.png", ImageTestFiles.Png(bitmap)), new ImageTransform());
        Assert.Equal(expected.Data, ImageDecoder.Decode(Save("a.webp", ImageTestFiles.WebpLossless(bitmap)), new ImageTransform()).Data);
        Assert.Equal(expected.Data, ImageDecoder.Decode(Save("a.bmp", ImageTestFiles.Bmp(Color, 5, 7)), new ImageTransform()).Data);

        using var flat = ImageTestFiles.Rgb((_, _) => (200, 40, 90), 16, 16);
        var jpeg = ImageDecoder.Decode(Save("a.jpg", ImageTestFiles.Jpeg(flat)), new ImageTransform { Scale = 1 });
        for (int c = 0; c < 3; c++)
            Assert.All(jpeg.Data.Skip(c * 256).Take(256), v => Assert.InRange(v, new[] { 200, 40, 90 }[c] - 4, new[] { 200, 40, 90 }[c] + 4));
    }

    [Fact]
    public void Resizing_keeps_flat_colour_and_averages_fine_detail()
    {
        using var flat = ImageTestFiles.Rgb((_, _) => (30, 160, 250), 40, 50);
        var small = ImageDecoder.Decode(Save("flat.png", ImageTestFiles.Png(flat)), new ImageTransform { Scale = 1, Height = 8, Width = 10 });
        Assert.Equal([3, 8, 10], small.Shape.ToArray());
        for (int c = 0; c < 3; c++) Assert.All(small.Data.Skip(c * 80).Take(80), v => Assert.Equal(new[] { 30, 160, 250 }[c], v, 1.0));

        // A one-pixel checkerboard shrunk 8x: bilinear with mipmaps gives mid-grey, not a sample of black or white pixels.
        using var checker = ImageTestFiles.Gray(Enumerable.Range(0, 64 * 64).Select(i => (byte)((i / 64 + i % 64) % 2 * 255)).ToArray(), 64, 64);
        var grey = ImageDecoder.Decode(Save("checker.png", ImageTestFiles.Png(checker)), new ImageTransform { Grayscale = true, Height = 8, Width = 8 });
        Assert.All(grey.Data, v => Assert.InRange(v, 0.3f, 0.7f));
    }

    [Fact]
    public void Center_crop_keeps_the_centred_region_and_stretch_keeps_everything()
    {
        // 60 wide, 20 high: black | white 20x20 square | black.
        using var bitmap = ImageTestFiles.Rgb((_, x) => x is >= 20 and < 40 ? ((byte)255, (byte)255, (byte)255) : ((byte)0, (byte)0, (byte)0), 20, 60);
        string path = Save("bars.png", ImageTestFiles.Png(bitmap));
        var crop = ImageDecoder.Decode(path, new ImageTransform { Grayscale = true, Height = 10, Width = 10, Resize = ImageResize.CenterCrop });
        Assert.All(crop.Data, v => Assert.True(v > 0.95f, $"{v}"));
        var stretch = ImageDecoder.Decode(path, new ImageTransform { Grayscale = true, Height = 10, Width = 10 });
        Assert.True(stretch.Data[0] < 0.05f && stretch.Data[5] > 0.95f, string.Join(", ", stretch.Data.Take(10)));
    }

    [Fact]
    public void Corrupt_truncated_and_empty_files_are_InvalidDataException_naming_the_file()
    {
        using var bitmap = ImageTestFiles.Rgb(Color, 30, 30);
        byte[] png = ImageTestFiles.Png(bitmap), jpeg = ImageTestFiles.Jpeg(bitmap);
        var random = new byte[500];
        new Random(3).NextBytes(random);
        foreach (var (name, bytes) in new[] { ("random.png", random), ("empty.png", []), ("cut.png", png[..(png.Length / 2)]), ("cut.jpg", jpeg[..(jpeg.Length / 2)]), ("header-only.png", png[..40]) })
        {
            string path = Save(name, bytes);
            var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(path, new ImageTransform()));
            Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_image_declaring_a_huge_size_is_refused_before_its_pixels_are_allocated()
    {
        using var bitmap = ImageTestFiles.Rgb(Color, 4, 4);
        byte[] png = ImageTestFiles.Png(bitmap);
        // IHDR is the first chunk: length (4) "IHDR" (4) width (4) height (4) ... CRC over type + data.
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32.HashToUInt32(png.AsSpan(12, 17)));
        string path = Save("huge.png", png);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(path, new ImageTransform()));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("100000x100000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_transforms_are_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new ImageTransform { Mean = [0.1, 0.2] }.Validate());
        Assert.Throws<ArgumentException>(() => new ImageTransform { Grayscale = true, Std = [1, 1, 1] }.Validate());
        Assert.Throws<ArgumentException>(() => new ImageTransform { Std = [0] }.Validate());
        Assert.Throws<ArgumentException>(() => new ImageTransform { Height = 5 }.Validate());
        Assert.Throws<ArgumentException>(() => new ImageTransform { Height = 0, Width = 3 }.Validate());
        Assert.Throws<ArgumentException>(() => new ImageTransform { Scale = double.NaN }.Validate());
    }
}
