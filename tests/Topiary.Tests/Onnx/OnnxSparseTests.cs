// SparseTensorProto initializers: a pruned model exported with OnnxExportOptions.SparseInitializers runs in ONNX
// Runtime with the same outputs as its dense export and as Topiary, is smaller, imports to the same weights and
// re-exports byte for byte; the density threshold decides which weights go sparse; [NNZ, rank] coordinate indices
// are read too; bad sparse tensors (unsorted, duplicate, out-of-range indices, count mismatch) are InvalidDataException.
using Topiary.Models;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Tensors;
using Topiary.Tests.IO;
using Xunit.Abstractions;
using static Topiary.Tests.Onnx.OnnxGraphModels;
using static Topiary.Tests.Onnx.OnnxTestSupport;

namespace Topiary.Tests.Onnx;

public class OnnxSparseTests(ITestOutputHelper output)
{
    private static readonly OnnxExportOptions Sparse = new() { SparseInitializers = true };

    // (The branched ResNet-like model with sparse initializers is run in ONNX Runtime by OnnxCliGraphTests.)
    [Theory]
    [InlineData("lenet-5")]
    [InlineData("lenet-300-100")]
    public void PrunedModel_SparseExport_MatchesDenseExportInOnnxRuntime(string name)
    {
        using var dir = new TempDirectory();
        Module model = ModelZoo.Create(name, seed: 21);
        Prune(model, 0.8, seed: 22);
        string dense = dir.File("dense.onnx"), sparse = dir.File("sparse.onnx");
        OnnxExporter.Export(model, [1, 28, 28], dense);
        OnnxExporter.Export(model, [1, 28, 28], sparse, Sparse);

        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(sparse)).Graph;
        var weights = model.NamedParameters().Where(p => p.Parameter.Mask is not null && (p.Name.EndsWith(".weight", StringComparison.Ordinal))).ToList();
        var conv = model.NamedModules().Where(m => m.Module is Conv2d or Linear).Select(m => m.Name + ".weight").ToHashSet();
        Assert.Equal(conv.Order(), graph.SparseInitializer.Select(s => s.Values.Name).Order());
        Assert.DoesNotContain(graph.Initializer, t => conv.Contains(t.Name));
        long denseBytes = new FileInfo(dense).Length, sparseBytes = new FileInfo(sparse).Length;
        output.WriteLine($"{name}: dense {denseBytes} bytes, sparse {sparseBytes} bytes ({weights.Count} pruned weights)");
        Assert.True(sparseBytes < denseBytes, $"sparse file {sparseBytes} bytes is not smaller than dense {denseBytes}");

