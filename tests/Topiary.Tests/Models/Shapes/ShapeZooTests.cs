using Topiary.Models;
using Topiary.Models.Shapes;

namespace Topiary.Tests.Models.Shapes;

public class ShapeZooTests
{
    // Published totals (parameters incl. biases of weight layers, MACs per 224/227 image).
    [Theory]
    [InlineData("alexnet", 60_965_224, 724_406_816, 0.0)]         // exact: CaffeNet with grouped conv2/4/5
    [InlineData("vgg16", 138_357_544, 15_470_264_320, 0.0)]       // exact: the well-known VGG-16 counts
    [InlineData("googlenet", 7_000_000, 1_580_000_000, 0.02)]     // ~7.0M incl. fc; 1.58G MACs (Caffe, no aux heads)
    [InlineData("resnet50", 25_557_032, 4_089_184_256, 0.02)]     // torchvision v1.5 (BN params not counted: -0.2%)
    [InlineData("densenet121", 7_978_856, 2_865_672_192, 0.02)]   // torchvision (BN params not counted: -1%)
    [InlineData("squeezenet", 1_248_424, 819_000_000, 0.02)]      // v1.0, torchvision layout at 224
    public void Zoo_totals_match_published_numbers(string name, long parameters, long macs, double tolerance)
    {
        var net = ShapeZoo.ByName(name);
        Assert.True(Math.Abs(net.TotalParameters - parameters) <= tolerance * parameters,
            $"{name}: {net.TotalParameters:N0} params vs {parameters:N0}");
        Assert.True(Math.Abs(net.TotalMacs - macs) <= tolerance * macs, $"{name}: {net.TotalMacs:N0} MACs vs {macs:N0}");
    }

    [Fact]
    public void AlexNet_layers_have_the_caffe_geometry()
    {
        var net = ShapeZoo.ByName("AlexNet");
        Assert.Equal(["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"], net.Layers.Select(l => l.Name));
        var conv2 = net["conv2"];
        Assert.Equal((96, 256, 5, 27, 27, 2), (conv2.C, conv2.M, conv2.R, conv2.H, conv2.E, conv2.Groups));
        Assert.Equal(256L * 48 * 25, conv2.Weights);
        Assert.Equal(55, net["conv1"].E);
        Assert.Equal(9216, net["fc6"].C);
        Assert.Equal(LayerKind.FullyConnected, net["fc6"].Kind);
    }

    [Fact]
    public void Inception_branches_see_the_concatenated_input()
    {
        var net = ShapeZoo.ByName("googlenet");
        Assert.Equal(192, net["inception_3a/1x1"].C);
        Assert.Equal(256, net["inception_3b/1x1"].C);   // 64 + 128 + 32 + 32
        Assert.Equal(16, net["inception_3a/5x5"].C);
        Assert.Equal(480, net["inception_4a/pool_proj"].C);
        Assert.Equal(14, net["inception_4a/pool_proj"].H);
        Assert.Equal(1024, net["loss3/classifier"].C);
    }

    [Fact]
    public void Dense_and_residual_blocks_track_channels()
    {
        var dense = ShapeZoo.ByName("densenet121");
        Assert.Equal(64 + 5 * 32, dense["denseblock1.denselayer6.conv1"].C);
        Assert.Equal(256, dense["transition1.conv"].C);
        Assert.Equal(1024, dense["classifier"].C);
        var res = ShapeZoo.ByName("resnet50");
        Assert.Equal((64, 256, 56), (res["layer1.0.downsample"].C, res["layer1.0.downsample"].M, res["layer1.0.downsample"].E));
        Assert.Equal((2, 28), (res["layer2.0.conv2"].Stride, res["layer2.0.conv2"].E));
        Assert.Equal(2048, res["fc"].C);
        var sq = ShapeZoo.ByName("squeezenet");
        Assert.Equal(128, sq["fire3/squeeze1x1"].C);
        Assert.Equal(13, sq["conv10"].H);
    }

    [Fact]
    public void FromModel_traces_LeNet5()
    {
        var net = NetworkShape.FromModel(ModelZoo.Create("lenet-5", 3), [1, 28, 28], "lenet-5");
        Assert.Equal(["conv1", "conv2", "fc1", "fc2"], net.Layers.Select(l => l.Name));
        var conv2 = net["conv2"];
        Assert.Equal((20, 50, 5, 5, 12, 12, 8, 8), (conv2.C, conv2.M, conv2.R, conv2.S, conv2.H, conv2.W, conv2.E, conv2.F));
        Assert.Equal((800, 500), (net["fc1"].C, net["fc1"].M));
        Assert.Equal(431_080, net.TotalParameters);
        Assert.Equal(288_000 + 1_600_000 + 400_000 + 5_000, net.TotalMacs);
        Assert.Equal(ShapeZoo.ByName("lenet-5").TotalMacs, net.TotalMacs);
    }

    [Fact]
    public void Unknown_name_lists_the_known_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => ShapeZoo.ByName("resnet18"));
        Assert.Contains("resnet18", ex.Message);
        foreach (string n in ShapeZoo.Names) Assert.Contains(n, ex.Message);
    }

    [Fact]
    public void Layer_shape_rejects_bad_geometry()
    {
        Assert.Throws<ArgumentException>(() => LayerShape.Conv("x", 3, 8, 5, 3));            // 5x5 on 3x3
        Assert.Throws<ArgumentException>(() => LayerShape.Conv("x", 3, 8, 3, 8, groups: 2)); // 2 does not divide 3
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerShape.FullyConnected("x", 0, 8));
        var c = LayerShape.Conv("c", 4, 6, 3, 9, stride: 2, padding: 1);
        Assert.Equal((5, 5, 6L * 4 * 9, 6L * 4 * 9 * 25), (c.E, c.F, c.Weights, c.Macs));
    }
}
