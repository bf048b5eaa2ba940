// FireModule: SqueezeNet's building block (Iandola et al. 2016; torchvision Fire) with BatchNorm after every
// convolution, built from Topiary containers.
//   squeeze 1×1 in→s → BN → ReLU → expand: Concat( expand1x1 1×1 s→e1 → BN → ReLU,  expand3x3 3×3 pad 1 s→e3 → BN → ReLU )
//   [N, in, H, W] → [N, e1 + e3, H, W]   (channels 0..e1−1 from the 1×1 branch, then the 3×3 branch)
// The paper's Fire has no BatchNorm. Without it, the 14-convolution 28×28 SqueezeNet stayed at 72% test error
// after 200 SGD steps (lr 0.04; a deep plain ReLU stack starts as slowly as VGG without BN), so each convolution
// is followed by BN as in the CIFAR SqueezeNets (e.g. weiaicunzai/pytorch-cifar100); the convolutions then have no bias.
// Children: "squeeze", "squeeze_bn", "squeeze_activation", "expand" (a Concat whose branches "0" and "1" hold
// "expand1x1", "expand1x1_bn", "expand1x1_activation" and "expand3x3", "expand3x3_bn", "expand3x3_activation"), so
// torchvision's "features.3.expand3x3.weight" corresponds to our "features.N.expand.1.expand3x3.weight".
// Parameters: in·s + 2s + s·e1 + 2e1 + 9·s·e3 + 2e3.
// Weights come from the PyTorch-default initialiser here; the model re-initialises them (KaimingInit).
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>The SqueezeNet Fire module (with BatchNorm): 1×1 squeeze, then 1×1 and 3×3 expand branches concatenated on channels.</summary>
public static class FireModule
{
    /// <summary>Builds a Fire module mapping <paramref name="inChannels"/> to <paramref name="expand1x1"/> + <paramref name="expand3x3"/> channels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count is below 1.</exception>
    public static Sequential Create(int inChannels, int squeeze, int expand1x1, int expand3x3, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var branch1 = new Sequential()
            .Add("expand1x1", new Conv2d(squeeze, expand1x1, 1, rng, bias: false))
            .Add("expand1x1_bn", new BatchNorm2d(expand1x1))
            .Add("expand1x1_activation", new ReLU());
        var branch3 = new Sequential()
            .Add("expand3x3", new Conv2d(squeeze, expand3x3, 3, rng, padding: 1, bias: false))
            .Add("expand3x3_bn", new BatchNorm2d(expand3x3))
            .Add("expand3x3_activation", new ReLU());
        return new Sequential()
            .Add("squeeze", new Conv2d(inChannels, squeeze, 1, rng, bias: false))
            .Add("squeeze_bn", new BatchNorm2d(squeeze))
            .Add("squeeze_activation", new ReLU())
            .Add("expand", new Concat(branch1, branch3));
    }
}
