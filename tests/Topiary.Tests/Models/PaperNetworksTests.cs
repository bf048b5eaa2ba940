// PaperNetworks at ImageNet size: parameter counts and MACs equal torchvision's published figures (vgg16 138,357,544
// parameters / 15.47 G MACs; mobilenet_v2 3,504,872 / 300.8 M), the output is [N, 1000], and unknown names are refused.
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
        Assert.Contains("alexnet, vgg16, mobilenet-v2", e.Message, StringComparison.Ordinal);
    }
}
