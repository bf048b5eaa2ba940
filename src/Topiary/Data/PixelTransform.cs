// PixelTransform: how 8-bit pixels become float32 inputs: value = pixel * Scale + Offset.
// Presets: Caffe's LeNet recipe (scale 0.00390625 = 1/256, the default), the unit interval (x/255),
// PyTorch's per-dataset standardisation (x/255 - mean)/std, and Inception's [-1, 1]; the per-channel (colour) presets
// are ImageTransform's. The per-pixel values come from a 256-entry table computed in double precision and rounded once
// to float32.
namespace Topiary.Data;

/// <summary>An affine map from an 8-bit pixel to a float32 input: <c>value = pixel * Scale + Offset</c>.</summary>
/// <param name="Scale">Multiplier of the raw pixel value (0..255).</param>
/// <param name="Offset">Added after scaling.</param>
public readonly record struct PixelTransform(double Scale, double Offset)
{
    /// <summary>Caffe's LeNet recipe: <c>pixel * 0.00390625</c> (= pixel/256), values in [0, 1).</summary>
    public static PixelTransform Caffe { get; } = new(1.0 / 256.0, 0.0);

    /// <summary><c>pixel / 255</c>, values in [0, 1] (torchvision's <c>ToTensor</c>).</summary>
    public static PixelTransform UnitInterval { get; } = new(1.0 / 255.0, 0.0);

    /// <summary>PyTorch's MNIST normalisation: <c>(pixel/255 - 0.1307) / 0.3081</c>.</summary>
    public static PixelTransform MnistNormalize { get; } = Normalize(0.1307, 0.3081);

    /// <summary>The common Fashion-MNIST normalisation: <c>(pixel/255 - 0.2860) / 0.3530</c>.</summary>
    public static PixelTransform FashionMnistNormalize { get; } = Normalize(0.2860, 0.3530);

    /// <summary>TF-slim's Inception preprocessing (also Keras' <c>tf</c> mode: Inception, MobileNet): <c>(pixel/255 - 0.5) / 0.5</c>, values in [-1, 1].</summary>
    public static PixelTransform Inception { get; } = Normalize(0.5, 0.5);

    /// <summary>Names accepted by <see cref="ByName"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["caffe", "unit", "mnist-normalize", "fashion-mnist-normalize", "inception"];

    /// <summary>A preset by name: caffe (x/256), unit (x/255), mnist-normalize, fashion-mnist-normalize, inception ([-1, 1]).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static PixelTransform ByName(string name) => name switch
    {
        "caffe" => Caffe,
        "unit" => UnitInterval,
        "mnist-normalize" => MnistNormalize,
        "fashion-mnist-normalize" => FashionMnistNormalize,
        "inception" => Inception,
        _ => throw new ArgumentException($"Unknown input transform '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Standardisation in the torchvision convention: <c>(pixel/255 - mean) / std</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="std"/> is not positive and finite.</exception>
    public static PixelTransform Normalize(double mean, double std)
    {
        if (!(std > 0) || !double.IsFinite(std) || !double.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(std), $"Normalisation needs a finite mean and a positive std; got mean {mean}, std {std}.");
        return new PixelTransform(1.0 / (255.0 * std), -mean / std);
    }

    /// <summary>The 256 float32 values for pixels 0..255.</summary>
    public float[] Table()
    {
        var table = new float[256];
        for (int p = 0; p < 256; p++) table[p] = (float)(p * Scale + Offset);
        return table;
    }

    /// <summary>Applies the transform to every pixel: <c>destination[i] = table[pixels[i]]</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public void Apply(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (pixels.Length != destination.Length)
            throw new ArgumentException($"Destination length {destination.Length} does not match {pixels.Length} pixels.", nameof(destination));
        float[] table = Table();
        for (int i = 0; i < pixels.Length; i++) destination[i] = table[pixels[i]];
    }
}
