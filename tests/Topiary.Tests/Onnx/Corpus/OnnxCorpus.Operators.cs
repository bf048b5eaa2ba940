// OnnxCorpus (operator forms): models built around operators whose ONNX form changed across opsets or which exporters
// write in several ways — in-graph input normalisation Sub/Div by [1,3,1,1] constants and Gemm with alpha/beta ≠ 1 and
// transB = 0; MatMul + Add bias with opset-12 Dropout (ratio input); AveragePool count_include_pad 0/1 with ceil_mode,
// MaxPool asymmetric pads and SAME_UPPER; YOLOv5's Focus (strided Slice → Concat) and SPP (parallel MaxPools → Concat);
// SE blocks with Linear layers (GAP → Squeeze → MatMul → Relu → MatMul → Sigmoid → Unsqueeze → Mul) at opsets 11
// (axes attributes) and 13 (axes inputs); the senet.pytorch SELayer with view(b, c) by shape and expand_as (Expand); ShuffleNet v2 with Split (opset 13 sizes input, opset 21 num_outputs),
// Concat, channel shuffle and ReduceMean keepdims 0.
using Topiary.Onnx.Proto;
using static Topiary.Tests.Onnx.Corpus.OnnxAttr;

namespace Topiary.Tests.Onnx.Corpus;

internal static partial class OnnxCorpus
{
    private static IEnumerable<CorpusModel> OperatorModels() =>
    [
        new("normalized_input_gemm_alpha_beta", "PyTorch 2.0: (x − mean[1,3,1,1]) / std[1,3,1,1] in the graph, AveragePool count_include_pad=1, Gemm transB=0 with alpha 0.5 and beta 2, Gemm transB=1, Softmax opset 13 axis −1", 13, NormalizedInputGemmAlphaBeta),
        new("matmul_add_dropout_mlp", "2-D MLP: MatMul + Add bias, inference Dropout at opset 12 (ratio input, with and without mask output), Softmax", 12, MatMulAddDropoutMlp),
        new("pooling_variants", "PyTorch 1.10 pooling: MaxPool ceil_mode=1, AveragePool count_include_pad=1 and =0 with ceil_mode, MaxPool asymmetric pads [0,0,1,1], MaxPool auto_pad SAME_UPPER", 12, PoolingVariants),
        new("yolov5_focus_slice_spp", "PyTorch 1.10 YOLOv5: Focus = four strided Slices (steps 2, ends INT64_MAX) → Concat, SiLU as Sigmoid·Mul, SPP = Concat of MaxPool k5/k9/k13", 12, YoloV5FocusSpp),
        new("senet_linear_squeeze_unsqueeze_opset11", "PyTorch 1.8 SE-ResNet: GAP → Squeeze(axes attr, −1) → MatMul(folded weight) → Relu → MatMul → Sigmoid → Unsqueeze(axes attr, −1) → Mul, residual Adds", 11, () => SeNetLinear(11, 6, 150)),
        new("senet_linear_squeeze_unsqueeze_opset13", "the SE-ResNet at opset 13: Squeeze/Unsqueeze with axes inputs", 13, () => SeNetLinear(13, 7, 151)),
        new("pytorch_se_layer_view_expand_as", "PyTorch 1.8 SELayer (the widely copied senet.pytorch one): b, c = x.size() as Shape→Gather, y.view(b, c) and y.view(b, c, 1, 1) as Reshape of Concat(Unsqueeze(b), Unsqueeze(c), [1], [1]), x * y.expand_as(x) as Expand(y, Shape(x)) → Mul", 11, PyTorchSeLayerViewExpandAs),
        new("shufflenetv2_split_opset13", "PyTorch ShuffleNet v2: x.chunk(2, 1) as Split (sizes input), two-branch stride-2 units, Concat, channel shuffle Reshape→Transpose→Reshape, x.mean([2,3]) as ReduceMean keepdims 0", 13, () => ShuffleNetV2(13, 7, 152)),
        new("shufflenetv2_split_opset21", "the ShuffleNet v2 at opset 21: Split with num_outputs, ReduceMean with axes input (IR 10)", 21, () => ShuffleNetV2(21, 10, 153)),
    ];

