// LayerShape: the geometry of one weight layer (convolution or fully connected) for one example — all a
// cost model needs. Notation follows Eyeriss / Yang et al.: C input channels, M filters, R×S kernel,
// stride U, zero padding P, G groups, H×W input, E×F output.
//   E = ⌊(H + 2P − R)/U⌋ + 1,  F = ⌊(W + 2P − S)/U⌋ + 1
//   weights = M·(C/G)·R·S        MACs per example = weights·E·F
// A fully-connected layer is a convolution with R = S = H = W = E = F = 1 and C = input features.
namespace Topiary.Models.Shapes;

/// <summary>Kind of a weight layer.</summary>
public enum LayerKind
{
    /// <summary>2-D convolution.</summary>
    Conv,

    /// <summary>Fully connected (a 1×1 convolution over a 1×1 input).</summary>
    FullyConnected,
}

/// <summary>Shape of one convolution or fully-connected layer (per example; no batch axis).</summary>
public sealed record LayerShape
{
    private LayerShape(string name, LayerKind kind, int c, int m, int r, int s, int stride, int padding, int groups,
        int h, int w, bool bias)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(c, 1, nameof(c));
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1, nameof(m));
        ArgumentOutOfRangeException.ThrowIfLessThan(r, 1, nameof(r));
        ArgumentOutOfRangeException.ThrowIfLessThan(s, 1, nameof(s));
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(padding, nameof(padding));
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1, nameof(groups));
        ArgumentOutOfRangeException.ThrowIfLessThan(h, 1, nameof(h));
        ArgumentOutOfRangeException.ThrowIfLessThan(w, 1, nameof(w));
        if (c % groups != 0 || m % groups != 0)
            throw new ArgumentException($"Layer '{name}': groups = {groups} must divide C = {c} and M = {m}.", nameof(groups));
        if (h + 2 * padding < r || w + 2 * padding < s)
            throw new ArgumentException(
                $"Layer '{name}': a {r}x{s} kernel does not fit a {h}x{w} input with padding {padding}.", nameof(r));
        Name = name;
        Kind = kind;
        C = c;
        M = m;
        R = r;
        S = s;
        Stride = stride;
        Padding = padding;
        Groups = groups;
        H = h;
        W = w;
        E = (h + 2 * padding - r) / stride + 1;
        F = (w + 2 * padding - s) / stride + 1;
        HasBias = bias;
    }

    /// <summary>Convolution <paramref name="c"/>→<paramref name="m"/> channels with an r×s kernel over an h×w input.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or the stride is below 1, or the padding is negative.</exception>
    /// <exception cref="ArgumentException">Empty name, groups not dividing C and M, or a kernel larger than the padded input.</exception>
    public static LayerShape ConvRectangular(string name, int c, int m, int r, int s, int h, int w, int stride = 1, int padding = 0,
        int groups = 1, bool bias = true) =>
        new(name, LayerKind.Conv, c, m, r, s, stride, padding, groups, h, w, bias);

    /// <summary>Square-kernel convolution over a square input (h = w, r = s).</summary>
    /// <exception cref="ArgumentException">As <see cref="ConvRectangular"/>.</exception>
    public static LayerShape Conv(string name, int c, int m, int kernel, int size, int stride = 1, int padding = 0,
        int groups = 1, bool bias = true) =>
        new(name, LayerKind.Conv, c, m, kernel, kernel, stride, padding, groups, size, size, bias);

    /// <summary>Fully-connected layer <paramref name="inFeatures"/>→<paramref name="outFeatures"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A feature count below 1.</exception>
    public static LayerShape FullyConnected(string name, int inFeatures, int outFeatures, bool bias = true) =>
        new(name, LayerKind.FullyConnected, inFeatures, outFeatures, 1, 1, 1, 0, 1, 1, 1, bias);

    /// <summary>Layer name (e.g. <c>conv1</c>, <c>inception_3a/5x5</c>).</summary>
    public string Name { get; }

    /// <summary>Convolution or fully connected.</summary>
    public LayerKind Kind { get; }

    /// <summary>Input channels C (input features for FC).</summary>
    public int C { get; }

    /// <summary>Output channels / filters M (output features for FC).</summary>
    public int M { get; }

    /// <summary>Kernel height R.</summary>
    public int R { get; }

    /// <summary>Kernel width S.</summary>
    public int S { get; }

    /// <summary>Stride U (both axes).</summary>
    public int Stride { get; }

    /// <summary>Zero padding P on every side.</summary>
    public int Padding { get; }

    /// <summary>Groups G (each filter sees C/G input channels).</summary>
    public int Groups { get; }

    /// <summary>Input height H.</summary>
    public int H { get; }

    /// <summary>Input width W.</summary>
    public int W { get; }

    /// <summary>Output height E = ⌊(H + 2P − R)/U⌋ + 1.</summary>
    public int E { get; }

    /// <summary>Output width F = ⌊(W + 2P − S)/U⌋ + 1.</summary>
    public int F { get; }

    /// <summary>Whether the layer has a bias (M values; counted in <see cref="Parameters"/>, not in <see cref="Weights"/>).</summary>
    public bool HasBias { get; }

    /// <summary>Weights M·(C/G)·R·S (without bias).</summary>
    public long Weights => (long)M * (C / Groups) * R * S;

    /// <summary>Weights plus biases.</summary>
    public long Parameters => Weights + (HasBias ? M : 0);

    /// <summary>Multiply-accumulates per example: M·(C/G)·R·S·E·F.</summary>
    public long Macs => Weights * E * F;

    /// <summary>Input activations per example C·H·W (padding not counted).</summary>
    public long Inputs => (long)C * H * W;

    /// <summary>Output activations per example M·E·F.</summary>
    public long Outputs => (long)M * E * F;

    /// <summary>One line, e.g. <c>conv2: conv 96→256 5x5/1 p2 g2, 27x27 → 27x27</c>.</summary>
    public override string ToString() => Kind == LayerKind.FullyConnected
        ? $"{Name}: fc {C}→{M}"
        : $"{Name}: conv {C}→{M} {R}x{S}/{Stride} p{Padding}{(Groups > 1 ? $" g{Groups}" : "")}, {H}x{W} → {E}x{F}";
}
