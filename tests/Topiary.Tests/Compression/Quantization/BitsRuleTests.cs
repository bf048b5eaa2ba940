// BitsRule: the paper's defaults, per-kind and per-layer parsing, and errors that name the bad entry.
using Topiary.Compression.Quantization;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Tests.Compression.Quantization;

public class BitsRuleTests
{
    [Fact]
    public void Paper_rule_is_6_bits_for_lenet_300_100_and_conv_8_fc_5_otherwise()
    {
        var mlp = PrunableLayer.Find(LeNet300100.Create(1));
        Assert.All(mlp, l => Assert.Equal(6, BitsRule.Paper("lenet-300-100").For(l)));
        var lenet5 = PrunableLayer.Find(LeNet5.Create(1));
        var rule = BitsRule.Paper("LeNet-5");
        Assert.All(lenet5, l => Assert.Equal(l.Kind == LayerKind.Conv ? 8 : 5, rule.For(l)));
        Assert.Contains(lenet5, l => l.Kind == LayerKind.Conv);
    }

    [Fact]
    public void Parses_kinds_and_layer_overrides()
    {
        var layers = PrunableLayer.Find(LeNet5.Create(1));
        string fc = layers.First(l => l.Kind == LayerKind.Fc).Name;
        string conv = layers.First(l => l.Kind == LayerKind.Conv).Name;

        var a = BitsRule.Parse("conv=8,fc=5");
        Assert.Equal((8, 5), (a.ConvBits, a.FcBits));
        Assert.Empty(a.LayerBits);

        var b = BitsRule.Parse($" {fc} = 6 , CONV=7 ");
        Assert.Equal(6, b.For(layers.First(l => l.Name == fc)));
        Assert.Equal(7, b.For(layers.First(l => l.Name == conv)));
        Assert.Equal(5, b.For(layers.Last(l => l.Kind == LayerKind.Fc && l.Name != fc)));
        b.Validate(layers);
        Assert.Equal($"conv=7,fc=5,{fc}=6", b.ToString());
        Assert.Equal(b.ToString(), BitsRule.Parse(b.ToString()).ToString());

        var c = BitsRule.Parse("fc=4", BitsRule.Paper("lenet-300-100"));
        Assert.Equal((6, 4), (c.ConvBits, c.FcBits));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("conv", "'conv'")]
    [InlineData("=5", "'=5'")]
    [InlineData("conv=x", "'conv=x'")]
    [InlineData("conv=0", "'conv=0'")]
    [InlineData("fc=17", "'fc=17'")]
    [InlineData("fc=-1", "'fc=-1'")]
    [InlineData("conv=8,,fc=5", "empty entry")]
    [InlineData("fc1=6,conv=8,fc1=5", "'fc1=5'")]
    [InlineData("conv=8,Conv=7", "'Conv=7'")]
    public void Parse_errors_name_the_bad_entry(string spec, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => BitsRule.Parse(spec));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_rejects_overrides_of_unknown_layers()
    {
        var layers = PrunableLayer.Find(LeNet300100.Create(1));
        var e = Assert.Throws<ArgumentException>(() => BitsRule.Parse("fc9=4").Validate(layers));
        Assert.Contains("'fc9=4'", e.Message, StringComparison.Ordinal);
        Assert.Contains("fc1", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BitsRule(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BitsRule(8, 5, new Dictionary<string, int> { ["fc1"] = 20 }));
    }
}
