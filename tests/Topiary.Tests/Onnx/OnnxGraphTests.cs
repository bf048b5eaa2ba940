// ONNX graphs with branches: Residual (identity and projection shortcuts, conv + BN) and Concat (Inception-like,
// identity branch, Concat nested in a Residual) exported, run in ONNX Runtime on real MNIST test images with our
// outputs, imported back into the same block structure with the same outputs, and re-exported byte for byte; plus
// hand-written PyTorch-style graphs (Add with the shortcut first, unsorted node order).
using Microsoft.ML.OnnxRuntime;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Tests.IO;
using static Topiary.Tests.Onnx.OnnxGraphModels;
using static Topiary.Tests.Onnx.OnnxTestSupport;

namespace Topiary.Tests.Onnx;

public class OnnxGraphTests
{
    public static TheoryData<string> Models => ["resnet", "inception"];

    private static Sequential Create(string name) => name == "resnet" ? ResNetLike(seed: 11) : InceptionLike(seed: 12);

    [Theory]
    [MemberData(nameof(Models))]
    public void BranchedModel_OnnxRuntimeAndReimportMatchOurs_OnMnist(string name)
    {
        using var dir = new TempDirectory();
        var model = Create(name);
        string path = dir.File(name + ".onnx");
        OnnxExporter.Export(model, [1, 28, 28], path);
        var (imported, _) = OnnxImporter.Import(path);

        const int batch = 32;
        int[] shape = [batch, 1, 28, 28];
        float[] x = MnistImages(batch);
        using var session = new InferenceSession(path);
        float[] reference = RunOrt(session, x, shape);
        Assert.True(reference.Max(MathF.Abs) > 0, "degenerate model: all outputs are zero");
        AssertClose(reference, RunOurs(model, x, shape), $"{name}: ONNX Runtime vs Topiary");
        AssertClose(reference, RunOurs(imported, x, shape), $"{name}: ONNX Runtime vs re-imported");
        float[] single = x[..784];
        AssertClose(RunOrt(session, single, [1, 1, 28, 28]), RunOurs(imported, single, [1, 1, 28, 28]), $"{name}: batch 1");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ExportImportExport_IsByteIdentical_WithSameNamesAndStructure(string name)
    {
        // The first export writes the Sequential/Residual/Concat tree; its import is a Graph over the same tensor names,
        // and from then on export ∘ import is a fixed point: the second and third files are byte-identical.
        using var dir = new TempDirectory();
        var model = Create(name);
        string first = dir.File("first.onnx"), second = dir.File("second.onnx"), third = dir.File("third.onnx");
        OnnxExporter.Export(model, [1, 28, 28], first);
        var (imported, info) = OnnxImporter.Import(first);
        OnnxExporter.Export(imported, [1, 28, 28], second);
        OnnxExporter.Export(OnnxImporter.Import(second).Model, [1, 28, 28], third);

        Assert.Equal(File.ReadAllBytes(second), File.ReadAllBytes(third));
        Assert.Equal(model.NamedParameters().Select(p => p.Name), imported.NamedParameters().Select(p => p.Name));
        Assert.Equal(model.NamedBuffers().Select(b => b.Name), imported.NamedBuffers().Select(b => b.Name));
        foreach (var (pname, _) in imported.NamedParameters()) Assert.Equal(pname, info.ParameterSources[pname]);
        var original = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.Data);
        foreach (var (pname, p) in imported.NamedParameters()) Assert.Equal(original[pname], p.Value.Data);
    }

    [Fact]
    public void ResNetImport_KeepsIdentityAndProjectionShortcutsAsAddNodes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("resnet.onnx");
        OnnxExporter.Export(ResNetLike(seed: 3), [1, 28, 28], path);
        var graph = Assert.IsType<Graph>(OnnxImporter.Import(path).Model);

