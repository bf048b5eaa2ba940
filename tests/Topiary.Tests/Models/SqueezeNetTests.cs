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
        // fire(in, s, e) = squeeze in·s + s, expand1x1 s·e + e, expand3x3 9·s·e + e
        // stem 9·64 + 64 = 640
        // fire(64, 16, 64)  = 1,040 + 1,088 + 9,280 = 11,408      fire(128, 16, 64)  = 2,064 + 1,088 + 9,280 = 12,432
        // fire(128, 32, 128) = 4,128 + 4,224 + 36,992 = 45,344    fire(256, 32, 128) = 8,224 + 4,224 + 36,992 = 49,440
        // fire(256, 48, 192) = 12,336 + 9,408 + 83,136 = 104,880  fire(384, 48, 192) = 18,480 + 9,408 + 83,136 = 111,024
        // classifier conv 384·10 + 10 = 3,850                     total 339,018
        Assert.Equal(339_018, ModelZoo.Create("squeezenet", 1).ParameterCount());
    }

    [Fact]
    public void Macs_per_image_match_the_hand_computed_shapes()
    {
        var ops = OpCounter.Count(ModelZoo.Create("squeezenet", 1), [1, 28, 28]);
        Assert.Equal(1 + 6 * 3 + 1, ops.Count);
        Assert.Equal(28L * 28 * 64 * 9, ops[0].Macs);
        Assert.Equal(14L * 14 * 64 * 16 * 9, ops.Single(o => o.Name == "features.3.expand.1.expand3x3").Macs);
        Assert.Equal(7L * 7 * 48 * 384, ops.Single(o => o.Name == "features.9.squeeze").Macs);
        Assert.Equal(new[] { 1, 10, 7, 7 }, ops[^1].OutputShape);
        Assert.Equal(20_409_088, ops.Sum(o => o.Macs));
    }

    [Fact]
    public void Parameter_names_follow_torchvision_with_the_expand_branches_in_a_concat()
    {
        var names = ModelZoo.Create("squeezenet", 1).NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "features.0.weight", "features.0.bias", "features.3.squeeze.weight", "features.3.squeeze.bias",
            "features.3.expand.0.expand1x1.weight", "features.3.expand.0.expand1x1.bias", "features.3.expand.1.expand3x3.weight" }, names[..7]);
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
        var y = fire.Forward(Randn(3, 2, 3, 4, 4), training: false);
        Assert.Equal(new[] { 2, 5, 4, 4 }, y.Shape.ToArray());
        Check(fire, Randn(3, 2, 3, 4, 4), rtol: 2e-2, atol: 2e-3);
    }
}
