// Malformed and unsupported ONNX graphs are rejected with the specific exception and a message naming the file,
// node, op type and tensor: cycles, inputs nothing produces, tensors produced twice, truncated files, wrong tensor
// data types (InvalidDataException); operators outside the supported set, all named at once (NotSupportedException).
// Graph shapes the first, tree-shaped importer refused (Concat on axis 2, forks that never join, a branch output used
// outside its block, joins of different forks, a Softmax inside the graph) now import and match ONNX Runtime.
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

    // Graph shapes the first importer refused (it mapped only chains and fork-join blocks onto Residual / Concat) and the
    // general graph imports: each must compute what ONNX Runtime computes, at batch 3.
    private static void ImportsAndMatches(GraphProto graph, string name, string output = "y")
    {
        using var dir = new TempDirectory();
        string path = Write(graph, dir.File(name + ".onnx"));
        var model = OnnxImporter.Import(path).Model;
        float[] x = OnnxTestSupport.RandomInput(7, 3 * 2 * 16);
        OnnxTestSupport.AssertClose(OnnxTestSupport.RunOrt(path, x, [3, 2, 4, 4], "x", output), OnnxTestSupport.RunOurs(model, x, [3, 2, 4, 4]), name);
    }

    [Fact]
    public void ConcatOnAxis2_Imports()
    {
        var concat = Node("cat", "Concat", ["a", "b"], "y");
        concat.Attribute.Add(IntAttr("axis", 2));
        ImportsAndMatches(Graph(Node("r1", "Relu", ["x"], "a"), Node("r2", "Sigmoid", ["x"], "b"), concat), "axis2");
    }

    [Fact]
    public void ForkWhoseBranchesNeverJoin_Imports() =>
        ImportsAndMatches(Graph(Node("left", "Relu", ["x"], "a"), Node("right", "Relu", ["x"], "b"), Node("after", "Sigmoid", ["a"], "y")), "nojoin");

    [Fact]
    public void BranchOutputUsedOutsideItsBlock_Imports() =>
        // x → inner → t1 → relu → t2; join = t2 + x; t1 is also read after the join.
        ImportsAndMatches(Graph(
            Node("inner", "Sigmoid", ["x"], "t1"),
            Node("relu", "Relu", ["t1"], "t2"),
            Node("join", "Add", ["t2", "x"], "t3"),
            Node("late", "Mul", ["t3", "t1"], "y")), "escape");

    [Fact]
    public void JoinOfBranchesFromDifferentForks_Imports() =>
        // Fork 1 at x: a, b. Fork 2 at a: c, d. Joins (c + b) and (mix + d) mix the forks.
        ImportsAndMatches(Graph(
            Node("a", "Relu", ["x"], "ta"),
            Node("b", "Sigmoid", ["x"], "tb"),
            Node("c", "Relu", ["ta"], "tc"),
            Node("d", "Sigmoid", ["ta"], "td"),
            Node("mix", "Add", ["tc", "tb"], "tm"),
            Node("out", "Sub", ["tm", "td"], "y")), "mix");

    [Fact]
    public void SoftmaxInsideTheGraph_Imports() =>
        ImportsAndMatches(Graph(Node("sm", "Softmax", ["x"], "p"), Node("r", "Relu", ["p"], "y")), "softmax");

    [Fact]
    public void NodeAfterTheGraphOutput_Imports() =>
        ImportsAndMatches(Graph(Node("r1", "Sigmoid", ["x"], "y"), Node("r2", "Relu", ["y"], "z")), "after");

    [Fact]
    public void UnknownOperators_AreAllNamedInOneMessage()
    {
        var zipmap = Node("zm", "ZipMap", ["p"], "y");
        zipmap.Domain = "ai.onnx.ml";
        Rejected<NotSupportedException>(Graph(Node("am", "ArgMax", ["x"], "p"), zipmap), "zipmap", "ArgMax (node 'am')", "ZipMap (node 'zm', domain ai.onnx.ml)");
    }

    [Fact]
    public void ConcatOfAFork_WithIdentityBranch_Imports()
    {
        var concat = Node("cat", "Concat", ["x", "a"], "y");
        concat.Attribute.Add(IntAttr("axis", -3));
        ImportsAndMatches(Graph(Node("r", "Relu", ["x"], "a"), concat), "identity-branch");
    }
}
