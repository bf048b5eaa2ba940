// ONNX Runtime as the oracle for each new layer: a single-node ModelProto is built here (in memory, with the ops'
// attribute or input forms of the opset named), ORT runs it on a seeded random input, and our layer must agree
// within 1e-5 of the largest reference magnitude (element-wise ops, softmax, mean) or exactly (pure data movement),
// with the same output shape. Old-opset forms (attributes instead of inputs, Softmax's 2-D coercion) are covered.
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;
using static Topiary.Tests.Onnx.OnnxGraphModels;

namespace Topiary.Tests.Nn;

public class OnnxOpParityTests
{
    // ---- element-wise activations ---------------------------------------------------------------------------

    [Theory]
    [InlineData(6, null)]      // attribute omitted: alpha = 0.01
    [InlineData(16, 0.1f)]
    [InlineData(16, -0.3f)]
    public void LeakyRelu(int opset, float? alpha)
    {
        var node = Node("n", "LeakyRelu", ["input"], "output");
        if (alpha is float a) node.Attribute.Add(FloatAttr("alpha", a));
        Compare(node, opset, alpha is null ? new LeakyReLU() : new LeakyReLU(alpha.Value), [2, 3, 4, 5], scale: 3);
    }

    [Fact]
    public void Clip_opset_6_attributes()
    {
        var node = Node("n", "Clip", ["input"], "output");
        node.Attribute.Add(FloatAttr("min", 0f));
        node.Attribute.Add(FloatAttr("max", 6f));
        Compare(node, 6, Hardtanh.ReLU6(), [2, 3, 4, 5], scale: 8);
    }

    [Theory]
    [InlineData(-0.5f, 0.7f)]
    [InlineData(0f, null)]            // Clip(min = 0): ReLU written as Clip
    [InlineData(null, 0.25f)]
    public void Clip_opset_13_inputs(float? min, float? max)
    {
        var inits = new List<TensorProto>();
        if (min is float lo) inits.Add(FloatTensor("min", [], [lo]));
        if (max is float hi) inits.Add(FloatTensor("max", [], [hi]));
        var node = Node("n", "Clip", ["input", min is null ? "" : "min", max is null ? "" : "max"], "output");
        Compare(node, 13, new Hardtanh(min ?? float.NegativeInfinity, max ?? float.PositiveInfinity), [3, 17], scale: 2, initializers: [.. inits]);
    }

    [Fact]
    public void Sigmoid() => Compare(Node("n", "Sigmoid", ["input"], "output"), 13, new Sigmoid(), [4, 33], scale: 8);

    [Fact]
    public void Tanh() => Compare(Node("n", "Tanh", ["input"], "output"), 13, new Tanh(), [4, 33], scale: 4);

    [Theory]
    [InlineData(null, null)]          // ONNX defaults 0.2, 0.5
    [InlineData(1f / 6, 0.5f)]        // PyTorch nn.Hardsigmoid
    public void HardSigmoid(float? alpha, float? beta)
    {
        var node = Node("n", "HardSigmoid", ["input"], "output");
        if (alpha is float a) node.Attribute.Add(FloatAttr("alpha", a));
        if (beta is float b) node.Attribute.Add(FloatAttr("beta", b));
        Compare(node, 6, new HardSigmoid(alpha ?? 0.2f, beta ?? 0.5f), [2, 3, 5, 5], scale: 5);
    }

    [Fact]
    public void HardSwish() => Compare(Node("n", "HardSwish", ["input"], "output"), 14, new HardSwish(), [2, 3, 5, 5], scale: 5);

    // ---- softmax: opset 13 per-axis semantics vs the older 2-D coercion --------------------------------------

