// ONNX importer fuzzing: mutations of models written by our own exporter (an MLP, a small CNN with BatchNorm, LRN
// and both poolings, a ResNet-like and an Inception-like graph, a pruned MLP with sparse initializers) and of the
// PyTorch-exported fixture (picked less often: it is 1.7 MB), imported through OnnxImporter.Import(path) — the call
// `topiary import` makes. Documented: InvalidDataException (corrupt protobuf, malformed graph or tensor) and
// NotSupportedException (an operator, setting or graph shape Topiary cannot represent). Half of the mutated inputs
// come from OnnxProtoMutator (well-formed protobuf, edited graph), the rest from byte-level mutations.
using Google.Protobuf;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Onnx.Proto;
using Topiary.Pruning;
using Topiary.Tests.Onnx;
using Xunit.Abstractions;

namespace Topiary.Tests.Reliability;

[Collection("Fuzz")]
[Trait("Category", "Fuzz")]
public sealed class OnnxFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = FuzzHarness.ScratchDirectory("onnx");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private byte[] Exported(Module model, int[] inputShape, bool sparse = false)
    {
        string path = Path.Combine(_dir, "seed.onnx");
        OnnxExporter.Export(model, inputShape, path, new OnnxExportOptions { SparseInitializers = sparse });
        return File.ReadAllBytes(path);
    }

    private static Sequential Mlp(int seed)
    {
        var rng = new Random(seed);
        return new Sequential().Add("flatten", new Flatten()).Add("fc1", new Linear(16, 8, rng)).Add("relu", new ReLU()).Add("fc2", new Linear(8, 3, rng));
    }

    private static Sequential SmallCnn(int seed)
    {
        var rng = new Random(seed);
        return new Sequential()
            .Add("conv1", new Conv2d(1, 3, 3, rng, padding: 1))
            .Add("bn", new BatchNorm2d(3))
            .Add("relu", new ReLU())
            .Add("lrn", new LocalResponseNorm(3, 1e-4f, 0.75f, 1f))
            .Add("pool", new MaxPool2d(2))
            .Add("conv2", new Conv2d(3, 4, 3, rng, stride: 2))
            .Add("avg", new AvgPool2d(1))
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(4, 2, rng));
    }

    internal FuzzTarget Target()
    {
        var pruned = Mlp(2);
        foreach (var l in PrunableLayer.Find(pruned)) MagnitudePruner.Elementwise.Apply(l, new SparsityTarget(0.8));
        FuzzSeed[] seeds =
        [
            new("mlp", Exported(Mlp(1), [1, 4, 4]), Weight: 3),
            new("cnn", Exported(SmallCnn(1), [1, 8, 8]), Weight: 3),
            new("resnet-like", Exported(OnnxGraphModels.ResNetLike(1), [1, 8, 8]), Weight: 3),
            new("inception-like", Exported(OnnxGraphModels.InceptionLike(1), [1, 28, 28]), Weight: 3),
            new("sparse-mlp", Exported(pruned, [1, 4, 4], sparse: true), Weight: 3),
            new("pytorch-cnn", File.ReadAllBytes(OnnxTestSupport.SharedModelPath())),
        ];
        string path = Path.Combine(_dir, "input.onnx");
        return new FuzzTarget("onnx", seeds, input =>
        {
            File.WriteAllBytes(path, input);
            var (model, info) = OnnxImporter.Import(path);
            Assert.Equal(path, info.Path);
            Assert.NotNull(model);
        }, typeof(InvalidDataException), typeof(NotSupportedException))
        {
            Structured = OnnxProtoMutator.Mutate,
        };
    }

    // Found by the fuzzer: a static input dimension of 2^31-1 reached new Tensor([1, 2147483647, 4, 4]) for the zero
    // example, which threw ArgumentException ("too many elements"); smaller huge shapes would have been allocated.
    [Fact]
    public void Regression_huge_static_input_shape_is_NotSupported_naming_the_input()
    {
        var model = ModelProto.Parser.ParseFrom(Exported(Mlp(1), [1, 4, 4]));
        model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue = int.MaxValue;
        string path = Path.Combine(_dir, "huge-input.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        var e = Assert.Throws<NotSupportedException>(() => OnnxImporter.Import(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("input 'input'", e.Message, StringComparison.Ordinal);
    }

    // Not reachable by the edge-value mutations, so built by hand: a 4-byte-per-channel 1x1 convolution on a 2048x2048
    // input is a tiny file whose zero-example output would be 32 x 2048 x 2048 values (537 MB, twice: output and its
    // transposed workspace). The size is now checked before the layer runs.
    [Fact]
    public void Regression_convolution_with_a_huge_activation_is_NotSupported_before_allocating()
    {
        var graph = new GraphProto { Name = "g" };
        graph.Input.Add(OnnxGraphModels.FloatValue("x", 1, 2048, 2048));
        graph.Output.Add(OnnxGraphModels.FloatValue("y", 32, 2048, 2048));
        graph.Initializer.Add(OnnxGraphModels.FloatTensor("conv.weight", [32, 1, 1, 1], new float[32]));
        graph.Node.Add(OnnxGraphModels.Node("conv", "Conv", ["x", "conv.weight"], "y"));
        string path = OnnxGraphModels.Write(graph, Path.Combine(_dir, "wide.onnx"));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<NotSupportedException>(() => OnnxImporter.Import(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 << 20, $"allocated {allocated:N0} bytes");
        Assert.Contains("node 'conv' (op Conv)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutated_onnx_models_import_or_throw_a_documented_exception()
    {
        var report = FuzzHarness.Run(Target());
        output.WriteLine(report.ToString());
        FuzzHarness.AssertClean(report, nameof(OnnxFuzzTests));
        FuzzHarness.AssertMutatorBalance(report);
    }
}
