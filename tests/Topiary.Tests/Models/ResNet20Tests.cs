// resnet-20: the documented parameter count, MACs and torchvision-style names; the basic block's backward (with the
// projection shortcut and with the identity shortcut) checked by finite differences.
using Topiary.Models;
using Topiary.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Models;

public class ResNet20Tests
{
    [Fact]
    public void Has_the_hand_computed_parameter_count()
    {
        // conv1 1·16·9 = 144, bn1 2·16 = 32
        // layer1: 3 blocks × (2 convs 16·16·9 = 2,304 + 2 BN 32)               = 3 × 4,672 = 14,016
        // layer2: block 0 conv 16·32·9 = 4,608 + BN 64 + conv 32·32·9 = 9,216 + BN 64 + 1×1 16·32 = 512 + BN 64 = 14,528;
        //         blocks 1–2: 2 × (2 · 9,216 + 2 · 64) = 37,120                 → 51,648
        // layer3: block 0 18,432 + 128 + 36,864 + 128 + 2,048 + 128 = 57,728; blocks 1–2: 2 × (2 · 36,864 + 2 · 128) = 147,968
        //                                                                        → 205,696
        // fc 64·10 + 10 = 650.       144 + 32 + 14,016 + 51,648 + 205,696 + 650 = 272,186
        Assert.Equal(272_186, ModelZoo.Create("resnet-20", 1).ParameterCount());
    }

    [Fact]
    public void Macs_per_image_match_the_hand_computed_shapes()
    {
        var ops = OpCounter.Count(ModelZoo.Create("resnet-20", 1), [1, 28, 28]);
        Assert.Equal(22, ops.Count); // conv1 + 18 block convs + 2 projections + fc
        Assert.Equal(28L * 28 * 16 * 9, ops[0].Macs);
        Assert.Equal(28L * 28 * 16 * 16 * 9, ops.Single(o => o.Name == "layer1.0.body.conv1").Macs);
        Assert.Equal(14L * 14 * 32 * 16 * 9, ops.Single(o => o.Name == "layer2.0.body.conv1").Macs);
        Assert.Equal(7L * 7 * 64 * 32, ops.Single(o => o.Name == "layer3.0.shortcut.0").Macs);
        Assert.Equal(new[] { 1, 64, 7, 7 }, ops.Single(o => o.Name == "layer3.2.body.conv2").OutputShape);
        Assert.Equal(31_021_952, ops.Sum(o => o.Macs));
    }

    [Fact]
    public void Parameter_names_follow_torchvision_with_residual_body_and_shortcut()
    {
        var names = ModelZoo.Create("resnet-20", 1).NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.body.conv1.weight", "layer1.0.body.bn1.weight" }, names[..5]);
        Assert.Contains("layer2.0.shortcut.0.weight", names);
        Assert.Contains("layer2.0.shortcut.1.bias", names);
        Assert.Contains("layer3.2.body.bn2.weight", names);
        Assert.DoesNotContain("layer1.0.shortcut.0.weight", names);
        Assert.DoesNotContain("layer2.1.shortcut.0.weight", names);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, names[^2..]);
        Assert.DoesNotContain(names, n => n.EndsWith("conv1.bias", StringComparison.Ordinal) || n.EndsWith("conv2.bias", StringComparison.Ordinal));
    }

    [Fact]
    public void Basic_block_with_projection_shortcut_gradients_match_finite_differences()
    {
        var block = new Sequential().Add("0", ResNetBasicBlock.Create(2, 4, stride: 2, new Random(1))).Add("relu0", new ReLU());
        Assert.NotNull(((Residual)block[0]).Shortcut);
        Randomize(block, 2);
        ZooModels.KeepActivationsAwayFromKinks(block, shift: 3f, seed: 3);
        Check(block, Randn(3, 3, 2, 5, 5), rtol: 2e-2, atol: 2e-3);
    }

    [Fact]
    public void Basic_block_with_identity_shortcut_gradients_match_finite_differences()
    {
        var stage = ResNetBasicBlock.Stage(3, 3, blocks: 1, stride: 1, new Random(4));
        Assert.Null(((Residual)stage[0]).Shortcut);
        Randomize(stage, 5);
        ZooModels.KeepActivationsAwayFromKinks(stage, shift: 5f, seed: 6); // the identity adds x ~ N(0, 1): a wider margin
        Check(stage, Randn(7, 2, 3, 4, 4), rtol: 2e-2, atol: 2e-3);
    }
}