    [Theory]
    [InlineData("Softmax", 13, null, new[] { 2, 3, 4, 5 })]     // default axis −1
    [InlineData("Softmax", 13, 1, new[] { 2, 3, 4, 5 })]
    [InlineData("Softmax", 13, 0, new[] { 2, 3, 4, 5 })]
    [InlineData("Softmax", 13, -2, new[] { 2, 3, 4, 5 })]
    [InlineData("Softmax", 13, 0, new[] { 6, 7 })]
    [InlineData("Softmax", 11, null, new[] { 2, 3, 4, 5 })]     // default axis 1, coerced to [2, 60]
    [InlineData("Softmax", 11, 2, new[] { 2, 3, 4, 5 })]
    [InlineData("Softmax", 1, null, new[] { 6, 7 })]
    [InlineData("Softmax", 11, -1, new[] { 2, 3, 4, 5 })]       // last axis: both semantics agree
    [InlineData("LogSoftmax", 13, null, new[] { 2, 3, 4, 5 })]
    [InlineData("LogSoftmax", 13, 1, new[] { 2, 3, 4, 5 })]
    [InlineData("LogSoftmax", 13, 0, new[] { 6, 7 })]
    [InlineData("LogSoftmax", 11, null, new[] { 2, 3, 4, 5 })]
    [InlineData("LogSoftmax", 11, 2, new[] { 2, 3, 4, 5 })]
    public void Softmax_and_LogSoftmax(string op, int opset, int? axis, int[] shape)
    {
        var node = Node("n", op, ["input"], "output");
        if (axis is int a) node.Attribute.Add(IntAttr("axis", a));
        bool legacy = opset < 13;
        int ours = axis ?? (legacy ? 1 : -1);
        Module layer = op == "Softmax" ? new Softmax(ours, coerceTo2D: legacy) : new LogSoftmax(ours, coerceTo2D: legacy);
        Compare(node, opset, layer, shape, scale: 4);
    }

    [Fact]
    public void Opset_11_Softmax_differs_from_the_per_axis_softmax_off_the_last_axis()
    {
        var node = Node("n", "Softmax", ["input"], "output");
        var x = OnnxTestSupportInput(31, [2, 3, 4]);
        var (reference, _) = RunOrt(node, 11, x, [2, 3, 4]);
        var perAxis = new Softmax(1).Forward(new Tensor(x, 2, 3, 4), false).Data;
        Assert.True(reference.Zip(perAxis).Max(p => Math.Abs(p.First - p.Second)) > 0.01f);
    }

    // ---- data movement (exact) --------------------------------------------------------------------------------

