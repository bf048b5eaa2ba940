// squeezenet: the documented parameter count, MACs and torchvision-style names; the Fire module's backward checked by
// finite differences.
using Topiary.Models;
using Topiary.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Models;

public class SqueezeNetTests
{
    [Fact]
    public void Has_the_hand_computed_parameter_count()
    {
        // fire(in, s, e) = squeeze in·s + BN 2s, expand1x1 s·e + BN 2e, expand3x3 9·s·e + BN 2e (no conv biases)
        // stem 9·64 + BN 128 = 704
        // fire(64, 16, 64)  = 1,056 + 1,152 + 9,344 = 11,552      fire(128, 16, 64)  = 2,080 + 1,152 + 9,344 = 12,576
        // fire(128, 32, 128) = 4,160 + 4,352 + 37,120 = 45,632    fire(256, 32, 128) = 8,256 + 4,352 + 37,120 = 49,728
        // fire(256, 48, 192) = 12,384 + 9,600 + 83,328 = 105,312  fire(384, 48, 192) = 18,528 + 9,600 + 83,328 = 111,456
        // classifier conv 384·10 + 10 = 3,850                     total 340,810
        Assert.Equal(340_810, ModelZoo.Create("squeezenet", 1).ParameterCount());
    }

    [Fact]
    public void Macs_per_image_match_the_hand_computed_shapes()
    {
        var ops = OpCounter.Count(ModelZoo.Create("squeezenet", 1), [1, 28, 28]);
        Assert.Equal(1 + 6 * 3 + 1, ops.Count);
        Assert.Equal(28L * 28 * 64 * 9, ops[0].Macs);
        Assert.Equal(14L * 14 * 64 * 16 * 9, ops.Single(o => o.Name == "features.4.expand.1.expand3x3").Macs);
        Assert.Equal(7L * 7 * 48 * 384, ops.Single(o => o.Name == "features.10.squeeze").Macs);
        Assert.Equal(new[] { 1, 10, 7, 7 }, ops[^1].OutputShape);
        Assert.Equal(20_409_088, ops.Sum(o => o.Macs));
    }

    [Fact]
    public void Parameter_names_follow_torchvision_with_batchnorm_and_the_expand_branches_in_a_concat()
    {
        var names = ModelZoo.Create("squeezenet", 1).NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "features.0.weight", "features.1.weight", "features.1.bias", "features.4.squeeze.weight", "features.4.squeeze_bn.weight",
            "features.4.squeeze_bn.bias", "features.4.expand.0.expand1x1.weight", "features.4.expand.0.expand1x1_bn.weight" }, names[..8]);
        Assert.Contains("features.10.expand.1.expand3x3.weight", names);
        Assert.Equal(new[] { "classifier.1.weight", "classifier.1.bias" }, names[^2..]);
    }

    [Fact]
    public void Final_conv_is_initialised_small_as_in_torchvision()
    {
        var w = ModelZoo.Create("squeezenet", 1).NamedParameters().Single(p => p.Name == "classifier.1.weight").Parameter.Value.Data;
        double std = Math.Sqrt(w.Average(v => (double)v * v));
        Assert.InRange(std, 0.008, 0.012);
    }

    [Fact]
    public void Fire_module_gradients_match_finite_differences()
    {
        var fire = FireModule.Create(3, 2, 3, 2, new Random(1));
        Randomize(fire, 2);
        ZooModels.KeepActivationsAwayFromKinks(fire, shift: 3f, seed: 4);
        var y = fire.Forward(Randn(3, 2, 3, 4, 4), training: false);
        Assert.Equal(new[] { 2, 5, 4, 4 }, y.Shape.ToArray());
        Check(fire, Randn(3, 2, 3, 4, 4), rtol: 2e-2, atol: 2e-3);
    }
}