    private static ModelProto NormalizedInputGemmAlphaBeta()
    {
        var b = new OnnxBuilder("main_graph", opset: 13, irVersion: 7, "pytorch", "2.0.1", OnnxNaming.TorchScoped, seed: 154);
        string x = b.Input("image", "batch", 3, 32, 32);
        string mean = b.Floats("mean", [1, 3, 1, 1], 0.485f, 0.456f, 0.406f);
        string std = b.Floats("std", [1, 3, 1, 1], 0.229f, 0.224f, 0.225f);
        string h = b.At("Div").Div(b.At("Sub").Sub(x, mean), std);
        h = b.At("relu").Relu(b.TorchFoldedConv(h, "conv", 3, 8, 3, stride: 2, pad: 1));                              // 16×16
        h = b.At("pool/AveragePool").AveragePool(h, Int("ceil_mode", 0), Int("count_include_pad", 1), Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 2, 2)); // 8×8
        h = b.At("Flatten").Flatten(h);
        // torch.addmm(bias, x, W, beta = 2, alpha = 0.5) with W [512, 32]: Gemm transB = 0.
        h = b.At("Gemm").Gemm(h, b.MatMulWeight("W", 512, 32), b.Bias("bias", 32), Float("alpha", 0.5f), Float("beta", 2f));
        h = b.At("relu_1").Relu(h);
        h = b.TorchLinear(h, "head", 32, 10);
        string y = b.At("Softmax").Softmax(h, -1);
        return b.OutputAs(y, "probs", "batch", 10).Build();
    }

    private static ModelProto MatMulAddDropoutMlp()
    {
        var b = new OnnxBuilder("mlp", opset: 12, irVersion: 7, "skl2onnx", "1.11", OnnxNaming.TfScoped, seed: 155);
        string x = b.Input("features", "N", 48);
        string h = b.At("dense1/MatMul").MatMul(x, b.MatMulWeight("dense1/kernel", 48, 32));
        h = b.At("dense1/Relu").Relu(b.At("dense1/BiasAdd").Add(h, b.Bias("dense1/bias", 32)));
        h = b.At("dropout1").Dropout(h, 0.3f, withMask: true);
        h = b.At("dense2/MatMul").MatMul(h, b.MatMulWeight("dense2/kernel", 32, 16));
        h = b.At("dense2/Relu").Relu(b.At("dense2/BiasAdd").Add(h, b.Bias("dense2/bias", 16)));
        h = b.At("dropout2").Dropout(h, 0.1f, withMask: false);
        h = b.At("out/MatMul").MatMul(h, b.MatMulWeight("out/kernel", 16, 10));
        h = b.At("out/BiasAdd").Add(h, b.Bias("out/bias", 10));
        string y = b.At("out/Softmax").Softmax(h, -1);
        return b.OutputAs(y, "probabilities", "N", 10).Build();
    }

    private static ModelProto PoolingVariants()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 12, irVersion: 7, "pytorch", "1.10", OnnxNaming.TorchNumbered, seed: 156);
        string x = b.Input("input", "batch", 3, 33, 33);
        string h = b.Relu(b.TorchConv(x, "conv1", 3, 8, 3, pad: 1));
        h = b.MaxPool(h, Int("ceil_mode", 1), Ints("dilations", 1, 1), Ints("kernel_shape", 3, 3), Ints("pads", 0, 0, 0, 0), Ints("strides", 2, 2));                     // ceil(30/2)+1 = 16
        h = b.AveragePool(h, Int("ceil_mode", 0), Int("count_include_pad", 1), Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 1, 1));              // 16
        h = b.AveragePool(h, Int("ceil_mode", 1), Int("count_include_pad", 0), Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 2, 2));              // ceil(15/2)+1 = 9
        h = b.MaxPool(h, Ints("kernel_shape", 2, 2), Ints("pads", 0, 0, 1, 1), Ints("strides", 2, 2));                                                                     // (9+1−2)/2+1 = 5
        h = b.Relu(b.TorchConv(h, "conv2", 8, 8, 1));
        h = b.MaxPool(h, Str("auto_pad", "SAME_UPPER"), Ints("kernel_shape", 3, 3), Ints("strides", 2, 2));                                                                // ceil(5/2) = 3
        string y = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "fc", 8, 10);
        return b.OutputAs(y, "output", "batch", 10).Build();
    }

    private static ModelProto YoloV5FocusSpp()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 12, irVersion: 7, "pytorch", "1.10", OnnxNaming.TorchNumbered, seed: 157);
        string x = b.Input("images", 1, 3, 32, 32);
        const long end = long.MaxValue;
        string Every2(string t, long h0, long w0) =>
            b.Slice(b.Slice(t, [h0], [end], [2], [2]), [w0], [end], [3], [2]);
        string h = b.Concat(1, Every2(x, 0, 0), Every2(x, 1, 0), Every2(x, 0, 1), Every2(x, 1, 1));    // [1, 12, 16, 16]
        h = b.Swish(b.TorchFoldedConv(h, "model.0.conv.conv", 12, 16, 3, pad: 1));
        h = b.Swish(b.TorchFoldedConv(h, "model.1.conv", 16, 32, 3, stride: 2, pad: 1));                // 8×8
        h = b.Swish(b.TorchFoldedConv(h, "model.2.cv1.conv", 32, 16, 1));
        string Pool(int k) => b.MaxPool(h, Ints("dilations", 1, 1), Ints("kernel_shape", k, k), Ints("pads", k / 2, k / 2, k / 2, k / 2), Ints("strides", 1, 1));
        h = b.Concat(1, h, Pool(5), Pool(9), Pool(13));                                                   // 64 channels
        h = b.Swish(b.TorchFoldedConv(h, "model.2.cv2.conv", 64, 32, 1));
        string y = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "model.3.linear", 32, 10);
        return b.OutputAs(y, "output", 1, 10).Build();
    }

    // SE-ResNet with nn.Linear excitation: y = avgpool(x).squeeze(-1).squeeze(-1); y = sigmoid(fc2(relu(fc1(y))));
    // x * y.unsqueeze(-1).unsqueeze(-1) — negative axes as written; Linear(bias=False) exports as MatMul with a folded
    // [in, out] weight.
    private static ModelProto SeNetLinear(long opset, long ir, int seed)
    {
        var b = new OnnxBuilder("torch-jit-export", opset, ir, "pytorch", opset < 13 ? "1.8" : "1.10", OnnxNaming.TorchNumbered, seed)
        {
            Constants = ConstantStyle.Node,
        };
        string x = b.Input("input", "batch_size", 3, 32, 32);
        string h = b.Relu(b.TorchFoldedConv(x, "conv1", 3, 16, 3, stride: 2, pad: 1));                   // 16×16
        h = SeBasicBlock(b, h, "layer1.0", 16, 16, stride: 1);
        h = SeBasicBlock(b, h, "layer2.0", 16, 32, stride: 2);                                            // 8×8
        string y = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "fc", 32, 10);
        return b.OutputAs(y, "output", "batch_size", 10).Build();
    }

    private static string SeBasicBlock(OnnxBuilder b, string x, string module, int cin, int cout, int stride)
    {
        string h = b.Relu(b.TorchFoldedConv(x, module + ".conv1", cin, cout, 3, stride: stride, pad: 1));
        h = b.TorchFoldedConv(h, module + ".conv2", cout, cout, 3, pad: 1);
        string s = b.Squeeze(b.Squeeze(b.GlobalAveragePool(h), -1), -1);
        s = b.Relu(b.TorchLinearNoBias(s, module + ".se.fc.0", cout, cout / 4));
        s = b.Sigmoid(b.TorchLinearNoBias(s, module + ".se.fc.2", cout / 4, cout));
        s = b.Unsqueeze(b.Unsqueeze(s, -1), -1);
        h = b.Mul(h, s);
        string shortcut = stride == 1 && cin == cout ? x : b.TorchFoldedConv(x, module + ".downsample.0", cin, cout, 1, stride: stride);
        return b.Relu(b.Add(h, shortcut));
    }

    // SELayer(channel, reduction): avg_pool → view(b, c) → fc (Linear → ReLU → Linear → Sigmoid) → view(b, c, 1, 1) →
    // x * y.expand_as(x); b and c come from x.size() through Shape → Gather (Constant-node indices).
    private static ModelProto PyTorchSeLayerViewExpandAs()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 11, irVersion: 6, "pytorch", "1.8", OnnxNaming.TorchNumbered, seed: 158)
        {
            Constants = ConstantStyle.Node,
        };
        string x = b.Input("input", "batch_size", 3, 16, 16);
        string h = b.Relu(b.TorchFoldedConv(x, "conv1", 3, 16, 3, stride: 2, pad: 1));            // [N, 16, 8, 8]
        string shape = b.Shape(h);
        string n = b.Unsqueeze(b.Gather(shape, b.ConstInt64s([0], scalar: true)), 0);
        string c = b.Unsqueeze(b.Gather(b.Shape(h), b.ConstInt64s([1], scalar: true)), 0);
        string y = b.Op("Reshape", [b.GlobalAveragePool(h), b.Concat(0, n, c)]);               // [N, 16]
        y = b.Relu(b.TorchLinearNoBias(y, "se.fc.0", 16, 4));
        y = b.Sigmoid(b.TorchLinearNoBias(y, "se.fc.2", 4, 16));
        y = b.Op("Reshape", [y, b.Concat(0, n, c, b.ConstInt64s([1]), b.ConstInt64s([1]))]);    // [N, 16, 1, 1]
        y = b.Op("Expand", [y, b.Shape(h)]);
        h = b.Mul(h, y);
        string z = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "fc", 16, 10);
        return b.OutputAs(z, "output", "batch_size", 10).Build();
    }

    // torchvision ShuffleNet v2 (static batch 1, so the shuffle's Reshape targets are constants).
    private static ModelProto ShuffleNetV2(long opset, long ir, int seed)
    {
        var b = new OnnxBuilder("torch-jit-export", opset, ir, "pytorch", opset < 18 ? "1.13.1" : "2.3.0", OnnxNaming.TorchScoped, seed);
        string x = b.Input("input", 1, 3, 32, 32);
        string h = b.Relu(b.TorchFoldedConv(x, "conv1.0", 3, 12, 3, stride: 2, pad: 1));                       // 16×16
        h = b.At("maxpool/MaxPool").MaxPool(h, Int("ceil_mode", 0), Ints("dilations", 1, 1), Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 2, 2)); // 8×8
        // stage2.0 (stride 2): branch1 = dw s2 → 1×1 → Relu; branch2 = 1×1 → Relu → dw s2 → 1×1 → Relu.
        string b1 = b.TorchFoldedConv(h, "stage2.0.branch1.0", 12, 12, 3, stride: 2, pad: 1, group: 12);     // 4×4
        b1 = b.Relu(b.TorchFoldedConv(b1, "stage2.0.branch1.2", 12, 12, 1));
        string b2 = ShuffleBranch(b, h, "stage2.0.branch2", 12, 12, stride: 2);
        h = ShuffleV2Channels(b, b.Concat(1, b1, b2), 24, 4);
        // stage2.1 (stride 1): x1, x2 = x.chunk(2, dim=1); cat(x1, branch2(x2)); shuffle.
        string[] halves = b.Opset >= 18 ? b.SplitEqual(h, 1, 2) : b.Split(h, 1, 12, 12);
        h = ShuffleV2Channels(b, b.Concat(1, halves[0], ShuffleBranch(b, halves[1], "stage2.1.branch2", 12, 12, stride: 1)), 24, 4);
        h = b.Relu(b.TorchFoldedConv(h, "conv5.0", 24, 32, 1));
        h = b.At("ReduceMean").ReduceMean(h, [2, 3], keepDims: false);
        string y = b.TorchLinear(h, "fc", 32, 10);
        return b.OutputAs(y, "output", 1, 10).Build();
    }

    private static string ShuffleBranch(OnnxBuilder b, string x, string module, int cin, int cout, int stride)
    {
        string h = b.Relu(b.TorchFoldedConv(x, module + ".0", cin, cout, 1));
        h = b.TorchFoldedConv(h, module + ".3", cout, cout, 3, stride: stride, pad: 1, group: cout);
        return b.Relu(b.TorchFoldedConv(h, module + ".5", cout, cout, 1));
    }

    // channel_shuffle(x, 2): view(1, 2, C/2, H, W) → transpose(1, 2) → view(1, −1, H, W).
    private static string ShuffleV2Channels(OnnxBuilder b, string x, int channels, int size)
    {
        string h = b.Reshape(x, 1, 2, channels / 2, size, size);
        h = b.Transpose(h, 0, 2, 1, 3, 4);
        return b.Reshape(h, 1, -1, size, size);
    }
}
