// OnnxImporter against a real PyTorch export (shared/models/mnist-cnn-pytorch.onnx) with ONNX Runtime as
// the oracle on real MNIST test images, plus the error contract: unsupported operators name the node and
// op type, corrupt files name the file.
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Topiary.Data;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Tests.IO;
using Xunit.Abstractions;
using static Topiary.Tests.Onnx.OnnxTestSupport;

namespace Topiary.Tests.Onnx;

public class OnnxImportTests(ITestOutputHelper output)
{
    [Fact]
    public void SharedPyTorchModel_ImportsAsChainWithPyTorchParameterNames()
    {
        string path = SharedModelPath();
        var (model, info) = OnnxImporter.Import(path);

        var seq = Assert.IsType<Sequential>(model);
        Assert.Equal("pytorch", info.ProducerName);
        Assert.Equal("input", info.InputName);
        Assert.Equal("output", info.OutputName);
        Assert.Equal(new[] { 1, 28, 28 }, info.InputShape);
        Assert.False(info.EndsWithSoftmax);
        var names = model.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }, names);
        foreach (string name in names) Assert.Equal(name, info.ParameterSources[name]);
        Assert.IsType<Conv2d>(seq["conv1"]);
        Assert.IsType<Linear>(seq["fc2"]);
        output.WriteLine(model.ToString());
    }

    // The first 2,000 test images keep the suite fast; on all 10,000 both runtimes score 9,787 (97.87 %).
    [Fact]
    public void SharedPyTorchModel_MatchesOnnxRuntimeOnMnistTestImages()
    {
        const int n = 2000, batch = 500;
        string path = SharedModelPath();
        var (model, _) = OnnxImporter.Import(path);
        var test = Mnist.Load(DatasetSplit.Test, transform: PixelTransform.MnistNormalize);
        int size = test.ImageSize;
        int[] labels = test.Labels[..n];

        using var session = new InferenceSession(path);
        var reference = new float[n * 10];
        var ours = new float[n * 10];
        for (int start = 0; start < n; start += batch)
        {
            float[] x = test.Images.AsSpan(start * size, batch * size).ToArray();
            int[] shape = [batch, 1, 28, 28];
            RunOrt(session, x, shape).CopyTo(reference, start * 10);
            RunOurs(model, x, shape).CopyTo(ours, start * 10);
        }

        AssertClose(reference, ours, $"mnist-cnn-pytorch logits, {n} test images");
        int correctOrt = Correct(reference, labels, 10), correctOurs = Correct(ours, labels, 10);
        output.WriteLine($"accuracy on {n} test images: ours {correctOurs} ({correctOurs / (double)n:P2}), ONNX Runtime {correctOrt} ({correctOrt / (double)n:P2})");
        Assert.Equal(correctOrt, correctOurs);
        Assert.True(correctOurs > 0.95 * n, $"accuracy {correctOurs}/{n} is implausibly low for a trained MNIST CNN");
    }

    [Fact]
    public void UnsupportedOperator_NamesNodeAndOpType()
    {
        using var dir = new TempDirectory();
        var model = ChainModel(("relu_a", "Relu"), ("my_sin", "Sin"));
        string path = dir.File("sin.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var e = Assert.Throws<NotSupportedException>(() => OnnxImporter.Import(path));
        Assert.Contains("my_sin", e.Message, StringComparison.Ordinal);
        Assert.Contains("Sin", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BranchingGraph_ImportsAsAGraph()
    {
        using var dir = new TempDirectory();
        var model = ChainModel(("relu_a", "Relu"), ("relu_b", "Relu"));
        model.Graph.Node[1].Input[0] = "x"; // consumes the graph input instead of relu_a's output: a branch
        string path = dir.File("branch.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var graph = Assert.IsType<Graph>(OnnxImporter.Import(path).Model);
        Assert.Equal(["relu_a", "relu_b"], graph.Nodes.Select(n => n.Name));
        Assert.Equal("x", Assert.Single(graph.Inputs));
    }

    [Fact]
    public void LayerNames_FollowTheWeightNames_OrThePyTorchScope()
    {
        using var dir = new TempDirectory();
        var graph = new GraphProto { Name = "scoped" };
        graph.Input.Add(OnnxGraphModels.FloatValue("x", 2, 6, 6));
        graph.Output.Add(OnnxGraphModels.FloatValue("y", 3, 6, 6));
        graph.Initializer.Add(OnnxGraphModels.FloatTensor("layer1.0.conv1.weight", [3, 2, 1, 1], RandomInput(1, 6)));
        graph.Initializer.Add(OnnxGraphModels.FloatTensor("conv2_w_0", [3, 3, 1, 1], RandomInput(2, 9)));
        graph.Node.Add(Node("/layer1/layer1.0/conv1/Conv", "Conv", ["x", "layer1.0.conv1.weight"], "a"));
        graph.Node.Add(Node("/layer1/layer1.0/relu/Relu", "Relu", ["a"], "b"));
        graph.Node.Add(Node("/layer1/layer1.0/Relu", "Relu", ["b"], "c"));
        graph.Node.Add(Node("", "Conv", ["c", "conv2_w_0"], "y"));
        string path = OnnxGraphModels.Write(graph, dir.File("scoped.onnx"));
        var (model, info) = OnnxImporter.Import(path);
        Assert.Equal(["layer1.0.conv1.weight", "conv2.weight"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal("conv2_w_0", info.ParameterSources["conv2.weight"]);
        var layer = Assert.IsType<Sequential>(Assert.IsType<Sequential>(model)["layer1"])["0"];
        Assert.Equal(["conv1", "relu"], ((Sequential)layer).NamedChildren().Select(c => c.Name));
        Assert.Equal(["0", "0_1"], ((Sequential)((Sequential)model)["layer1"]).NamedChildren().Select(c => c.Name)); // the functional Relu
        Assert.IsType<Conv2d>(((Sequential)model)["conv2"]);
    }

    [Fact]
    public void UnsupportedAttribute_NamesNode()
    {
        using var dir = new TempDirectory();
        var model = ChainModel(("pool_dilated", "MaxPool"));
        var node = model.Graph.Node[0];
        var ks = new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints };
        ks.Ints.Add([2, 2]);
        node.Attribute.Add(ks);
        var dilations = new AttributeProto { Name = "dilations", Type = AttributeProto.Types.AttributeType.Ints };
        dilations.Ints.Add([2, 2]);
        node.Attribute.Add(dilations);
        string path = dir.File("dilated.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var e = Assert.Throws<NotSupportedException>(() => OnnxImporter.Import(path));
        Assert.Contains("pool_dilated", e.Message, StringComparison.Ordinal);
        Assert.Contains("dilations", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedFile_ThrowsInvalidDataNamingTheFile()
    {
        using var dir = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(SharedModelPath());
        string path = dir.File("truncated.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageFile_ThrowsInvalidDataNamingTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("garbage.onnx");
        File.WriteAllBytes(path, "this is not a protobuf model\n"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongInitializerSize_ThrowsInvalidDataNamingTensor()
    {
        using var dir = new TempDirectory();
        var model = ChainModel(("fc", "Gemm"));
        var w = new TensorProto { Name = "fc.weight", DataType = (int)TensorProto.Types.DataType.Float };
        w.Dims.Add([3, 4]);
        w.FloatData.Add([1f, 2f, 3f]); // 12 needed
        model.Graph.Initializer.Add(w);
        model.Graph.Node[0].Input.Add("fc.weight");
        string path = dir.File("short.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(path));
        Assert.Contains("fc.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    // MatMul + Add, Gemm with transB = 0 / alpha / beta, Dropout, Identity, Constant + Reshape [0, -1] and a
    // final Softmax: none of these are produced by our exporter, so the graph is written by hand.
    [Fact]
    public void HandWrittenGraph_MatMulGemmReshapeSoftmax_MatchesOnnxRuntime()
    {
        using var dir = new TempDirectory();
        var graph = new GraphProto { Name = "mlp" };
        graph.Input.Add(FloatValue("x", "N", 6));
        graph.Output.Add(FloatValue("probs", "N", 3));
        graph.Initializer.Add(FloatTensor("W1", [6, 4], RandomInput(1, 24)));
        graph.Initializer.Add(FloatTensor("b1", [4], RandomInput(2, 4)));
        graph.Initializer.Add(FloatTensor("W2", [4, 3], RandomInput(3, 12)));
        graph.Initializer.Add(FloatTensor("b2", [3], RandomInput(4, 3)));
        var shape = new TensorProto { Name = "shape", DataType = (int)TensorProto.Types.DataType.Int64 };
        shape.Dims.Add(2);
        shape.Int64Data.Add([0, -1]);
        graph.Node.Add(Node("mm", "MatMul", ["x", "W1"], "h0"));
        graph.Node.Add(Node("add", "Add", ["h0", "b1"], "h1"));
        graph.Node.Add(Node("act", "Relu", ["h1"], "h2"));
        var gemm = Node("gemm", "Gemm", ["h2", "W2", "b2"], "h3");
        gemm.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 0.5f });
        gemm.Attribute.Add(new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = 2f });
        graph.Node.Add(gemm);
        graph.Node.Add(Node("drop", "Dropout", ["h3"], "h4"));
        graph.Node.Add(Node("id", "Identity", ["h4"], "h5"));
        var constant = Node("const", "Constant", [], "target");
        constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = shape });
        graph.Node.Add(constant);
        graph.Node.Add(Node("reshape", "Reshape", ["h5", "target"], "h6"));
        graph.Node.Add(Node("softmax", "Softmax", ["h6"], "probs"));
        var proto = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "hand" };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        string path = dir.File("mlp.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());

        var (model, info) = OnnxImporter.Import(path);
        Assert.True(info.EndsWithSoftmax);
        Assert.Equal(new[] { 6 }, info.InputShape);
        Assert.Equal("W1", info.ParameterSources["mm.weight"]);
        Assert.Equal("b1", info.ParameterSources["mm.bias"]);
        Assert.Equal(new[] { 4, 6 }, ((Linear)((Sequential)model)["mm"]).Weight.Value.Shape.ToArray());

        const int batch = 5;
        float[] x = RandomInput(9, batch * 6);
        float[] reference = RunOrt(path, x, [batch, 6], "x", "probs");
        float[] probs = RunOurs(model, x, [batch, 6]);
        Assert.IsType<Softmax>(((Sequential)model)["softmax"]);
        AssertClose(reference, probs, "hand-written MLP (the Softmax is part of the imported model)");
    }

    private static NodeProto Node(string name, string op, string[] inputs, string output)
    {
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    // float [batch, features] with a symbolic batch dimension.
    private static ValueInfoProto FloatValue(string name, string batch, int features)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = features });
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
        return new ValueInfoProto { Name = name, Type = type };
    }

    private static TensorProto FloatTensor(string name, int[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(dims.Select(d => (long)d));
        t.FloatData.Add(values);
        return t;
    }

    // x [N, 2, 6, 6] → node_1 → ... → y, opset 13, no initializers.
    private static ModelProto ChainModel(params (string Name, string Op)[] nodes)
    {
        var graph = new GraphProto { Name = "test" };
        graph.Input.Add(OnnxGraphModels.FloatValue("x", 2, 6, 6));
        string current = "x";
        for (int i = 0; i < nodes.Length; i++)
        {
            var node = new NodeProto { Name = nodes[i].Name, OpType = nodes[i].Op };
            node.Input.Add(current);
            current = i == nodes.Length - 1 ? "y" : nodes[i].Name + "_out";
            node.Output.Add(current);
            graph.Node.Add(node);
        }
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }
}
