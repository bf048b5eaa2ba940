using Topiary.Hardware.Energy;
using Topiary.Models;
using Topiary.Models.Shapes;
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Tests.Hardware.Energy;

public class ActivationDensitiesTests
{
    [Fact]
    public void Measures_the_non_zeros_entering_each_weight_layer()
    {
        var rng = new Random(1);
        var fc1 = new Linear(4, 3, rng);
        var fc2 = new Linear(3, 2, rng);
        // fc1: y0 = x0, y1 = −x0, y2 = x3 (no bias) → after ReLU example 1 = [1, 0, 0], example 2 = [0, 0, 3].
        float[] w = [1, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 1];
        w.CopyTo(fc1.Weight.Value.Data, 0);
        fc1.Bias!.Value.Clear();
        var model = new Sequential().Add("fc1", fc1).Add("relu", new ReLU()).Add("fc2", fc2);
        var inputs = new Tensor([1, 0, 2, 0, 0, 0, 0, 3], 2, 4);
        var d = ActivationDensities.Measure(model, inputs, batchSize: 1);
        Assert.Equal(["fc1", "fc2"], d.Select(x => x.Name));
        Assert.Equal(3.0 / 8, d[0].Density, 12);
        Assert.Equal(2.0 / 6, d[1].Density, 12);
        Assert.Equal(6, d[1].Elements);
        // Batching does not change the result.
        Assert.Equal(d.Select(x => x.Density), ActivationDensities.Measure(model, inputs, batchSize: 7).Select(x => x.Density));
    }

    [Fact]
    public void Names_follow_the_traced_shape_for_lenet5()
    {
        var model = ModelZoo.Create("lenet-5", 2);
        var data = new float[3 * 28 * 28];
        var rng = new Random(5);
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextDouble() < 0.2 ? 0 : (float)rng.NextDouble();
        var d = ActivationDensities.Measure(model, new Tensor(data, 3, 1, 28, 28));
        var shape = NetworkShape.FromModel(model, [1, 28, 28]);
        Assert.Equal(shape.Layers.Select(l => l.Name), d.Select(x => x.Name));
        Assert.InRange(d[0].Density, 0.75, 0.85);    // ~80% of the pixels are non-zero
        Assert.Equal(1.0, d[1].Density);             // conv1 → pool: no ReLU in Caffe LeNet-5, practically never exactly 0
        Assert.InRange(d[3].Density, 0.05, 0.95);    // after ReLU
    }

    [Fact]
    public void Assumed_densities_are_one_then_half()
    {
        Assert.Equal([1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], ActivationDensities.Assumed(ShapeZoo.ByName("alexnet")));
    }
}
