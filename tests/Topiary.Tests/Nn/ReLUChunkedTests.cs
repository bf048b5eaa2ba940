// ReLU over a tensor long enough to run in parallel chunks (with a partial last chunk): forward and backward equal the
// element-wise definition at one and at two threads.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Nn;

public class ReLUChunkedTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Long_tensors_follow_the_definition(int threads)
    {
        using (Threading.Limit(threads))
        {
            var x = Tensor.RandomNormal(new Random(1), 1f, 3, 70_001);
            var dy = Tensor.RandomNormal(new Random(2), 1f, 3, 70_001);
            var relu = new ReLU();
            var y = relu.Forward(x, training: true).Data.ToArray();
            var dx = relu.Backward(dy).Data;
            for (int i = 0; i < x.Length; i++)
            {
                Assert.Equal(Math.Max(x[i], 0f), y[i]);
                Assert.Equal(x[i] > 0 ? dy[i] : 0f, dx[i]);
            }
        }
    }
}
