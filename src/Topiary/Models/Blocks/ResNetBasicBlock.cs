// ResNetBasicBlock: the two-convolution residual block of He et al. 2016 (CIFAR ResNets; torchvision BasicBlock),
// built from Topiary containers so that export, op counting and structural pruning see ordinary layers.
//   body:      conv1 3×3 stride s pad 1 (no bias) → bn1 → relu1 → conv2 3×3 pad 1 (no bias) → bn2
//   shortcut:  identity when s = 1 and in = out; otherwise the projection (option B) 0: conv 1×1 stride s (no bias) → 1: bn
//   block:     y = ReLU(body(x) + shortcut(x)),  [N, in, H, W] → [N, out, ⌊(H − 1)/s⌋ + 1, ⌊(W − 1)/s⌋ + 1]
// A stage of n blocks is a Sequential "0", "relu0", "1", "relu1", ...: block i is Residual(body, shortcut) named "i"
// (parameters "i.body.conv1.weight", "i.shortcut.0.weight") and its post-addition ReLU is "relu<i>". Torchvision's
// "layer2.0.conv1" is therefore our "layer2.0.body.conv1", its "layer2.0.downsample.0" our "layer2.0.shortcut.0".
// Weights come from the PyTorch-default initialiser here; the model re-initialises them (KaimingInit).
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>The ResNet basic block (two 3×3 convolutions with BatchNorm and a shortcut).</summary>
public static class ResNetBasicBlock
{
    /// <summary>
    /// The residual part of one block: Residual(body, shortcut), without the ReLU after the addition. The shortcut is
    /// the identity when <paramref name="stride"/> is 1 and the channel counts agree, else a 1×1 convolution + BatchNorm.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count or the stride is below 1.</exception>
    public static Residual Create(int inChannels, int outChannels, int stride, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentNullException.ThrowIfNull(rng);
        var body = new Sequential()
            .Add("conv1", new Conv2d(inChannels, outChannels, 3, rng, stride: stride, padding: 1, bias: false))
            .Add("bn1", new BatchNorm2d(outChannels))
            .Add("relu1", new ReLU())
            .Add("conv2", new Conv2d(outChannels, outChannels, 3, rng, padding: 1, bias: false))
            .Add("bn2", new BatchNorm2d(outChannels));
        Sequential? shortcut = stride == 1 && inChannels == outChannels ? null : new Sequential()
            .Add("0", new Conv2d(inChannels, outChannels, 1, rng, stride: stride, bias: false))
            .Add("1", new BatchNorm2d(outChannels));
        return new Residual(body, shortcut);
    }

    /// <summary>
    /// A stage of <paramref name="blocks"/> blocks: the first maps <paramref name="inChannels"/> to
    /// <paramref name="outChannels"/> with <paramref name="stride"/>, the others keep the size. Children "0", "relu0", "1", ....
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the stride or the block count is below 1.</exception>
    public static Sequential Stage(int inChannels, int outChannels, int blocks, int stride, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        var stage = new Sequential();
        for (int i = 0; i < blocks; i++)
        {
            string name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            stage.Add(name, Create(i == 0 ? inChannels : outChannels, outChannels, i == 0 ? stride : 1, rng));
            stage.Add("relu" + name, new ReLU());
        }
        return stage;
    }
}
