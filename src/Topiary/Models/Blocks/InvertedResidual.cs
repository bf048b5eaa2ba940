// InvertedResidual: MobileNetV2's block (Sandler et al. 2018; torchvision InvertedResidual) from Topiary containers.
//   expand:    0: (0: conv 1×1 in→h (no bias), 1: BN, 2: ReLU6)          h = in·t; left out when t = 1
//   depthwise: (0: conv 3×3 stride s pad 1 groups h (no bias), 1: BN, 2: ReLU6)
//   project:   conv 1×1 h→out (no bias), BN — linear, no activation
//   [N, in, H, W] → [N, out, ⌊(H − 1)/s⌋ + 1, ⌊(W − 1)/s⌋ + 1];  y = x + path(x) when s = 1 and in = out, else path(x)
// Children are numbered as torchvision's "conv" Sequential (t ≠ 1: 0 expand, 1 depthwise, 2 project conv, 3 its BN;
// t = 1: 0 depthwise, 1 project conv, 2 its BN) and sit under "body" in both kinds of block — Residual(body) with the
// identity shortcut, or a Sequential with the single child "body" — so torchvision's "features.2.conv.1.0.weight"
// is our "features.2.body.1.0.weight" whether or not the block adds its input.
// Parameters: (t ≠ 1) in·h + 2h, then 9h + 2h + h·out + 2·out.
// Weights come from the PyTorch-default initialiser here; the model re-initialises them (KaimingInit).
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>The MobileNetV2 inverted residual block: 1×1 expansion, 3×3 depthwise, linear 1×1 projection.</summary>
public static class InvertedResidual
{
    /// <summary>
    /// Builds a block with expansion factor <paramref name="expansion"/> (hidden width in·t). The result is a
    /// <see cref="Residual"/> when <paramref name="stride"/> is 1 and the channel counts agree, else a Sequential.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the stride or the expansion is below 1.</exception>
    public static Module Create(int inChannels, int outChannels, int stride, int expansion, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(expansion, 1);
        ArgumentNullException.ThrowIfNull(rng);
        int hidden = inChannels * expansion;
        var body = new Sequential();
        int i = 0;
        string Next() => (i++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (expansion != 1) body.Add(Next(), ConvBnReLU6(inChannels, hidden, 1, 1, 1, rng));
        body.Add(Next(), ConvBnReLU6(hidden, hidden, 3, stride, hidden, rng));
        body.Add(Next(), new Conv2d(hidden, outChannels, 1, rng, bias: false));
        body.Add(Next(), new BatchNorm2d(outChannels));
        return stride == 1 && inChannels == outChannels ? new Residual(body) : new Sequential().Add("body", body);
    }

    /// <summary>
    /// Conv (no bias, padding (k − 1)/2) → BatchNorm → ReLU6 as a Sequential "0", "1", "2" (torchvision's
    /// Conv2dNormActivation); also MobileNetV2's stem and last 1×1 convolution.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel, the stride or the groups are invalid.</exception>
    public static Sequential ConvBnReLU6(int inChannels, int outChannels, int kernelSize, int stride, int groups, Random rng) =>
        new Sequential()
            .Add("0", new Conv2d(inChannels, outChannels, kernelSize, rng, stride: stride, padding: (kernelSize - 1) / 2, bias: false, groups: groups))
            .Add("1", new BatchNorm2d(outChannels))
            .Add("2", Hardtanh.ReLU6());
}
