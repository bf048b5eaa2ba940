// FireModule: SqueezeNet's building block (Iandola et al. 2016), torchvision's Fire with Topiary containers.
//   squeeze 1×1 in→s → ReLU → expand: Concat( expand1x1 1×1 s→e1 → ReLU,  expand3x3 3×3 pad 1 s→e3 → ReLU )
//   [N, in, H, W] → [N, e1 + e3, H, W]   (channels 0..e1−1 from the 1×1 branch, then the 3×3 branch)
// Children: "squeeze", "squeeze_activation", "expand" (a Concat whose branches "0" and "1" hold "expand1x1",
// "expand1x1_activation" and "expand3x3", "expand3x3_activation"), so torchvision's "features.3.expand3x3.weight"
// is our "features.3.expand.1.expand3x3.weight". Convolutions have biases (no BatchNorm, as in the paper).
// Weights come from the PyTorch-default initialiser here; the model re-initialises them (KaimingInit).
using Topiary.Nn;

namespace Topiary.Models;

/// <summary>The SqueezeNet Fire module: 1×1 squeeze, then 1×1 and 3×3 expand branches concatenated on channels.</summary>
public static class FireModule
{
    /// <summary>Builds a Fire module mapping <paramref name="inChannels"/> to <paramref name="expand1x1"/> + <paramref name="expand3x3"/> channels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count is below 1.</exception>
    public static Sequential Create(int inChannels, int squeeze, int expand1x1, int expand3x3, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var branch1 = new Sequential()
            .Add("expand1x1", new Conv2d(squeeze, expand1x1, 1, rng))
            .Add("expand1x1_activation", new ReLU());
        var branch3 = new Sequential()
            .Add("expand3x3", new Conv2d(squeeze, expand3x3, 3, rng, padding: 1))
            .Add("expand3x3_activation", new ReLU());
        return new Sequential()
            .Add("squeeze", new Conv2d(inChannels, squeeze, 1, rng))
            .Add("squeeze_activation", new ReLU())
            .Add("expand", new Concat(branch1, branch3));
    }
}
