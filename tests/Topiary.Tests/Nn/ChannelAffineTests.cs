// ChannelAffine (the fused pre-activation node): clamp(x·scale[c] + shift[c]) plane by plane against a plain loop,
// batches and thread counts alike; a channel count that does not match, training and bad vectors are refused.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class ChannelAffineTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    public void Each_channel_is_scaled_shifted_and_clamped(int batch, int threads)
    {
        float[] scale = [0.5f, -2f, 3f], shift = [1f, 0f, -0.25f];
        var node = new ChannelAffine(scale, shift, 0f, 6f);
        var x = Randn(7, batch, 3, 5, 7);
        Tensor y;
        using (Threading.Limit(threads)) y = node.Forward(x, training: false);
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / 35 % 3;
            Assert.Equal(Math.Clamp(x[i] * scale[c] + shift[c], 0f, 6f), y[i]);
        }
        Assert.Equal("ChannelAffine(3 → ReLU6)", node.ToString());
    }

    [Fact]
    public void Bad_inputs_and_training_are_refused()
    {
        var node = new ChannelAffine([1f, 2f], [0f, 0f]);
        Assert.Contains("[N, 2, ...]", Assert.Throws<ArgumentException>(() => node.Forward(Randn(1, 1, 3, 2, 2), training: false)).Message);
        Assert.Throws<NotSupportedException>(() => node.Forward(Randn(1, 1, 2, 2, 2), training: true));
        Assert.Throws<NotSupportedException>(() => node.Backward(Randn(1, 1, 2, 2, 2)));
        Assert.Throws<ArgumentException>(() => new ChannelAffine([1f], [0f, 1f]));
        Assert.Throws<ArgumentException>(() => new ChannelAffine([], []));
        Assert.Throws<ArgumentException>(() => new ChannelAffine([1f], [0f], 1f, 0f));
    }
}
