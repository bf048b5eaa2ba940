// Malformed and unsupported ONNX graphs are rejected with the specific exception and a message naming the file,
// node, op type and tensor: cycles, inputs nothing produces, tensors produced twice, truncated files, wrong tensor
// data types (InvalidDataException); Concat on axis 2, forks whose branches never join, a branch output used outside
// its block, a join of branches from different forks, a Softmax inside the graph (NotSupportedException).
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Tests.IO;
using static Topiary.Tests.Onnx.OnnxGraphModels;

namespace Topiary.Tests.Onnx;

public class OnnxMalformedTests
{
    private static GraphProto Graph(params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Input.Add(FloatValue("x", 2, 4, 4));
        graph.Output.Add(FloatValue("y", 4, 4, 4));
        graph.Node.Add(nodes);
        return graph;
    }

    private static TException Rejected<TException>(GraphProto graph, string name, params string[] expected) where TException : Exception
    {
        using var dir = new TempDirectory();
        string path = Write(graph, dir.File(name + ".onnx"));
        var e = Assert.Throws<TException>(() => OnnxImporter.Import(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        foreach (string s in expected) Assert.Contains(s, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void Cycle_IsInvalidData_NamingNodesAndTensor()
    {
        var graph = Graph(
            Node("first", "Relu", ["x"], "a"),
            Node("loop_a", "Add", ["a", "c"], "b"),
            Node("loop_b", "Relu", ["b"], "c"),
            Node("last", "Relu", ["c"], "y"));
        var e = Rejected<InvalidDataException>(graph, "cycle", "cycle", "loop_a", "loop_b");
        Assert.True(e.Message.Contains("'b'", StringComparison.Ordinal) || e.Message.Contains("'c'", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void MissingInitializer_IsInvalidData_NamingNodeAndTensor()
    {
        var conv = Node("conv", "Conv", ["x", "conv.weight"], "y");
        Rejected<InvalidDataException>(Graph(conv), "missing", "'conv'", "Conv", "'conv.weight'", "not produced");
    }

    [Fact]
    public void MissingNodeInput_IsInvalidData_NamingNodeAndTensor() =>
        Rejected<InvalidDataException>(Graph(Node("r1", "Relu", ["x"], "a"), Node("r2", "Relu", ["ghost"], "y")), "ghost", "'r2'", "'ghost'");

    [Fact]
    public void DuplicateOutputName_IsInvalidData_NamingBothNodes() =>
        Rejected<InvalidDataException>(Graph(Node("r1", "Relu", ["x"], "y"), Node("r2", "Relu", ["x"], "y")), "dup", "'r2'", "'r1'", "'y'");

    [Fact]
    public void WrongTensorDataType_IsInvalidData_NamingTensor()
    {
        var graph = Graph(Node("conv", "Conv", ["x", "w"], "y"));
        var w = Int64Tensor("w", [4, 2, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8]);
        graph.Initializer.Add(w);
        Rejected<InvalidDataException>(graph, "int64", "'w'", "INT64", "FLOAT");
    }

    [Fact]
    public void TruncatedExport_IsInvalidData_AtSeveralCutPoints()
    {
        using var dir = new TempDirectory();
        string full = dir.File("full.onnx");
        OnnxExporter.Export(ResNetLike(seed: 1), [1, 28, 28], full);
        byte[] bytes = File.ReadAllBytes(full);
        foreach (double fraction in new[] { 0.1, 0.5, 0.9 })
        {
            string path = dir.File($"cut{fraction}.onnx");
            File.WriteAllBytes(path, bytes[..(int)(bytes.Length * fraction)]);
            var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ConcatOnAxis2_IsNotSupported_NamingNode()
    {
        var concat = Node("cat", "Concat", ["a", "b"], "y");
        concat.Attribute.Add(IntAttr("axis", 2));
        Rejected<NotSupportedException>(Graph(Node("r1", "Relu", ["x"], "a"), Node("r2", "Relu", ["x"], "b"), concat), "axis2",
            "'cat'", "Concat", "axis 2");
    }

    [Fact]
    public void ForkWhoseBranchesNeverJoin_IsNotSupported_NamingBranches() =>
        Rejected<NotSupportedException>(
            Graph(Node("left", "Relu", ["x"], "a"), Node("right", "Relu", ["x"], "b"), Node("after", "Relu", ["a"], "y")), "nojoin",
            "'x'", "'left' (op Relu)", "'right' (op Relu)", "nothing uses", "graph output");

    [Fact]
    public void BranchOutputUsedOutsideItsBlock_IsNotSupported()
    {
        // x → inner → t1 → relu → t2; join = t2 + x; but t1 is also read after the join.
        var graph = Graph(
            Node("inner", "Relu", ["x"], "t1"),
            Node("relu", "Relu", ["t1"], "t2"),
            Node("join", "Add", ["t2", "x"], "t3"),
            Node("late", "Add", ["t3", "t1"], "y"));
        Rejected<NotSupportedException>(graph, "escape", "'t1'", "'join' (op Add", "'late' (op Add");
    }

    [Fact]
    public void JoinOfBranchesFromDifferentForks_IsNotSupported()
    {
        // Fork 1 at x: a, b. Fork 2 at a: c, d. Joins: (c + b) and (d + ...) mix the forks.
        var graph = Graph(
            Node("a", "Relu", ["x"], "ta"),
            Node("b", "Relu", ["x"], "tb"),
            Node("c", "Relu", ["ta"], "tc"),
            Node("d", "Relu", ["ta"], "td"),
            Node("mix", "Add", ["tc", "tb"], "tm"),
            Node("out", "Add", ["tm", "td"], "y"));
        Rejected<NotSupportedException>(graph, "mix", "'mix' (op Add");
    }

    [Fact]
    public void SoftmaxInsideTheGraph_IsNotSupported()
    {
        var graph = Graph(Node("sm", "Softmax", ["x"], "p"), Node("r", "Relu", ["p"], "y"));
        Rejected<NotSupportedException>(graph, "softmax", "'sm'", "Softmax", "inside the graph");
    }

    [Fact]
    public void NodeAfterTheGraphOutput_IsNotSupported() =>
        Rejected<NotSupportedException>(Graph(Node("r1", "Relu", ["x"], "y"), Node("r2", "Relu", ["y"], "z")), "after", "'r2'", "graph output");

    [Fact]
    public void ConcatOfAFork_WithIdentityBranch_Imports()
    {
        using var dir = new TempDirectory();
        var concat = Node("cat", "Concat", ["x", "a"], "y");
        concat.Attribute.Add(IntAttr("axis", -3));
        var graph = Graph(Node("r", "Relu", ["x"], "a"), concat);
        string path = Write(graph, dir.File("ok.onnx"));
        var seq = Assert.IsType<Topiary.Nn.Sequential>(OnnxImporter.Import(path).Model);
        var cat = Assert.IsType<Topiary.Nn.Concat>(seq["cat"]);
        Assert.IsType<Topiary.Nn.Identity>(cat.Branches[0]);
        float[] x = OnnxTestSupport.RandomInput(1, 3 * 2 * 16);
        OnnxTestSupport.AssertClose(OnnxTestSupport.RunOrt(path, x, [3, 2, 4, 4], "x", "y"), OnnxTestSupport.RunOurs(seq, x, [3, 2, 4, 4]), "concat(x, relu x)");
    }
}
