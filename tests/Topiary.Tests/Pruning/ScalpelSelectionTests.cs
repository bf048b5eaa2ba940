using Topiary.Hardware;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Pruning.Scalpel;

namespace Topiary.Tests.Pruning;

public class ScalpelSelectionTests
{
    private static HardwareProfile Host(int lanes) => new()
    {
        Name = "host", Measured = true, Parallelism = ParallelismClass.Moderate, FloatLanes = lanes, Int16Lanes = 2 * lanes, Cores = 2,
    };

    [Fact]
    public void Low_parallelism_prunes_every_layer_simd_aware_with_the_16_bit_lane_count()
    {
        var layers = PrunableLayer.Find(ModelZoo.Create("lenet-5", 1));
        var c = ScalpelSelection.Choose(HardwareProfile.CortexM4, layers);
        Assert.All(c, x => Assert.Equal(ScalpelTechnique.SimdAware, x.Technique));
        Assert.All(c, x => Assert.Equal(HardwareProfile.CortexM4.Int16Lanes, x.GroupWidth));
        Assert.Equal(2, HardwareProfile.CortexM4.Int16Lanes);
    }

    [Fact]
    public void Moderate_parallelism_node_prunes_conv_and_simd_prunes_fc()
    {
        var layers = PrunableLayer.Find(ModelZoo.Create("lenet-5", 1));
        var c = ScalpelSelection.Choose(Host(16), layers);
        Assert.Equal(new[] { "conv1", "conv2", "fc1", "fc2" }, c.Select(x => x.Layer));
        Assert.Equal(new[] { ScalpelTechnique.NodePruning, ScalpelTechnique.NodePruning, ScalpelTechnique.SimdAware, ScalpelTechnique.SimdAware },
            c.Select(x => x.Technique));
        Assert.Equal(8, c[2].GroupWidth); // AVX-512 lanes capped at the AVX width by default
        Assert.Equal(4, ScalpelSelection.Choose(Host(4), layers)[3].GroupWidth);
        Assert.Equal(16, ScalpelSelection.Choose(Host(16), layers, groupWidth: 16)[3].GroupWidth);
    }

    [Fact]
    public void High_parallelism_node_prunes_all_but_the_output_layer()
    {
        var layers = PrunableLayer.Find(ModelZoo.Create("lenet-300-100", 1));
        var c = ScalpelSelection.Choose(HardwareProfile.Gpu, layers);
        Assert.Equal(new[] { ScalpelTechnique.NodePruning, ScalpelTechnique.NodePruning, ScalpelTechnique.None }, c.Select(x => x.Technique));
        Assert.All(c, x => Assert.Equal(0, x.GroupWidth));
    }

    [Fact]
    public void A_group_width_below_one_is_rejected()
    {
        var layers = PrunableLayer.Find(ModelZoo.Create("lenet-300-100", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScalpelSelection.Choose(HardwareProfile.CortexM4, layers, 0));
    }
}