        const int batch = 16;
        float[] x = MnistImages(batch);
        int[] shape = [batch, 1, 28, 28];
        float[] reference = RunOrt(dense, x, shape);
        AssertClose(reference, RunOrt(sparse, x, shape), $"{name}: ORT sparse vs ORT dense");
        AssertClose(reference, RunOurs(model, x, shape), $"{name}: ORT dense vs Topiary");
    }

    [Fact]
    public void SparseExport_ImportsToTheSameWeights_AndReexportsByteIdentical()
    {
        using var dir = new TempDirectory();
        var model = InceptionLike(seed: 31);
        Prune(model, 0.7, seed: 32);
        string first = dir.File("first.onnx"), second = dir.File("second.onnx");
        OnnxExporter.Export(model, [1, 28, 28], first, Sparse);
        var (imported, info) = OnnxImporter.Import(first);
        OnnxExporter.Export(imported, [1, 28, 28], second, Sparse);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Contains("inception.1.conv.weight", info.SparseInitializers);
        Assert.DoesNotContain("inception.1.conv.bias", info.SparseInitializers);
        var original = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.Data);
        foreach (var (pname, p) in imported.NamedParameters()) Assert.Equal(original[pname], p.Value.Data);
    }

    [Theory]
    [InlineData(0.5, 0.4, true)]
    [InlineData(0.5, 0.6, false)]
    [InlineData(0.7, 0.6, true)]
    public void DensityThreshold_DecidesWhichWeightsGoSparse(double threshold, double keep, bool expectSparse)
    {
        using var dir = new TempDirectory();
        var fc = new Linear(10, 10, new Random(1));
        var mask = new Tensor(10, 10);
        for (int i = 0; i < (int)(keep * 100); i++) mask.Data[i * 7 % 100] = 1; // exactly keep·100 distinct entries
        fc.Weight.SetMask(mask);
        string path = dir.File("fc.onnx");
        OnnxExporter.Export(new Sequential().Add("fc", fc), [10], path, Sparse with { SparseDensityThreshold = threshold });
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        Assert.Equal(expectSparse, graph.SparseInitializer.Any(s => s.Values.Name == "fc.weight"));
        Assert.Equal(!expectSparse, graph.Initializer.Any(t => t.Name == "fc.weight"));
        if (expectSparse)
        {
            var s = graph.SparseInitializer.Single();
            Assert.Equal([10L, 10L], s.Dims);
            Assert.Equal((int)(keep * 100), s.Values.Dims[0]);
            Assert.Equal(TensorProto.Types.DataType.Int64, (TensorProto.Types.DataType)s.Indices.DataType);
        }
    }

    [Fact]
    public void ThresholdOutsideUnitInterval_IsRejected()
    {
        using var dir = new TempDirectory();
        var model = new Linear(2, 2, new Random(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(model, [2], dir.File("a.onnx"), Sparse with { SparseDensityThreshold = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.Export(model, [2], dir.File("b.onnx"), Sparse with { SparseDensityThreshold = 1.5 }));
    }

    // [NNZ, rank] coordinates (the other index layout the spec allows) give the same weights as linear indices.
    [Fact]
    public void CoordinateIndices_AreReadLikeLinearIndices()
    {
        using var dir = new TempDirectory();
        string coo = Write(FcGraph(Sparse2D("W", [2, 3], [1.5f, -2f, 4f], [0, 1, 1, 0, 1, 2], coordinates: true)), dir.File("coo.onnx"));
        string lin = Write(FcGraph(Sparse2D("W", [2, 3], [1.5f, -2f, 4f], [1, 3, 5], coordinates: false)), dir.File("lin.onnx"));
        float[] expected = [0, 1.5f, 0, -2f, 0, 4f];
        foreach (string path in new[] { coo, lin })
        {
            var (model, info) = OnnxImporter.Import(path);
            Assert.Equal(["W"], info.SparseInitializers);
            Assert.Equal(expected, ((Linear)((Sequential)model)[0]).Weight.Value.Data);
            float[] x = RandomInput(5, 4 * 3);
            AssertClose(RunOrt(path, x, [4, 3], "x", "y"), RunOurs(model, x, [4, 3]), path);
        }
    }

    [Theory]
    [InlineData(new long[] { 3, 1, 5 }, "strictly ascending")]
    [InlineData(new long[] { 1, 1, 5 }, "strictly ascending")]
    [InlineData(new long[] { 1, 3, 6 }, "outside [0, 6)")]
    [InlineData(new long[] { -1, 3, 5 }, "outside [0, 6)")]
    [InlineData(new long[] { 1, 3 }, "2 indices for 3 values")]
    public void BadSparseInitializer_IsInvalidData_NamingIt(long[] indices, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(FcGraph(Sparse2D("W", [2, 3], [1.5f, -2f, 4f], indices, coordinates: false)), dir.File("bad.onnx"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(path));
        Assert.Contains("sparse initializer 'W'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SparseAndDenseInitializerWithTheSameName_IsInvalidData()
    {
        using var dir = new TempDirectory();
        var graph = FcGraph(Sparse2D("W", [2, 3], [1f], [0], coordinates: false));
        graph.Initializer.Add(FloatTensor("W", [2, 3], new float[6]));
        string path = Write(graph, dir.File("twice.onnx"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Import(path));
        Assert.Contains("'W'", e.Message, StringComparison.Ordinal);
    }

    // x [N, 3] → Gemm(x, W [2, 3] sparse, transB 1) → y [N, 2], IR 8.
    private static GraphProto FcGraph(SparseTensorProto w)
    {
        var graph = new GraphProto { Name = "fc" };
        graph.Input.Add(FloatValue("x", 3));
        graph.Output.Add(FloatValue("y", 2));
        graph.SparseInitializer.Add(w);
        var gemm = Node("fc", "Gemm", ["x", "W"], "y");
        gemm.Attribute.Add(IntAttr("transB", 1));
        graph.Node.Add(gemm);
        return graph;
    }

    private static SparseTensorProto Sparse2D(string name, int[] dims, float[] values, long[] indices, bool coordinates)
    {
        var s = new SparseTensorProto
        {
            Values = FloatTensor(name, [values.Length], values),
            Indices = Int64Tensor(name + "_idx", coordinates ? [indices.Length / dims.Length, dims.Length] : [indices.Length], indices),
        };
        s.Dims.Add(dims.Select(d => (long)d));
        return s;
    }

    // Seeded random 0/1 masks removing `fraction` of every conv / linear weight.
    private static void Prune(Module model, double fraction, int seed)
    {
        var rng = new Random(seed);
        foreach (var (_, m) in model.NamedModules())
        {
            var p = m switch { Conv2d c => c.Weight, Linear l => l.Weight, _ => null };
            if (p is null) continue;
            var mask = new Tensor(p.Value.Shape.ToArray());
            for (int i = 0; i < mask.Length; i++) mask.Data[i] = rng.NextDouble() < fraction ? 0f : 1f;
            p.SetMask(mask);
        }
    }
}