    [Theory]
    [InlineData(new[] { 2, 4, 5, 3 }, new[] { 0, 3, 1, 2 })]    // NHWC → NCHW
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 0, 2, 3, 1 })]    // NCHW → NHWC
    [InlineData(new[] { 3, 4, 5 }, new[] { 2, 0, 1 })]
    [InlineData(new[] { 5, 7 }, new[] { 1, 0 })]
    public void Transpose(int[] shape, int[] perm)
    {
        var node = Node("n", "Transpose", ["input"], "output");
        node.Attribute.Add(IntsAttr("perm", perm.Select(p => (long)p)));
        Compare(node, 13, new Permute(perm), shape, exact: true);
    }

    [Theory]
    [InlineData(new long[] { 0, -1 })]
    [InlineData(new long[] { 0, 4, -1 })]
    [InlineData(new long[] { -1 })]
    [InlineData(new long[] { 0, 0, 20 })]
    [InlineData(new long[] { 0, 12, 5, 1 })]
    public void Reshape_with_a_dynamic_batch(long[] spec)
    {
        var node = Node("n", "Reshape", ["input", "shape"], "output");
        var shapeInit = Int64Tensor("shape", [spec.Length], spec);
        foreach (int n in new[] { 2, 5 })
            Compare(node, 13, new Reshape(spec), [n, 3, 4, 5], exact: true, dynamicBatch: true, initializers: shapeInit);
    }

    [Theory]
    [InlineData(13, 1)]
    [InlineData(13, 0)]
    [InlineData(13, 2)]
    [InlineData(13, -1)]
    [InlineData(13, 4)]
    [InlineData(9, null)]     // attribute omitted: axis 1
    public void Flatten(int opset, int? axis)
    {
        var node = Node("n", "Flatten", ["input"], "output");
        if (axis is int a) node.Attribute.Add(IntAttr("axis", a));
        Compare(node, opset, axis is int b ? new Topiary.Nn.Flatten(b) : new Topiary.Nn.Flatten(), [2, 3, 4, 5], exact: true);
    }

    [Theory]
    [InlineData("constant", new long[] { 0, 0, 1, 2, 0, 0, 2, 1 })]
    [InlineData("reflect", new long[] { 0, 0, 1, 2, 0, 0, 2, 3 })]
    [InlineData("edge", new long[] { 0, 0, 3, 2, 0, 0, 2, 4 })]
    [InlineData("constant", new long[] { 0, -1, 1, -2, 1, 0, -1, 2 })]   // negative pads crop
    [InlineData("reflect", new long[] { 0, 0, -1, 2, 0, 1, 2, -2 })]
    [InlineData("edge", new long[] { 0, 0, 2, -3, 0, 0, -2, 3 })]
    [InlineData("reflect", new long[] { 1, 2, 3, 2, 1, 2, 3, 4 })]       // batch and channels too
    public void Pad_opset_13_inputs(string mode, long[] pads)
    {
        var node = Node("n", "Pad", ["input", "pads", mode == "constant" ? "value" : ""], "output");
        node.Attribute.Add(StringAttr("mode", mode));
        var inits = new List<TensorProto> { Int64Tensor("pads", [pads.Length], pads) };
        if (mode == "constant") inits.Add(FloatTensor("value", [], [1.25f]));
        Compare(node, 13, new Pad(pads, ParseMode(mode), 1.25f), [2, 3, 5, 6], exact: true, initializers: [.. inits]);
    }

    [Theory]
    [InlineData(null, new long[] { 0, 0, 1, 1, 0, 0, 1, 1 })]       // mode omitted: constant, value 0
    [InlineData("constant", new long[] { 0, 1, 0, 2, 0, 0, 3, 0 })]
    [InlineData("reflect", new long[] { 0, 0, 2, 1, 0, 0, 1, 2 })]
    [InlineData("edge", new long[] { 0, 0, 2, 1, 0, 0, 1, 2 })]
    public void Pad_opset_2_attributes(string? mode, long[] pads)
    {
        var node = Node("n", "Pad", ["input"], "output");
        node.Attribute.Add(IntsAttr("pads", pads));
        if (mode is not null) node.Attribute.Add(StringAttr("mode", mode));
        if (mode == "constant") node.Attribute.Add(FloatAttr("value", -2.5f));
        Compare(node, 2, new Pad(pads, ParseMode(mode ?? "constant"), mode == "constant" ? -2.5f : 0f), [2, 3, 5, 6], exact: true);
    }

    [Theory]
    [InlineData(new long[] { 2, 3 }, true)]
    [InlineData(new long[] { 2, 3 }, false)]
    [InlineData(new long[] { 1 }, false)]
    [InlineData(new long[] { -1, 0 }, true)]
    [InlineData(new long[0], true)]          // axes omitted: all axes
    [InlineData(new long[0], false)]
    public void ReduceMean_opset_13_attributes_and_opset_18_inputs(long[] axes, bool keepDims)
    {
        var layer = new ReduceMean(axes.Select(a => (int)a).ToArray(), keepDims);

        var attr = Node("n", "ReduceMean", ["input"], "output");
        if (axes.Length > 0) attr.Attribute.Add(IntsAttr("axes", axes));
        if (!keepDims) attr.Attribute.Add(IntAttr("keepdims", 0));
        Compare(attr, 13, layer, [2, 3, 4, 5], scale: 2);

        var input = Node("n", "ReduceMean", axes.Length > 0 ? ["input", "axes"] : ["input"], "output");
        if (!keepDims) input.Attribute.Add(IntAttr("keepdims", 0));
        var inits = axes.Length > 0 ? new[] { Int64Tensor("axes", [axes.Length], axes) } : [];
        Compare(input, 18, layer, [2, 3, 4, 5], scale: 2, initializers: inits);
    }

    public static TheoryData<long[], long[], long[]?, long[]?> SliceCases => new()
    {
        { [1, 0], [3, 5], null, null },
        { [-1], [long.MinValue], [1], [-1] },                                 // reverse
        { [5, -2], [0, long.MinValue], [3, 0], [-2, -1] },
        { [1, -100], [long.MaxValue, 100], [-1, 2], [2, 1] },                 // clamping and INT64 max
        { [3, 2], [0, -5], [3, 1], [-3, -1] },
        { [0, 1, 2, 3], [1, 3, 4, long.MaxValue], [0, 1, 2, 3], [1, 1, 3, 2] },
        { [2], [2], [1], [1] },                                               // empty
    };

    [Theory]
    [MemberData(nameof(SliceCases))]
    public void Slice_opset_13_inputs(long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        var names = new List<string> { "input", "starts", "ends" };
        var inits = new List<TensorProto> { Int64Tensor("starts", [starts.Length], starts), Int64Tensor("ends", [ends.Length], ends) };
        if (axes is not null || steps is not null)
        {
            names.Add(axes is null ? "" : "axes");
            if (axes is not null) inits.Add(Int64Tensor("axes", [axes.Length], axes));
        }
        if (steps is not null)
        {
            names.Add("steps");
            inits.Add(Int64Tensor("steps", [steps.Length], steps));
        }
        var node = Node("n", "Slice", [.. names], "output");
        Compare(node, 13, new Slice(starts, ends, axes, steps), [4, 6, 5, 7], exact: true, initializers: [.. inits]);
    }

    [Fact]
    public void Slice_opset_1_attributes()
    {
        var node = Node("n", "Slice", ["input"], "output");
        node.Attribute.Add(IntsAttr("starts", [1, -3]));
        node.Attribute.Add(IntsAttr("ends", [long.MaxValue, -1]));
        node.Attribute.Add(IntsAttr("axes", [0, 3]));
        Compare(node, 1, new Slice([1, -3], [long.MaxValue, -1], [0, 3]), [4, 6, 5, 7], exact: true);
    }

    // ---- machinery --------------------------------------------------------------------------------------------

    private static void Compare(NodeProto node, int opset, Module layer, int[] shape, float scale = 1, bool exact = false,
        bool dynamicBatch = false, params TensorProto[] initializers)
    {
        var x = OnnxTestSupportInput(17 + shape.Sum(), shape);
        for (int i = 0; i < x.Length; i++) x[i] *= scale;
        var (reference, refShape) = RunOrt(node, opset, x, shape, dynamicBatch, initializers);
        var ours = layer.Forward(new Tensor((float[])x.Clone(), shape), training: false);
        string what = $"{node.OpType}-{opset} vs {layer} on {Tensor.ShapeString(shape)}";
        Assert.True(refShape.SequenceEqual(ours.Shape.ToArray().Select(d => (long)d)),
            $"{what}: ORT shape [{string.Join(", ", refShape)}], ours {Tensor.ShapeString(ours.Shape)}");
        if (exact) Assert.Equal(reference, ours.Data);
        else AssertClose(reference, ours.Data, 1e-5f, what);
    }

    private static float[] OnnxTestSupportInput(int seed, int[] shape) =>
        Topiary.Tests.Onnx.OnnxTestSupport.RandomInput(seed, shape.Aggregate(1, (p, d) => p * d));

    private static (float[] Data, long[] Shape) RunOrt(NodeProto node, int opset, float[] x, int[] shape,
        bool dynamicBatch = false, params TensorProto[] initializers)
    {
        var graph = new GraphProto { Name = node.OpType.ToLowerInvariant() };
        graph.Node.Add(node);
        graph.Input.Add(dynamicBatch ? FloatValue("input", shape[1..]) : StaticValue("input", shape));
        graph.Output.Add(new ValueInfoProto
        {
            Name = "output",
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });
        graph.Initializer.Add(initializers);
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "topiary-tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        using var session = new InferenceSession(model.ToByteArray());
        using var value = OrtValue.CreateTensorValueFromMemory((float[])x.Clone(), shape.Select(d => (long)d).ToArray());
        using var options = new RunOptions();
        using var outputs = session.Run(options, ["input"], [value], ["output"]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
    }

    private static ValueInfoProto StaticValue(string name, int[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (int d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    // max |ours − reference| ≤ rtol · max |reference|, printing the first difference and the largest.
    private static void AssertClose(float[] reference, float[] ours, float rtol, string what)
    {
        Assert.Equal(reference.Length, ours.Length);
        float tolerance = rtol * Math.Max(reference.Max(MathF.Abs), 1e-30f);
        int worst = 0, firstBad = -1;
        for (int i = 0; i < reference.Length; i++)
        {
            float d = MathF.Abs(reference[i] - ours[i]);
            if (d > MathF.Abs(reference[worst] - ours[worst])) worst = i;
            if (!(d <= tolerance) && firstBad < 0) firstBad = i;
        }
        if (firstBad >= 0)
            Assert.Fail($"{what}: first difference at [{firstBad}]: ORT {reference[firstBad]}, ours {ours[firstBad]}; largest |diff| " +
                $"{MathF.Abs(reference[worst] - ours[worst])} at [{worst}]; tolerance {tolerance}.");
    }

    private static PadMode ParseMode(string mode) => mode switch
    {
        "reflect" => PadMode.Reflect,
        "edge" => PadMode.Edge,
        _ => PadMode.Constant,
    };

    private static AttributeProto FloatAttr(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto IntsAttr(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }

    private static AttributeProto StringAttr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
