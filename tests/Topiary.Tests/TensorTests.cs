using Topiary.Tensors;

namespace Topiary.Tests;

public class TensorTests
{
    [Fact]
    public void Constructor_rejects_data_length_that_does_not_match_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Tensor(new float[5], 2, 3));
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void Reshape_infers_one_dimension_and_shares_storage()
    {
        var t = new Tensor(2, 3, 4);
        var v = t.Reshape(2, -1);
        Assert.Equal(new[] { 2, 12 }, v.Shape.ToArray());
        v[5] = 7f;
        Assert.Equal(7f, t[5]);
        Assert.Throws<ArgumentException>(() => t.Reshape(5, -1));
    }
}
