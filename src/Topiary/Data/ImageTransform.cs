// ImageTransform: how an image's 8-bit pixels become a model's float input. Steps, in order: resize to Height x Width
// (when set; see ImageResize), convert to one grayscale channel (when Grayscale) or keep R, G, B (B, G, R when Bgr),
// then per channel c
//   value = (pixel * Scale - Mean[c]) / Std[c]
// computed in double precision and rounded once to float32, written in Layout order. The defaults (Scale 1/255,
// Mean 0, Std 1, RGB, NCHW, no resize) are torchvision's ToTensor(). Mean and Std hold one value (used for every
// channel) or one per channel, in the model's channel order. FromPixelTransform gives the same float32 values as
// PixelTransform.Table. Preset names the normalisations models are trained with: PixelTransform's one-value presets
// and the colour ones — torchvision's ImageNet mean/std, and Caffe's BGR 0..255 minus the ImageNet channel means.
namespace Topiary.Data;

/// <summary>Resize, channel and normalisation options turning an image into a float tensor.</summary>
public sealed record ImageTransform
{
    /// <summary>Largest height or width accepted for a resize.</summary>
    public const int MaxSide = 16384;

    /// <summary>Target height in pixels; null (with <see cref="Width"/> null) keeps the decoded size.</summary>
    public int? Height { get; init; }

    /// <summary>Target width in pixels; null (with <see cref="Height"/> null) keeps the decoded size.</summary>
    public int? Width { get; init; }

    /// <summary>How the image is brought to <see cref="Height"/> × <see cref="Width"/>; default <see cref="ImageResize.Stretch"/>.</summary>
    public ImageResize Resize { get; init; } = ImageResize.Stretch;

    /// <summary>One luminance channel (Pillow's <c>convert('L')</c>: (19595 R + 38470 G + 7471 B + 2^15) >> 16) instead of R, G, B.</summary>
    public bool Grayscale { get; init; }

    /// <summary>Multiplier of the raw pixel value (0..255); default 1/255.</summary>
    public double Scale { get; init; } = 1.0 / 255.0;

    /// <summary>Subtracted after scaling: one value for all channels, or one per channel; default 0.</summary>
    public IReadOnlyList<double> Mean { get; init; } = [0.0];

    /// <summary>Divisor after the mean is subtracted: one value for all channels, or one per channel; default 1.</summary>
    public IReadOnlyList<double> Std { get; init; } = [1.0];

    /// <summary>Axis order of the produced example; default <see cref="TensorLayout.Nchw"/>.</summary>
    public TensorLayout Layout { get; init; } = TensorLayout.Nchw;

    /// <summary>Colour channels in B, G, R order (Caffe's models) instead of R, G, B; ignored when <see cref="Grayscale"/>.</summary>
    public bool Bgr { get; init; }

    /// <summary>Channels of the produced example: 1 when <see cref="Grayscale"/>, else 3.</summary>
    public int Channels => Grayscale ? 1 : 3;

    /// <summary>torchvision's ImageNet normalisation (ResNet, MobileNet, SqueezeNet, … from torchvision and the ONNX zoo): x/255, mean 0.485, 0.456, 0.406, std 0.229, 0.224, 0.225.</summary>
    public static ImageTransform ImageNet { get; } = new() { Mean = [0.485, 0.456, 0.406], Std = [0.229, 0.224, 0.225] };

    /// <summary>Caffe's ImageNet models (BVLC AlexNet, CaffeNet, GoogLeNet, ZFNet): B, G, R values 0..255 minus the channel means 103.939, 116.779, 123.68.</summary>
    public static ImageTransform CaffeImageNet { get; } = new() { Bgr = true, Scale = 1.0, Mean = [103.939, 116.779, 123.68] };

    private static readonly Dictionary<string, ImageTransform> ColourPresets = new(StringComparer.Ordinal)
    {
        ["imagenet"] = ImageNet,
        ["caffe-imagenet"] = CaffeImageNet,
    };

    /// <summary>The names <see cref="Preset"/> accepts: <see cref="PixelTransform.Names"/> and the colour presets.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [.. PixelTransform.Names, .. ColourPresets.Keys];

