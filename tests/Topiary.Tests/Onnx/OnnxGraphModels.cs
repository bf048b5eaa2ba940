// OnnxGraphModels: small seeded Topiary models with branches for the ONNX graph tests (a ResNet-like net with
// identity and projection shortcuts, conv + BN; an Inception-like net with a 4-branch Concat — one branch the
// identity — and a Residual whose body is a Concat), real MNIST test images, and hand-built ONNX protos.
using Google.Protobuf;
using Topiary.Data;
using Topiary.Nn;
using Topiary.Onnx.Proto;

namespace Topiary.Tests.Onnx;

internal static class OnnxGraphModels
{
    /// <summary>stem → res1 (identity shortcut) → res2 (stride-2 body, 1×1 conv + BN projection) → GAP → fc.</summary>
    public static Sequential ResNetLike(int seed)
    {
        var rng = new Random(seed);
        return new Sequential()
            .Add("stem", new Conv2d(1, 8, 3, rng, padding: 1))
            .Add("bn", Bn(8, rng))
            .Add("relu", new ReLU())
            .Add("res1", new Residual(new Sequential()
                .Add("conv1", new Conv2d(8, 8, 3, rng, padding: 1)).Add("bn1", Bn(8, rng)).Add("relu", new ReLU())
                .Add("conv2", new Conv2d(8, 8, 3, rng, padding: 1)).Add("bn2", Bn(8, rng))))
            .Add("relu1", new ReLU())
            .Add("res2", new Residual(
                new Sequential()
                    .Add("conv1", new Conv2d(8, 16, 3, rng, stride: 2, padding: 1)).Add("bn1", Bn(16, rng)).Add("relu", new ReLU())
                    .Add("conv2", new Conv2d(16, 16, 3, rng, padding: 1)).Add("bn2", Bn(16, rng)),
                new Sequential().Add("conv", new Conv2d(8, 16, 1, rng, stride: 2)).Add("bn", Bn(16, rng))))
            .Add("relu2", new ReLU())
            .Add("drop", new Dropout(0.5f, seed: 1))
            .Add("gap", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(16, 10, rng));
    }

    /// <summary>stem → inception (1×1 | 1×1→3×3 | pool→1×1 | identity) → res (body = Concat of two 1×1 convs) → pool → fc.</summary>
    public static Sequential InceptionLike(int seed)
    {
        var rng = new Random(seed);
        var inception = new Concat(
            new Conv2d(4, 4, 1, rng),
            new Sequential().Add("reduce", new Conv2d(4, 2, 1, rng)).Add("relu", new ReLU()).Add("conv", new Conv2d(2, 4, 3, rng, padding: 1)),
            new Sequential().Add("pool", new MaxPool2d(3, 1, 1)).Add("proj", new Conv2d(4, 2, 1, rng)),
            new Identity());
        return new Sequential()
            .Add("stem", new Conv2d(1, 4, 3, rng, stride: 2))
            .Add("relu", new ReLU())
            .Add("inception", inception)
            .Add("res", new Residual(new Concat(new Conv2d(14, 7, 1, rng), new Sequential().Add("a", new Conv2d(14, 7, 1, rng)).Add("relu", new ReLU()))))
            .Add("pool", new AvgPool2d(2))
            .Add("flatten", new Flatten())
            .Add("fc", new Linear(14 * 6 * 6, 10, rng));
    }

    private static BatchNorm2d Bn(int channels, Random rng)
    {
        var bn = new BatchNorm2d(channels, eps: 1e-3f);
        for (int c = 0; c < channels; c++)
        {
            bn.Weight.Value.Data[c] = 0.5f + (float)rng.NextDouble();
            bn.Bias.Value.Data[c] = (float)rng.NextDouble() - 0.5f;
            bn.RunningMean.Data[c] = 0.2f * ((float)rng.NextDouble() - 0.5f);
            bn.RunningVar.Data[c] = 0.5f + (float)rng.NextDouble();
        }
        return bn;
    }

    /// <summary>The first <paramref name="count"/> MNIST test images, normalized, as [count, 1, 28, 28].</summary>
    public static float[] MnistImages(int count) => TestImages.Value.AsSpan(0, count * 784).ToArray();

    // The first 64 normalized test images, read once per test run.
    private static readonly Lazy<float[]> TestImages = new(() =>
    {
        var test = Mnist.Load(DatasetSplit.Test, transform: PixelTransform.MnistNormalize);
        return test.Images.AsSpan(0, 64 * test.ImageSize).ToArray();
    });

    // ---- hand-built protos ------------------------------------------------------------------------------

    public static NodeProto Node(string name, string op, string[] inputs, params string[] outputs)
    {
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    /// <summary>float [N, ...dims] with a symbolic batch dimension.</summary>
    public static ValueInfoProto FloatValue(string name, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (int d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
        return new ValueInfoProto { Name = name, Type = type };
    }

    public static TensorProto FloatTensor(string name, int[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(dims.Select(d => (long)d));
        t.FloatData.Add(values);
        return t;
    }

    public static TensorProto Int64Tensor(string name, int[] dims, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(dims.Select(d => (long)d));
        t.Int64Data.Add(values);
        return t;
    }

    public static AttributeProto IntAttr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A model around <paramref name="graph"/> (IR 8, opset 13) written to <paramref name="path"/>.</summary>
    public static string Write(GraphProto graph, string path)
    {
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "hand" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
