// mobilenet-v2: the documented parameter count, MACs, strides and torchvision-style names; the inverted residual
// block's backward (with the identity added, and strided without it; with and without the expansion) checked by
// finite differences.
using Topiary.Models;
using Topiary.Nn;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Models;

public class MobileNetV2Tests
{
    [Fact]
    public void Has_the_hand_computed_parameter_count()
    {
        // block(in, out, t) = [t ≠ 1: in·h + 2h] + 9h + 2h + h·out + 2·out, h = in·t (no conv biases; BN γ, β counted)
        // stem 9·16 + 32 = 176
        // features.1  (16→8, t 1):  144 + 32 + 128 + 16                         = 320
        // features.2  (8→16):   h 48:  384 + 96 + 432 + 96 + 768 + 32           = 1,808
        // features.3–6 (16→16): h 96: 1,536 + 192 + 864 + 192 + 1,536 + 32 = 4,352 × 4 = 17,408
        // features.7  (16→32):  h 96:  1,536 + 192 + 864 + 192 + 3,072 + 64     = 5,920
        // features.8–10 (32→32): h 192: 6,144 + 384 + 1,728 + 384 + 6,144 + 64 = 14,848 × 3 = 44,544
        // features.11 (32→48):  h 192: 6,144 + 384 + 1,728 + 384 + 9,216 + 96  = 17,952
        // features.12–13 (48→48): h 288: 13,824 + 576 + 2,592 + 576 + 13,824 + 96 = 31,488 × 2 = 62,976
        // features.14 (48→80):  h 288: 13,824 + 576 + 2,592 + 576 + 23,040 + 160 = 40,768
        // features.15–16 (80→80): h 480: 38,400 + 960 + 4,320 + 960 + 38,400 + 160 = 83,200 × 2 = 166,400
        // features.17 (80→160): h 480: 38,400 + 960 + 4,320 + 960 + 76,800 + 320 = 121,760
        // features.18 160·1,280 + 2,560 = 207,360;   classifier 1,280·10 + 10 = 12,810
        // 176 + 320 + 1,808 + 17,408 + 5,920 + 44,544 + 17,952 + 62,976 + 40,768 + 166,400 + 121,760 + 207,360 + 12,810
        // = 700,202
        Assert.Equal(700_202, ModelZoo.Create("mobilenet-v2", 1).ParameterCount());
    }

    [Fact]
    public void Macs_strides_and_depthwise_layers_match_the_documented_layout()
    {
        var ops = OpCounter.Count(ModelZoo.Create("mobilenet-v2", 1), [1, 28, 28]);
        Assert.Equal(12_919_392, ops.Sum(o => o.Macs));
        Assert.Equal(new[] { 1, 48, 14, 14 }, ops.Single(o => o.Name == "features.2.body.1.0").OutputShape);
        Assert.Equal(new[] { 1, 96, 14, 14 }, ops.Single(o => o.Name == "features.3.body.1.0").OutputShape);
        Assert.Equal(new[] { 1, 96, 7, 7 }, ops.Single(o => o.Name == "features.4.body.1.0").OutputShape);
        Assert.Equal(new[] { 1, 96, 4, 4 }, ops.Single(o => o.Name == "features.7.body.1.0").OutputShape);
        Assert.Equal(new[] { 1, 288, 4, 4 }, ops.Single(o => o.Name == "features.14.body.1.0").OutputShape);
        Assert.Equal(new[] { 1, 1280, 4, 4 }, ops.Single(o => o.Name == "features.18.0").OutputShape);
        // A depthwise 3×3 over h channels costs 9 MACs per output element.
        Assert.Equal(7L * 7 * 96 * 9, ops.Single(o => o.Name == "features.4.body.1.0").Macs);
    }

    [Fact]
    public void Blocks_add_their_input_exactly_when_stride_is_one_and_the_width_is_kept()
    {
        var features = (Sequential)((Sequential)ModelZoo.Create("mobilenet-v2", 1))["features"];
        int[] residual = [3, 5, 6, 8, 9, 10, 12, 13, 15, 16];
        for (int i = 1; i <= 17; i++)
            Assert.True(residual.Contains(i) == features[i] is Residual, $"features.{i} is {features[i].GetType().Name}");
    }

    [Fact]
    public void Parameter_names_follow_torchvision_with_each_block_path_under_body()
    {
        var names = ModelZoo.Create("mobilenet-v2", 1).NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "features.0.0.weight", "features.0.1.weight", "features.0.1.bias", "features.1.body.0.0.weight" }, names[..4]);
        Assert.Contains("features.1.body.1.weight", names);    // t = 1: depthwise, then the projection conv
        Assert.Contains("features.2.body.1.0.weight", names);  // t = 6: expand, depthwise, projection
        Assert.Contains("features.3.body.3.bias", names);
        Assert.Contains("features.18.1.weight", names);
        Assert.Equal(new[] { "classifier.1.weight", "classifier.1.bias" }, names[^2..]);
        var depthwise = ModelZoo.Create("mobilenet-v2", 1).NamedParameters().Single(p => p.Name == "features.4.body.1.0.weight").Parameter;
        Assert.Equal(new[] { 96, 1, 3, 3 }, depthwise.Value.Shape.ToArray());
    }

    [Fact]
    public void Inverted_residual_with_the_identity_added_gradients_match_finite_differences()
    {
        var block = InvertedResidual.Create(2, 2, stride: 1, expansion: 3, new Random(1));
        Assert.IsType<Residual>(block);
        Randomize(block, 2);
        ZooModels.KeepActivationsAwayFromKinks(block, shift: 3f, seed: 3); // ReLU6 inputs in ±[1.75, 4.25]: no kink at 0 or 6
        Check(block, Randn(4, 2, 2, 5, 5), rtol: 2e-2, atol: 2e-3);
    }

    [Fact]
    public void Strided_inverted_residual_without_the_identity_gradients_match_finite_differences()
    {
        var block = InvertedResidual.Create(2, 3, stride: 2, expansion: 2, new Random(5));
        Assert.IsNotType<Residual>(block);
        Randomize(block, 6);
        ZooModels.KeepActivationsAwayFromKinks(block, shift: 3f, seed: 7);
        Check(block, Randn(8, 3, 2, 5, 5), rtol: 2e-2, atol: 2e-3);
    }

    [Fact]
    public void Inverted_residual_without_expansion_gradients_match_finite_differences()
    {
        var block = InvertedResidual.Create(3, 2, stride: 1, expansion: 1, new Random(9));
        Assert.Equal(new[] { "body.0.0.weight", "body.0.1.weight", "body.0.1.bias", "body.1.weight", "body.2.weight", "body.2.bias" },
            block.NamedParameters().Select(p => p.Name).ToArray());
        Randomize(block, 10);
        ZooModels.KeepActivationsAwayFromKinks(block, shift: 3f, seed: 11);
        Check(block, Randn(12, 2, 3, 4, 4), rtol: 2e-2, atol: 2e-3);
    }
}
