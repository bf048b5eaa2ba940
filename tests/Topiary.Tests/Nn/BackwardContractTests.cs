// The Backward contract every layer shares (LayerHelpers.BeginBackward, KeptInput, KeptShape, ViewLayer,
// GraphOp.BeginSingleBackward): no Backward before a training-mode Forward, none after an inference Forward, a
// wrongly shaped gradient is refused without spending the Backward, and each training Forward allows exactly one.
using Topiary.Nn;
using Topiary.Tensors;
using static Topiary.Tests.Nn.GradientChecker;

namespace Topiary.Tests.Nn;

public class BackwardContractTests
{
    public static TheoryData<string> Layers() =>
    [
        "conv", "linear", "lrn", "nodemask", "maxpool", "maxpool2x2", "avgpool", "globalavg", "globalmax", "flatten", "reshape",
    ];

    private static (Module Layer, int[] Input) Create(string name) => name switch
    {
        "conv" => (new Conv2d(2, 3, 3, new Random(1), padding: 1), [2, 2, 5, 5]),
        "linear" => (new Linear(4, 3, new Random(1)), [2, 4]),
        "lrn" => (new LocalResponseNorm(3), [2, 4, 3, 3]),
        "nodemask" => (new NodeMask(4), [2, 4, 3, 3]),
        "maxpool" => (new MaxPool2d(3, 2, 1), [2, 2, 5, 5]),
        "maxpool2x2" => (new MaxPool2d(2), [2, 2, 4, 4]),
        "avgpool" => (new AvgPool2d(3, 2, 1), [2, 2, 5, 5]),
        "globalavg" => (new GlobalAvgPool2d(), [2, 2, 3, 3]),
        "globalmax" => (new GlobalMaxPool2d(), [2, 2, 3, 3]),
        "flatten" => (new Flatten(), [2, 2, 3, 3]),
        "reshape" => (new Reshape([0, -1]), [2, 2, 3, 3]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Backward_needs_a_training_forward_and_runs_once_per_forward(string name)
    {
        var (layer, shape) = Create(name);
        var first = Assert.Throws<InvalidOperationException>(() => layer.Backward(new Tensor(shape)));
        Assert.Contains("training-mode Forward", first.Message);

        var y = layer.Forward(Randn(1, shape), training: true);
        var outShape = y.Shape.ToArray();
        layer.Forward(Randn(2, shape), training: false);
        Assert.Throws<InvalidOperationException>(() => layer.Backward(new Tensor(outShape)));

        layer.Forward(Randn(3, shape), training: true);
        var wrong = outShape.ToArray();
        wrong[^1] += 1;
        var shapeError = Assert.Throws<ArgumentException>(() => layer.Backward(new Tensor(wrong)));
        Assert.Contains("gradOutput", shapeError.Message);
        Assert.Contains(layer.ToString()!, shapeError.Message);

        var dx = layer.Backward(Randn(4, outShape));                      // the refused gradient did not spend it
        Assert.Equal(shape, dx.Shape.ToArray());
        Assert.Throws<InvalidOperationException>(() => layer.Backward(Randn(4, outShape)));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_second_training_forward_backpropagates_its_own_input(string name)
    {
        var (layer, shape) = Create(name);
        var (fresh, _) = Create(name);
        layer.Forward(Randn(5, shape), training: true);
        var y = layer.Forward(Randn(6, shape), training: true);
        var dy = Randn(7, y.Shape.ToArray());
        var dx = layer.Backward(dy).Data.ToArray();
        foreach (var p in layer.Parameters()) p.ZeroGrad();

        fresh.Forward(Randn(6, shape), training: true);
        Assert.Equal(fresh.Backward(dy).Data, dx);
    }

    [Fact]
    public void One_output_graph_ops_refuse_a_gradient_count_other_than_one()
    {
        var a = Randn(1, 2, 3);
        var b = Randn(2, 2, 3);
        foreach (GraphOp op in new GraphOp[] { new Cat(1), new ElementwiseOp(ElementwiseKind.Add) })
        {
            Assert.Throws<InvalidOperationException>(() => op.Backward([new Tensor(2, 3)]));
            var y = op.Forward([a, b], training: true)[0];
            var count = Assert.Throws<ArgumentException>(() => op.Backward([new Tensor(y.Shape.ToArray()), new Tensor(y.Shape.ToArray())]));
            Assert.Contains("expected 1 output gradients, got 2", count.Message);
            var shape = Assert.Throws<ArgumentException>(() => op.Backward([new Tensor(2, 1)]));
            Assert.Contains("gradOutput", shape.Message);
            var dx = op.Backward([Randn(3, y.Shape.ToArray())]);
            Assert.Equal(2, dx.Count);
            Assert.Throws<InvalidOperationException>(() => op.Backward([Randn(3, y.Shape.ToArray())]));
        }
    }
}