    /// <summary>True when <paramref name="name"/> is a preset with one mean and std per colour channel (it needs 3 channels).</summary>
    public static bool IsColourPreset(string name) => ColourPresets.ContainsKey(name ?? throw new ArgumentNullException(nameof(name)));

    /// <summary>The normalisation (Scale, Mean, Std, channel order) a preset names; every other option at its default.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ImageTransform Preset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (ColourPresets.TryGetValue(name, out var colour)) return colour;
        if (!PixelTransform.Names.Contains(name))
            throw new ArgumentException($"Unknown input transform '{name}'. Known: {string.Join(", ", PresetNames)}.", nameof(name));
        return FromPixelTransform(PixelTransform.ByName(name));
    }

    /// <summary>The normalisation of a <see cref="PixelTransform"/> (<c>pixel * Scale + Offset</c>): Scale, Mean = -Offset, Std = 1.</summary>
    public static ImageTransform FromPixelTransform(PixelTransform transform) =>
        new() { Scale = transform.Scale, Mean = [-transform.Offset], Std = [1.0] };

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">
    /// Only one of Height/Width is set, a size is outside [1, <see cref="MaxSide"/>], Scale is not finite and positive,
    /// Mean or Std has neither 1 nor <see cref="Channels"/> values, a mean is not finite, or a std is not finite and positive.
    /// </exception>
    public void Validate()
    {
        if (Height.HasValue != Width.HasValue)
            throw new ArgumentException($"Image size needs both a height and a width; got height {Show(Height)}, width {Show(Width)}.");
        if (Height is int h && Width is int w && (h < 1 || w < 1 || h > MaxSide || w > MaxSide))
            throw new ArgumentException($"Image size {h}x{w} is outside 1..{MaxSide} per side.");
        if (!(Scale > 0) || !double.IsFinite(Scale))
            throw new ArgumentException($"Pixel scale must be finite and positive; got {Scale}.");
        CheckCount(Mean, "mean");
        CheckCount(Std, "std");
        if (Mean.Any(m => !double.IsFinite(m)))
            throw new ArgumentException($"Mean values must be finite; got {string.Join(", ", Mean)}.");
        if (Std.Any(s => !(s > 0) || !double.IsFinite(s)))
            throw new ArgumentException($"Std values must be finite and positive; got {string.Join(", ", Std)}.");
    }

    /// <summary>The 256 float32 values of pixels 0..255 on channel <paramref name="channel"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channel"/> is outside [0, <see cref="Channels"/>).</exception>
    public float[] Table(int channel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, Channels);
        return BuildTable(channel);
    }

    /// <summary>
    /// One 256-entry table per channel for data with <paramref name="channels"/> channels (e.g. a uint8 array), using the
    /// single Mean/Std value for every channel or one value per channel.
    /// </summary>
    /// <exception cref="ArgumentException">Mean or Std has several values, but not <paramref name="channels"/>.</exception>
    public float[][] Tables(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        foreach (var (values, name) in new[] { (Mean, "mean"), (Std, "std") })
            if (values.Count != 1 && values.Count != channels)
                throw new ArgumentException($"The {name} has {values.Count} values, but the data has {channels} channel(s); give 1 value or {channels}.");
        return Enumerable.Range(0, channels).Select(BuildTable).ToArray();
    }

    private float[] BuildTable(int channel)
    {
        double mean = Mean[Mean.Count == 1 ? 0 : channel], std = Std[Std.Count == 1 ? 0 : channel];
        var table = new float[256];
        for (int p = 0; p < 256; p++) table[p] = (float)((p * Scale - mean) / std);
        return table;
    }

    /// <summary>The shape of one example of <paramref name="height"/> × <paramref name="width"/> pixels: <c>[C, H, W]</c> or <c>[H, W, C]</c>.</summary>
    public int[] ExampleShape(int height, int width) =>
        Layout == TensorLayout.Nchw ? [Channels, height, width] : [height, width, Channels];

    private void CheckCount(IReadOnlyList<double> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count != 1 && values.Count != Channels)
            throw new ArgumentException(
                $"The {name} has {values.Count} values; give 1 (for every channel) or {Channels} (one per {(Grayscale ? "grayscale" : "R, G, B")} channel).");
    }

    private static string Show(int? v) => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
}
