// OnnxCorpus (CNTK): the ONNX model zoo's mnist-8 pattern — IR 3, opset 8, initializers repeated in graph.input,
// Conv auto_pad SAME_UPPER without bias followed by Plus (Add) of a [C, 1, 1] parameter, Times (MatMul) reading a
// Reshape of a 4-D initializer, Plus of a [1, 10] bias — and an opset-7 MLP with in-graph Constant nodes for the input
// normalisation and the reshape target, tensors stored in float_data / int64_data.
using Topiary.Onnx.Proto;
using static Topiary.Tests.Onnx.Corpus.OnnxAttr;

namespace Topiary.Tests.Onnx.Corpus;

internal static partial class OnnxCorpus
{
    private static IEnumerable<CorpusModel> CntkModels() =>
    [
        new("cntk_reshaped_initializer", "CNTK 2.5 mnist-8 shape: Conv SAME_UPPER + Plus of a [C,1,1] parameter, MaxPool, Reshape of the activation and MatMul with a Reshape of a [16,2,2,10] initializer, Plus [1,10]", 8, CntkReshapedInitializer),
        new("cntk_mlp_constants_in_graph", "CNTK 2.4 MLP: Constant nodes for Minus/ElementTimes normalisation and the reshape target, Times/Plus as MatMul/Add, typed tensor fields", 7, CntkMlpConstantsInGraph),
    ];

    private static ModelProto CntkReshapedInitializer()
    {
        var b = new OnnxBuilder("CNTKGraph", opset: 8, irVersion: 3, "CNTK", "2.5.1", OnnxNaming.Cntk, seed: 130);
        string x = b.Input("Input3", 1, 1, 16, 16);
        // Times212's weight: Reshape(Parameter193 [16, 2, 2, 10], [64, 10]) — listed first, as CNTK does.
        string w = b.At("Times212_reshape1").Op("Reshape", [b.Weight("Parameter193", 16, 2, 2, 10), b.Int64s("Parameter193_reshape1_shape", [2], 64, 10)]);
        string h = CntkConv(b, x, "Parameter5", "Parameter6", 1, 8);
        h = b.MaxPool(h, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Ints("pads", 0, 0, 0, 0), Str("auto_pad", "NOTSET")); // 8×8
        h = CntkConv(b, h, "Parameter87", "Parameter88", 8, 16);
        h = b.MaxPool(h, Ints("kernel_shape", 3, 3), Ints("strides", 3, 3), Ints("pads", 0, 0, 0, 0), Str("auto_pad", "NOTSET")); // 2×2
        h = b.At("Times212_reshape0").Op("Reshape", [h, b.Int64s("Pooling160_Output_0_reshape0_shape", [2], 1, 64)]);
        h = b.At("Times").MatMul(h, w);
        string y = b.At("Plus").Add(h, b.Bias("Parameter194", 1, 10));
        return b.Output(y, 1, 10).Build();
    }

    private static string CntkConv(OnnxBuilder b, string x, string weight, string bias, int cin, int cout)
    {
        string c = b.Conv(x, b.Weight(weight, cout, cin, 5, 5), null,
            Ints("kernel_shape", 5, 5), Ints("strides", 1, 1), Str("auto_pad", "SAME_UPPER"), Int("group", 1), Ints("dilations", 1, 1));
        return b.Relu(b.Add(c, b.Bias(bias, cout, 1, 1)));
    }

    private static ModelProto CntkMlpConstantsInGraph()
    {
        var b = new OnnxBuilder("CNTKGraph", opset: 7, irVersion: 3, "CNTK", "2.4", OnnxNaming.Cntk, seed: 131)
        {
            Constants = ConstantStyle.Node,
            TypedData = true,
        };
        string x = b.Input("Input3", 1, 1, 16, 16);
        string h = b.At("Minus").Sub(x, b.ConstFloats([1, 1, 1], [0.5f]));
        h = b.At("ElementTimes").Mul(h, b.ConstFloats([1, 1, 1], [2f]));
        h = b.At("Times_reshape0").Op("Reshape", [h, b.ConstInt64s([1, 256])]);
        h = b.At("Times").MatMul(h, b.MatMulWeight("Parameter5", 256, 32));
        h = b.At("ReLU").Relu(b.At("Plus").Add(h, b.Bias("Parameter6", 32)));
        h = b.At("Times").MatMul(h, b.MatMulWeight("Parameter7", 32, 10));
        string y = b.At("Plus").Add(h, b.Bias("Parameter8", 1, 10));
        return b.Output(y, 1, 10).Build();
    }
}
