// One small model per exportable layer and mode — activations, (log-)softmax with both axis semantics, shape
// layers, grouped / depthwise / dilated / asymmetric convolutions, every pooling mode, global max pooling — exported
// at opsets 13, 18 and 21 and run in ONNX Runtime with Topiary's outputs (within 1e-4·max|output|, seeded inputs,
// batch 1 and 3). Inputs are scaled in-graph where a layer's kinks lie outside (−1, 1), so every piece of every
// activation is exercised. Also: the operator forms and attributes chosen per opset and setting.
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Tensors;
using Topiary.Tests.IO;
using static Topiary.Tests.Onnx.OnnxTestSupport;

namespace Topiary.Tests.Onnx;

public class OnnxLayerExportTests
{
    // x → x·k → layer → y, as a Graph (k a scalar constant).
    private static Graph Scaled(Module layer, float k) => new(["x"],
        [new("scale", new ElementwiseOp(ElementwiseKind.Mul), ["x", "k"], ["s"]), new("layer", layer, "s", "y")],
        ["y"], [new KeyValuePair<string, Tensor>("k", new Tensor([k], 1))]);

    private static readonly int[] Image = [3, 4, 5];
    private static readonly int[] ConvImage = [4, 9, 8];

    private static Random Rng(string name) => new(name.Length * 31 + name[0]);

