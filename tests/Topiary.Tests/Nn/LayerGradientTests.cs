// Finite-difference checks of every layer's Backward (input gradient and every parameter gradient).
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class LayerGradientTests
{
    [Theory]
    [InlineData(3, 7, 5, true)]
    [InlineData(1, 1, 1, true)]
    [InlineData(4, 33, 17, false)]
    public void Linear(int n, int inF, int outF, bool bias)
    {
        var layer = new Linear(inF, outF, new Random(1), bias);
        Check(layer, Randn(2, n, inF));
    }

    [Theory]
    [InlineData(2, 3, 4, 7, 6, 3, 3, 1, 1, 0, 0)]   // plain 3x3
    [InlineData(2, 2, 3, 7, 8, 3, 3, 2, 2, 1, 1)]   // stride 2, padding 1
    [InlineData(3, 2, 5, 6, 7, 2, 3, 2, 1, 1, 0)]   // rectangular kernel/stride/padding
    [InlineData(9, 3, 2, 4, 5, 1, 1, 1, 1, 0, 0)]   // 1x1, batch larger than the chunk count
    [InlineData(1, 1, 3, 5, 5, 5, 5, 1, 1, 2, 2)]   // kernel as large as the image, "same" padding
    [InlineData(2, 2, 2, 5, 6, 3, 2, 3, 2, 1, 1)]   // stride larger than padding, odd sizes
    [InlineData(1, 1, 2, 3, 21, 3, 3, 1, 1, 1, 1)]  // wide rows (bulk copy path of im2col/col2im)
    public void Conv2d(int n, int c, int oc, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var layer = new Conv2d(c, oc, (kh, kw), new Random(3), (sh, sw), (ph, pw));
        Check(layer, Randn(4, n, c, h, w));
    }

    [Fact]
    public void Conv2d_without_bias()
    {
        var layer = new Conv2d(2, 3, 3, new Random(5), stride: 1, padding: 1, bias: false);
        Assert.Null(layer.Bias);
        Check(layer, Randn(6, 2, 2, 4, 5));
    }

    [Theory]
    [InlineData(2, 2, null, 0, 6, 7)]
    [InlineData(3, 3, 2, 1, 7, 6)]
    [InlineData(2, 3, 1, 1, 5, 5)]   // overlapping windows
    [InlineData(1, 2, 1, 0, 3, 4)]
    public void MaxPool2d(int n, int k, int? stride, int pad, int h, int w)
    {
        var layer = new MaxPool2d(k, stride, pad);
        Check(layer, Distinct(7, 0.05f, n, 3, h, w), eps: 1e-3f);
    }

    [Theory]
    [InlineData(2, 2, null, 0, 6, 7)]
    [InlineData(3, 3, 2, 1, 7, 6)]
    [InlineData(2, 3, 1, 1, 5, 5)]
    public void AvgPool2d(int n, int k, int? stride, int pad, int h, int w)
    {
        Check(new AvgPool2d(k, stride, pad), Randn(8, n, 3, h, w));
    }

    [Fact]
    public void GlobalAvgPool2d() => Check(new GlobalAvgPool2d(), Randn(9, 3, 4, 3, 5));

    [Fact]
    public void ReLU() => Check(new ReLU(), Distinct(10, 0.1f, 3, 5, 7), eps: 1e-2f);

    [Fact]
    public void Flatten() => Check(new Flatten(), Randn(11, 3, 2, 3, 4));

    [Fact]
    public void Identity() => Check(new Identity(), Randn(12, 4, 5));

    [Theory]
    [InlineData(4, 3, 3, 5)]
    [InlineData(2, 5, 1, 1)]
    [InlineData(3, 2, 4, 3)]
    public void BatchNorm2d_training(int n, int c, int h, int w)
    {
        var layer = new BatchNorm2d(c);
        Randomize(layer, 13);
        var x = Randn(14, n, c, h, w);
        for (int i = 0; i < x.Length; i++) x.Data[i] = x.Data[i] * 2 + 1;
        Check(layer, x, eps: 1e-2f, rtol: 2e-2, atol: 2e-3);
    }

    [Theory]
    [InlineData(6, 4)]
    [InlineData(3, 4, 5)]
    public void BatchNorm1d_training(params int[] shape)
    {
        var layer = new BatchNorm1d(shape[1]);
        Randomize(layer, 15);
        Check(layer, Randn(16, shape), eps: 1e-2f, rtol: 2e-2, atol: 2e-3);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(1)]
    public void LocalResponseNorm(int size)
    {
        var layer = new LocalResponseNorm(size, alpha: 0.5f, beta: 0.75f, k: 2f);
        Check(layer, Randn(17, 2, 7, 3, 2));
    }

    [Fact]
    public void Residual_identity_shortcut()
    {
        var rng = new Random(18);
        var block = new Residual(new Sequential(new Conv2d(3, 3, 3, rng, padding: 1), new BatchNorm2d(3)));
        Randomize(block, 19);
        Check(block, Randn(20, 2, 3, 5, 4), rtol: 2e-2, atol: 2e-3);
    }

    [Fact]
    public void Residual_projection_shortcut()
    {
        var rng = new Random(21);
        var block = new Residual(new Conv2d(2, 4, 3, rng, stride: 2, padding: 1), new Conv2d(2, 4, 1, rng, stride: 2));
        Check(block, Randn(22, 2, 2, 5, 6));
    }

    [Fact]
    public void Concat_of_branches()
    {
        var rng = new Random(23);
        var block = new Concat(
            new Conv2d(3, 2, 1, rng),
            new Sequential(new Conv2d(3, 4, 3, rng, padding: 1), new AvgPool2d(3, 1, 1)),
            new Identity());
        Check(block, Randn(24, 2, 3, 4, 5));
    }

    [Fact]
    public void Sequential_chain()
    {
        var rng = new Random(25);
        var net = new Sequential()
            .Add("conv", new Conv2d(2, 3, 3, rng, stride: 2, padding: 1))
            .Add("bn", new BatchNorm2d(3))
            .Add("lrn", new LocalResponseNorm(3, 0.3f, 0.75f, 1.5f))
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(27, 4, rng));
        Check(net, Randn(26, 3, 2, 5, 6), rtol: 2e-2, atol: 2e-3);
    }
}
