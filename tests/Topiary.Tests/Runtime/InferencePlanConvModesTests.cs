// InferencePlan with the newer convolution and pooling settings: dilated and asymmetrically padded convolutions
// and rectangular, asymmetric, ceil_mode max pools compile and reproduce model.Forward (dense and pruned weights);
// grouped and depthwise convolutions are refused with the layer and the setting named.
using Topiary.Nn;
using Topiary.Runtime;
using Topiary.Tensors;

namespace Topiary.Tests.Runtime;

public class InferencePlanConvModesTests
{
    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 5)]
    [InlineData(true, 5)]
    public void Dilated_asymmetric_convs_and_ceil_mode_pools_match_forward(bool pruned, int batch)
    {
        var rng = new Random(1);
        var model = new Sequential()
            .Add("conv1", new Conv2d(3, 6, (3, 3), rng, (2, 2), (0, 0, 1, 1)))
            .Add("relu1", new ReLU())
            .Add("conv2", new Conv2d(6, 8, (3, 3), rng, (1, 1), (2, 1, 2, 2), dilation: (2, 1)))
            .Add("pool1", new MaxPool2d((3, 2), (2, 1), (1, 0, 1, 1), ceilMode: true))
            .Add("pool2", new MaxPool2d(2, ceilMode: true))
            .Add("flat", new Flatten());
        if (pruned)
            foreach (var p in model.Parameters())
                for (int i = 0; i < p.Length; i += 3) p.Value.Data[i] = 0;
        int[] shape = [3, 13, 11];
        var plan = InferencePlan.Compile(model, shape, batch);
        var x = Tensor.RandomUniform(new Random(2), 1f, [batch, .. shape]);
        var expected = model.Forward(x, training: false).Data;
        var y = new float[batch * plan.OutputLength];
        plan.Run(x.Data, y);
        Topiary.Tests.Nn.GroupedConvTests.AssertClose(expected, y, plan.Describe());
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(6, 6)]
    public void Grouped_and_depthwise_convolutions_are_refused_by_name(int channels, int groups)
    {
        var model = new Sequential().Add("block", new Sequential().Add("dw", new Conv2d(channels, channels, 3, new Random(1), padding: 1, groups: groups)));
        var ex = Assert.Throws<NotSupportedException>(() => InferencePlan.Compile(model, [channels, 8, 8], 1));
        Assert.Contains("'block.dw'", ex.Message);
        Assert.Contains($"groups = {groups}", ex.Message);
    }
}