        // res1: identity shortcut — the Add reads the body's last BN and the block input (relu's output).
        var res1 = graph.Node("res1");
        Assert.Equal(ElementwiseKind.Add, Assert.IsType<ElementwiseOp>(res1.Module).Kind);
        Assert.Equal("res1.body.bn2", graph.Producer(res1.Inputs[0])!.Name);
        Assert.Equal("relu", graph.Producer(res1.Inputs[1])!.Name);
        // res2: projection shortcut — 1×1 conv + BN on the block input.
        var res2 = graph.Node("res2");
        Assert.Equal("res2.shortcut.bn", graph.Producer(res2.Inputs[1])!.Name);
        Assert.IsType<Conv2d>(graph.Node("res2.shortcut.conv").Module);
        Assert.Equal(2, graph.Consumers(graph.Node("relu1").Outputs[0]).Count);
    }

    [Fact]
    public void InceptionImport_KeepsBranchesInOrder_WithIdentityBranchAndNestedConcat()
    {
        using var dir = new TempDirectory();
        string path = dir.File("inception.onnx");
        OnnxExporter.Export(InceptionLike(seed: 4), [1, 28, 28], path);
        var graph = Assert.IsType<Graph>(OnnxImporter.Import(path).Model);

        var inception = graph.Node("inception");
        Assert.Equal(1, Assert.IsType<Cat>(inception.Module).Axis);
        Assert.Equal(4, inception.Inputs.Count);
        Assert.Equal("inception.0", graph.Producer(inception.Inputs[0])!.Name);
        Assert.Equal("inception.1.conv", graph.Producer(inception.Inputs[1])!.Name);
        Assert.Equal("relu", graph.Producer(inception.Inputs[3])!.Name); // the identity branch reads the block input
        var res = graph.Node("res");
        Assert.IsType<ElementwiseOp>(res.Module);
        Assert.IsType<Cat>(graph.Producer(res.Inputs[0])!.Module);
    }

    // PyTorch writes `out += identity` as Add(body, x) and a downsample block as Add(body, shortcut); here the
    // identity comes first and the nodes are listed out of order, which the importer must not care about.
    [Fact]
    public void HandWrittenResidual_ShortcutFirstAndUnsortedNodes_MatchesOnnxRuntime()
    {
        using var dir = new TempDirectory();
        var graph = new GraphProto { Name = "res" };
        graph.Input.Add(FloatValue("x", 6));
        graph.Output.Add(FloatValue("y", 3));
        graph.Initializer.Add(FloatTensor("W1", [6, 6], RandomInput(1, 36)));
        graph.Initializer.Add(FloatTensor("b1", [6], RandomInput(2, 6)));
        graph.Initializer.Add(FloatTensor("W2", [3, 6], RandomInput(3, 18)));
        var gemm2 = Node("head", "Gemm", ["s", "W2"], "y");
        gemm2.Attribute.Add(IntAttr("transB", 1));
        graph.Node.Add(gemm2);
        graph.Node.Add(Node("join", "Add", ["x", "h1"], "s"));
        graph.Node.Add(Node("act", "Relu", ["h0"], "h1"));
        graph.Node.Add(Node("fc", "Gemm", ["x", "W1", "b1"], "h0"));
        string path = Write(graph, dir.File("res.onnx"));

        var (model, info) = OnnxImporter.Import(path);
        var imported = Assert.IsType<Graph>(model);
        Assert.Equal(["fc", "act", "join", "head"], imported.Nodes.Select(n => n.Name));
        Assert.Equal(["x", "h1"], imported.Node("join").Inputs);
        Assert.Equal("W1", info.ParameterSources["fc.weight"]);
        float[] x = RandomInput(4, 5 * 6);
        AssertClose(RunOrt(path, x, [5, 6], "x", "y"), RunOurs(model, x, [5, 6]), "hand-written residual");
    }

    [Fact]
    public void ExportedGraph_HasAddAndConcatNodesNamedAfterTheBlocks()
    {
        using var dir = new TempDirectory();
        string path = dir.File("inception.onnx");
        OnnxExporter.Export(InceptionLike(seed: 5), [1, 28, 28], path);
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        var concat = graph.Node.Single(n => n.Name == "inception");
        Assert.Equal("Concat", concat.OpType);
        Assert.Equal(4, concat.Input.Count);
        Assert.Equal(1, concat.Attribute.Single(a => a.Name == "axis").I);
        Assert.Equal("relu_output_1", concat.Input[3]); // the identity branch reads the block input itself
        Assert.Equal("Add", graph.Node.Single(n => n.Name == "res").OpType);
        Assert.Contains(graph.Initializer, t => t.Name == "inception.1.reduce.weight");
    }
}
