// PaperNetworks at ImageNet size: parameter counts and MACs equal the published figures (torchvision: vgg16 138,357,544
// parameters / 15.47 G MACs, mobilenet_v2 3,504,872 / 300.8 M, resnet50 25,557,032 / 4.09 G, squeezenet1_0 1,248,424 /
// 819 M; Caffe: bvlc_alexnet 60,965,224 / 724 M, bvlc_googlenet 6,998,552 / 1.58 G), the output is [N, 1000], and
// unknown names are refused.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Models;

public class PaperNetworksTests
{
    [Theory]
    [InlineData("mobilenet-v2", 3_504_872L, 300_000_000L, 302_000_000L)]
    [InlineData("vgg16", 138_357_544L, 15_400_000_000L, 15_500_000_000L)]
    [InlineData("alexnet", 60_965_224L, 723_000_000L, 725_000_000L)]
    [InlineData("resnet-50", 25_557_032L, 4_080_000_000L, 4_120_000_000L)]
    [InlineData("squeezenet", 1_248_424L, 810_000_000L, 830_000_000L)]
    [InlineData("googlenet", 6_998_552L, 1_560_000_000L, 1_600_000_000L)]
    public void Networks_have_torchvisions_parameters_and_MACs(string name, long parameters, long minMacs, long maxMacs)
    {
        var net = PaperNetworks.Create(name);
        Assert.Equal(parameters, net.Parameters().Sum(p => (long)p.Length));
        long macs = OpCounter.TotalMacs(net, PaperNetworks.InputShape(name));
        Assert.InRange(macs, minMacs, maxMacs);
        if (name != "vgg16")
        {
            var y = net.Forward(Tensor.RandomUniform(new Random(1), 1f, [1, .. PaperNetworks.InputShape(name)]), training: false);
            Assert.Equal([1, 1000], y.Shape.ToArray());
            Assert.All(y.Data, v => Assert.True(float.IsFinite(v)));
        }
    }

    [Fact]
    public void Unknown_names_are_refused_with_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => PaperNetworks.Create("resnet-51"));
        Assert.Contains("alexnet, vgg16, resnet-50", e.Message, StringComparison.Ordinal);
    }
}
