// CompressedPlanTests: a Deep Compression container runs from its codes — InferencePlan.FromCompressed puts every
// weight-shared layer in the codebook format (LeNet-300-100 at 6 bits: the 64-entry register lookup; LeNet-5 at conv 8 /
// fc 5 bits: the table path and conv columns), gives the decoded float plan's outputs within float tolerance at batch
// 1 and 3, holds fewer weight bytes, and PlanEvaluator reports the decoded model's error on the same images. Codes layers
// and reordered float sell layers mix (a codes layer's rows reordered for the next layer, or its columns permuted to the
// order a reordered sell layer emits).
using Topiary.Compression.Container;
using Topiary.Compression.Quantization;
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Runtime;
using Topiary.Runtime.Sparse;
using Topiary.Tensors;
using Topiary.Training;

namespace Topiary.Tests.Runtime;

public class CompressedPlanTests
{
    private static CompressedFile Container(string name, double sparsity)
    {
        var model = ModelZoo.Create(name, 5);
        foreach (var l in PrunableLayer.Find(model)) MagnitudePruner.Elementwise.Apply(l, new SparsityTarget(sparsity));
        var codebooks = Quantizer.Quantize(model, BitsRule.Paper(name));
        var encoded = CompressedModel.Encode(name, model, codebooks, cb => QuantizedLayerCodec.BestIndexBits(cb.Name, cb));
        return CompressedModel.DecodeWithCodes(TpzContainer.Parse(encoded.Bytes, "m.tpz"), "m.tpz");
    }

    [Theory]
    [InlineData("lenet-300-100", 0.92, 1)]
    [InlineData("lenet-300-100", 0.92, 3)]
    [InlineData("lenet-5", 0.9, 1)]
    [InlineData("lenet-5", 0.5, 2)]
    public void Codes_plan_equals_the_decoded_float_plan_and_holds_less(string name, double sparsity, int batch)
    {
        var file = Container(name, sparsity);
        int[] shape = [1, 28, 28];
        var codes = InferencePlan.FromCompressed(file, shape, batch);
        var floats = InferencePlan.Compile((Sequential)file.Model.Network, shape, batch);
        Assert.All(codes.Steps.Where(s => s.Format is not null), s => Assert.Equal("codebook", s.Kind));
        Assert.Equal(file.Codes.Count, codes.Steps.Count(s => s.Format is not null));
        Assert.True(codes.WeightBytes < floats.WeightBytes, $"codes {codes.WeightBytes} B, floats {floats.WeightBytes} B");
        var rng = new Random(8);
        for (int trial = 0; trial < 3; trial++)
        {
            var x = Tensor.RandomUniform(rng, 1f, batch, 1, 28, 28).Data;
            if (trial == 1) for (int i = 0; i < x.Length; i += 3) x[i] = 0; // zero windows are skipped
            var a = new float[batch * 10];
            var b = new float[batch * 10];
            codes.Run(x, a);
            floats.Run(x, b);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-4f * (1 + Math.Abs(b[i])), $"{name} batch {batch} output {i}: codes {a[i]}, floats {b[i]}");
        }
    }

    [Theory]
    [InlineData("fc1.weight", 1)] // a codes layer with its rows reordered, feeding a (column-permuted) float layer
    [InlineData("fc2.weight", 3)] // a codes layer whose inputs arrive permuted by a reordered float sell layer
    public void Codes_and_float_sell_layers_mix_in_one_plan(string coded, int batch)
    {
        var file = Container("lenet-300-100", 0.92);
        var model = (Sequential)file.Model.Network;
        var options = new PlanOptions { Format = SparseFormat.Sell, Codes = new Dictionary<string, QuantizedLayerCodes> { [coded] = file.Codes[coded] } };
        var plan = InferencePlan.Compile(model, [1, 28, 28], batch, options);
        Assert.Equal(["codebook", "sell"], plan.Steps.Where(s => s.Format is not null).Select(s => s.Kind).Distinct().Order());
        Assert.Equal(coded[..3], plan.Steps.Single(s => s.Kind == "codebook").Name[..3]);
        var x = Tensor.RandomUniform(new Random(11), 1f, batch, 1, 28, 28);
        var expected = model.Forward(x, training: false).Data;
        var y = new float[batch * 10];
        plan.Run(x.Data, y);
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"{coded} output {i}: {y[i]} vs {expected[i]}\n{plan.Describe()}");
    }

    [Fact]
    public void Evaluating_from_codes_gives_the_decoded_models_error()
    {
        var file = Container("lenet-300-100", 0.92);
        var rng = new Random(9);
        const int count = 230; // not a multiple of the plan batch
        var images = Tensor.RandomUniform(rng, 1f, count, 1, 28, 28).Data;
        var labels = Enumerable.Range(0, count).Select(_ => rng.Next(10)).ToArray();
        var data = new ImageDataset("random", images, labels, 1, 28, 28, 10);
        var expected = TrainingRun.Evaluate(file.Model.Network, data);
        var plan = InferencePlan.FromCompressed(file, [1, 28, 28], 100);
        var actual = PlanEvaluator.Evaluate(plan, data);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Correct, actual.Correct);
        Assert.Equal(expected.Loss, actual.Loss, 4);
        var wrong = new ImageDataset("small", new float[4 * 25], new int[4], 1, 5, 5, 10);
        Assert.Throws<ArgumentException>(() => PlanEvaluator.Evaluate(plan, wrong));
    }

    [Fact]
    public void Codes_of_the_wrong_shape_are_rejected()
    {
        var file = Container("lenet-300-100", 0.92);
        var other = Container("lenet-5", 0.9);
        var mixed = new Dictionary<string, QuantizedLayerCodes> { ["fc1.weight"] = other.Codes["fc1.weight"] };
        Assert.Throws<ArgumentException>(() => InferencePlan.Compile((Sequential)file.Model.Network, [1, 28, 28], 1, new PlanOptions { Codes = mixed }));
    }
}