    private static (Module Model, int[] Shape) Case(string name) => name switch
    {
        "leaky-relu" => (new LeakyReLU(0.2f), Image),
        "hardtanh" => (new Hardtanh(-0.5f, 0.7f), Image),
        "relu6" => (Scaled(Hardtanh.ReLU6(), 8), Image),
        "hardtanh-min-only" => (new Hardtanh(-0.25f, float.PositiveInfinity), Image),
        "hardtanh-max-only" => (new Hardtanh(float.NegativeInfinity, 0.25f), Image),
        "sigmoid" => (Scaled(new Sigmoid(), 4), Image),
        "tanh" => (Scaled(new Tanh(), 3), Image),
        "hardsigmoid" => (Scaled(new HardSigmoid(0.3f, 0.4f), 4), Image),
        "hardswish" => (Scaled(new HardSwish(), 5), Image),
        "softmax-axis1" => (Scaled(new Softmax(1), 3), Image),
        "softmax-last" => (Scaled(new Softmax(-1), 3), Image),
        "softmax-coerce-axis1" => (Scaled(new Softmax(1, coerceTo2D: true), 3), Image),
        "logsoftmax-axis2" => (Scaled(new LogSoftmax(2), 3), Image),
        "logsoftmax-coerce-axis2" => (Scaled(new LogSoftmax(2, coerceTo2D: true), 3), Image),
        "flatten-axis2" => (new Topiary.Nn.Flatten(2), Image),
        "permute-nhwc" => (new Permute(0, 2, 3, 1), Image),
        "reshape-copy-infer" => (new Reshape([0, -1]), Image),
        "reshape-copy-middle" => (new Reshape([0, 0, 2, -1]), Image),
        "pad-constant" => (new Pad([0, 0, 1, 2, 0, 0, 2, 1], PadMode.Constant, 0.5f), Image),
        "pad-reflect" => (new Pad([0, 0, 2, 1, 0, 0, 1, 3], PadMode.Reflect), Image),
        "pad-edge" => (new Pad([0, 1, 1, 0, 0, 0, 2, 2], PadMode.Edge), Image),
        "pad-crop" => (new Pad([0, 0, -1, 1, 0, 0, 1, -2]), Image),
        "reducemean-hw-keep" => (new ReduceMean([2, 3]), Image),
        "reducemean-c-drop" => (new ReduceMean([1], keepDims: false), Image),
        "reducemean-negative" => (new ReduceMean([-1, -2], keepDims: false), Image),
        "slice-to-end" => (new Slice([1], [long.MaxValue], [1]), Image),
        "slice-reverse" => (new Slice([-1], [long.MinValue], [2], [-1]), Image),
        "slice-steps" => (new Slice([0, 4], [5, 0], [-1, 2], [2, -2]), Image),
        "conv-grouped" => (new Conv2d(4, 6, 3, Rng(name), padding: 1, groups: 2), ConvImage),
        "conv-depthwise-stride2" => (new Conv2d(4, 8, 3, Rng(name), stride: 2, padding: 1, groups: 4), ConvImage),
        "conv-dilated" => (new Conv2d(4, 3, 3, Rng(name), padding: 2, dilation: 2), ConvImage),
        "conv-asymmetric" => (new Conv2d(4, 5, (3, 2), Rng(name), (2, 1), (0, 1, 1, 0), (1, 2), bias: false), ConvImage),
        "maxpool-ceil" => (new MaxPool2d(3, 2, 1, ceilMode: true), ConvImage),
        "maxpool-rect-asymmetric" => (new MaxPool2d((3, 2), (2, 1), (1, 0, 1, 1)), ConvImage),
        "avgpool-ceil-include-pad" => (new AvgPool2d(3, 2, 1, ceilMode: true), ConvImage),
        "avgpool-exclude-pad" => (new AvgPool2d(3, 2, 1, countIncludePad: false), ConvImage),
        "avgpool-ceil-exclude-pad" => (new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false), ConvImage),
        "avgpool-rect-asymmetric" => (new AvgPool2d((2, 3), (1, 2), (1, 1, 0, 1), ceilMode: true), ConvImage),
        "global-maxpool" => (new GlobalMaxPool2d(), ConvImage),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string, int> Cases
    {
        get
        {
            string[] names =
            [
                "leaky-relu", "hardtanh", "relu6", "hardtanh-min-only", "hardtanh-max-only", "sigmoid", "tanh", "hardsigmoid",
                "hardswish", "softmax-axis1", "softmax-last", "softmax-coerce-axis1", "logsoftmax-axis2", "logsoftmax-coerce-axis2",
                "flatten-axis2", "permute-nhwc", "reshape-copy-infer", "reshape-copy-middle", "pad-constant", "pad-reflect",
                "pad-edge", "pad-crop", "reducemean-hw-keep", "reducemean-c-drop", "reducemean-negative", "slice-to-end",
                "slice-reverse", "slice-steps", "conv-grouped", "conv-depthwise-stride2", "conv-dilated", "conv-asymmetric",
                "maxpool-ceil", "maxpool-rect-asymmetric", "avgpool-ceil-include-pad", "avgpool-exclude-pad",
                "avgpool-ceil-exclude-pad", "avgpool-rect-asymmetric", "global-maxpool",
            ];
            var data = new TheoryData<string, int>();
            foreach (string n in names)
                foreach (int opset in new[] { 13, 18, 21 }) data.Add(n, opset);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layer_RunsInOnnxRuntimeWithOurOutputs(string name, int opset)
    {
        using var dir = new TempDirectory();
        var (model, shape) = Case(name);
        string path = dir.File($"{name}-{opset}.onnx");
        OnnxExporter.Export(model, shape, path, new OnnxExportOptions { Opset = opset, InputName = "x", OutputName = "y" });
        foreach (int batch in new[] { 1, 3 })
        {
            int[] full = [batch, .. shape];
            float[] x = RandomInput(7 * batch + opset, full.Aggregate(1, (a, b) => a * b));
            float[] reference = RunOrt(path, x, full, "x", "y");
            Assert.True(reference.Max(MathF.Abs) > 0, $"{name}: all outputs are zero");
            AssertClose(reference, RunOurs(model, x, full), $"{name} opset {opset} batch {batch}");
        }
    }

    private static GraphProto Exported(Module model, int[] shape, int opset)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.onnx");
        OnnxExporter.Export(model, shape, path, new OnnxExportOptions { Opset = opset });
        return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
    }

    [Fact]
    public void OperatorForms_FollowTheOpset()
    {
        Assert.Equal(["HardSigmoid", "Mul"], Exported(new HardSwish(), Image, 13).Node.Select(n => n.OpType));
        Assert.Equal(["HardSwish"], Exported(new HardSwish(), Image, 14).Node.Select(n => n.OpType));

        var old = Exported(new ReduceMean([2, 3]), Image, 17).Node.Single();
        Assert.Equal([2L, 3L], old.Attribute.Single(a => a.Name == "axes").Ints);
        Assert.Single(old.Input);
        var reduce18 = Exported(new ReduceMean([2, 3]), Image, 18);
        Assert.DoesNotContain(reduce18.Node.Single().Attribute, a => a.Name == "axes");
        Assert.Equal(["input", "layer.axes"], reduce18.Node.Single().Input);

        var clip = Exported(new Hardtanh(float.NegativeInfinity, 2f), Image, 13).Node.Single();
        Assert.Equal(["input", "", "layer.max"], clip.Input);
        Assert.Equal(["Shape", "Flatten", "Softmax", "Reshape"], Exported(new Softmax(1, coerceTo2D: true), Image, 13).Node.Select(n => n.OpType));
        Assert.Equal(["Softmax"], Exported(new Softmax(-1, coerceTo2D: true), Image, 13).Node.Select(n => n.OpType));

        var conv = Exported(new Conv2d(4, 5, (3, 2), new Random(1), (2, 1), (0, 1, 1, 0), (1, 2), groups: 1), ConvImage, 13).Node.Single();
        Assert.Equal([0L, 1, 1, 0], conv.Attribute.Single(a => a.Name == "pads").Ints);
        Assert.Equal([1L, 2], conv.Attribute.Single(a => a.Name == "dilations").Ints);
        var pool = Exported(new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false), ConvImage, 13).Node.Single();
        Assert.Equal(1, pool.Attribute.Single(a => a.Name == "ceil_mode").I);
        Assert.Equal(0, pool.Attribute.Single(a => a.Name == "count_include_pad").I);
        Assert.DoesNotContain(Exported(new MaxPool2d(2), ConvImage, 13).Node.Single().Attribute, a => a.Name == "ceil_mode");
    }
}
