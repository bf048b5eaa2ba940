// OnnxCorpus (mobile networks): depthwise blocks as real exporters write them — MobileNet v2 with Clip(0, 6) as
// inputs (PyTorch, opset 13) and as attributes with BatchNormalization(spatial) and Dropout(ratio) (opset 7),
// EfficientNet's MBConv with Swish = x·Sigmoid(x) and timm SE blocks (ReduceMean keepdims 1 → 1×1 conv → Swish →
// 1×1 conv → Sigmoid → Mul),
// MobileNet v3 with the HardSwish operator (opset 14 and 21) and with HardSwish/HardSigmoid decomposed (opset 11).
using Topiary.Onnx.Proto;
using static Topiary.Tests.Onnx.Corpus.OnnxAttr;

namespace Topiary.Tests.Onnx.Corpus;

internal static partial class OnnxCorpus
{
    private static IEnumerable<CorpusModel> MobileModels() =>
    [
        new("mobilenetv2_clip_inputs", "PyTorch 1.10 MobileNet v2: depthwise Conv group=C, ReLU6 as Clip with Constant-node min/max inputs, inverted residual Add(x, block)", 13, MobileNetV2ClipInputs),
        new("mobilenetv2_opset7_clip_attributes", "opset 7 MobileNet v2: BatchNormalization spatial=1, Clip min/max attributes, Dropout ratio attribute with mask output, Softmax axis 1", 7, MobileNetV2Opset7),
        new("efficientnet_se_swish", "PyTorch 2.x (timm) EfficientNet: Swish as Sigmoid·Mul, depthwise 3×3 and 5×5, SE = ReduceMean(2,3, keepdims 1)→Conv1×1→Swish→Conv1×1→Sigmoid→Mul, residual Adds", 13, EfficientNetSeSwish),
        new("mobilenetv3_hardswish_op", "PyTorch 1.13 MobileNet v3: HardSwish operator, SE with Relu and HardSigmoid(1/6, 0.5)·Mul, Gemm→HardSwish→Gemm head", 14, () => MobileNetV3(14, 7, HardSwishForm.Operator, 108)),
        new("mobilenetv3_hardswish_decomposed", "PyTorch 1.7 MobileNet v3: HardSwish as x·HardSigmoid(x) and as x·Clip(x+3, 0, 6)/6, SE gate as Clip(x+3, 0, 6)/6", 11, () => MobileNetV3(11, 6, HardSwishForm.Decomposed, 109)),
        new("mobilenetv3_opset21", "MobileNet v3 with the HardSwish operator at opset 21 (IR 10)", 21, () => MobileNetV3(21, 10, HardSwishForm.Operator, 110)),
    ];

    private enum HardSwishForm { Operator, Decomposed }

    // torchvision MobileNet v2 (small): BN folded, ReLU6 → Clip(x, 0, 6) with Constant-node bounds.
    private static ModelProto MobileNetV2ClipInputs()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 13, irVersion: 7, "pytorch", "1.10", OnnxNaming.TorchNumbered, seed: 111)
        {
            Constants = ConstantStyle.Node,
        };
        string x = b.Input("input", "batch_size", 3, 32, 32);
        string h = b.Clip(b.TorchFoldedConv(x, "features.0.0", 3, 8, 3, stride: 2, pad: 1), 0, 6);              // 16×16
        // features.1: t = 1, dw → clip → project (8 → 6), no residual
        h = b.Clip(b.TorchFoldedConv(h, "features.1.conv.0.0", 8, 8, 3, pad: 1, group: 8), 0, 6);
        h = b.TorchFoldedConv(h, "features.1.conv.1", 8, 6, 1);
        // features.2: t = 4, stride 2 (6 → 8)
        h = InvertedResidualClip(b, h, "features.2", 6, 24, 8, stride: 2);                                       // 8×8
        // features.3: t = 4, stride 1, residual: torchvision returns x + self.conv(x)
        h = b.Add(h, InvertedResidualClip(b, h, "features.3", 8, 32, 8, stride: 1));
        h = b.Clip(b.TorchFoldedConv(h, "features.4.0", 8, 32, 1), 0, 6);
        string y = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "classifier.1", 32, 10);
        return b.OutputAs(y, "output", "batch_size", 10).Build();
    }

    private static string InvertedResidualClip(OnnxBuilder b, string x, string module, int cin, int hidden, int cout, int stride)
    {
        string h = b.Clip(b.TorchFoldedConv(x, module + ".conv.0.0", cin, hidden, 1), 0, 6);
        h = b.Clip(b.TorchFoldedConv(h, module + ".conv.1.0", hidden, hidden, 3, stride: stride, pad: 1, group: hidden), 0, 6);
        return b.TorchFoldedConv(h, module + ".conv.2", hidden, cout, 1);
    }

    // An opset-7 MobileNet v2 (onnx-caffe2 / early converter era): IR 3, initializers repeated in graph.input,
    // BN kept with spatial = 1, Clip attributes, Dropout with ratio attribute and its mask output.
    private static ModelProto MobileNetV2Opset7()
    {
        var b = new OnnxBuilder("mobilenetv2", opset: 7, irVersion: 3, "onnx-caffe2", "", OnnxNaming.Caffe2, seed: 112);
        string x = b.Input("data", 1, 3, 32, 32);
        string h = b.Clip(Bn7(b, b.Caffe2Conv(x, "conv1", 3, 8, 3, stride: 2, pad: 1, bias: false), "conv1_bn", 8), 0, 6); // 16×16
        h = b.Clip(Bn7(b, b.Caffe2Conv(h, "conv2_1_dwise", 8, 8, 3, pad: 1, group: 8, bias: false), "conv2_1_dwise_bn", 8), 0, 6);
        h = Bn7(b, b.Caffe2Conv(h, "conv2_1_linear", 8, 8, 1, bias: false), "conv2_1_linear_bn", 8);
        h = InvertedResidualBn7(b, h, "conv2_2", 8, 32, 12, stride: 2);                                            // 8×8
        h = b.Add(h, InvertedResidualBn7(b, h, "conv3_1", 12, 48, 12, stride: 1));
        h = b.Clip(Bn7(b, b.Caffe2Conv(h, "conv6_4", 12, 32, 1, bias: false), "conv6_4_bn", 32), 0, 6);
        h = b.Dropout(b.GlobalAveragePool(h), 0.2f, withMask: true);
        h = b.Gemm(b.Flatten(h), b.Weight("fc7_w_0", 10, 32), b.Bias("fc7_b_0", 10), Int("transB", 1));
        string y = b.Softmax(h, 1);
        return b.OutputAs(y, "prob", 1, 10).Build();
    }

    private static string Bn7(OnnxBuilder b, string x, string blob, int c) =>
        b.BatchNorm(x, b.BatchNormParams(c, blob + "_s_0", blob + "_b_0", blob + "_rm_0", blob + "_riv_0"), 1e-5f, momentum: null);

    private static string InvertedResidualBn7(OnnxBuilder b, string x, string blob, int cin, int hidden, int cout, int stride)
    {
        string h = b.Clip(Bn7(b, b.Caffe2Conv(x, blob + "_expand", cin, hidden, 1, bias: false), blob + "_expand_bn", hidden), 0, 6);
        h = b.Clip(Bn7(b, b.Caffe2Conv(h, blob + "_dwise", hidden, hidden, 3, stride: stride, pad: 1, group: hidden, bias: false), blob + "_dwise_bn", hidden), 0, 6);
        return Bn7(b, b.Caffe2Conv(h, blob + "_linear", hidden, cout, 1, bias: false), blob + "_linear_bn", cout);
    }

    // timm EfficientNet-B0 shape, shrunk: conv_stem → DS block → two MBConv6 blocks (3×3 s2, 5×5 s1 + residual) → head.
    private static ModelProto EfficientNetSeSwish()
    {
        var b = new OnnxBuilder("main_graph", opset: 13, irVersion: 7, "pytorch", "2.0.1", OnnxNaming.TorchScoped, seed: 113);
        string x = b.Input("input", "batch_size", 3, 32, 32);
        string h = b.Swish(b.TorchFoldedConv(x, "conv_stem", 3, 8, 3, stride: 2, pad: 1));                         // 16×16
        // blocks.0.0: depthwise separable with SE, residual
        string d = b.Swish(b.TorchFoldedConv(h, "blocks.0.0.conv_dw", 8, 8, 3, pad: 1, group: 8));
        d = SqueezeExcite(b, d, "blocks.0.0.se", 8, 2, swish: true);
        h = b.Add(b.TorchFoldedConv(d, "blocks.0.0.conv_pw", 8, 8, 1), h);
        h = MbConv(b, h, "blocks.1.0", 8, 32, 12, k: 3, stride: 2);                                                // 8×8
        h = b.Add(MbConv(b, h, "blocks.1.1", 12, 48, 12, k: 5, stride: 1), h);
        h = b.Swish(b.TorchFoldedConv(h, "conv_head", 12, 32, 1));
        string y = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "classifier", 32, 10);
        return b.OutputAs(y, "logits", "batch_size", 10).Build();
    }

    private static string MbConv(OnnxBuilder b, string x, string module, int cin, int hidden, int cout, int k, int stride)
    {
        string h = b.Swish(b.TorchFoldedConv(x, module + ".conv_pw", cin, hidden, 1));
        h = b.Swish(b.TorchFoldedConv(h, module + ".conv_dw", hidden, hidden, k, stride: stride, pad: k / 2, group: hidden));
        h = SqueezeExcite(b, h, module + ".se", hidden, Math.Max(2, cin / 4), swish: true);
        return b.TorchFoldedConv(h, module + ".conv_pwl", hidden, cout, 1);
    }

    // timm SE: x_se = x.mean((2, 3), keepdim=True) → ReduceMean(keepdims 1); x · gate(conv_expand(act(conv_reduce(x_se))))
    // written x * gate → Mul(x, gate).
    private static string SqueezeExcite(OnnxBuilder b, string x, string module, int channels, int reduced, bool swish)
    {
        string s = b.ReduceMean(x, [2, 3], keepDims: true);
        s = b.TorchConv(s, module + ".conv_reduce", channels, reduced, 1);
        s = swish ? b.Swish(s) : b.Relu(s);
        s = b.Sigmoid(b.TorchConv(s, module + ".conv_expand", reduced, channels, 1));
        return b.Mul(x, s);
    }

    // torchvision MobileNet v3 small-ish: stem HS, a SE block (Relu), an HS block with 5×5 s2, an HS+SE residual block,
    // last conv, GAP → Flatten → Linear → HardSwish → (Dropout left out in eval) → Linear.
    private static ModelProto MobileNetV3(long opset, long ir, HardSwishForm form, int seed)
    {
        var b = new OnnxBuilder("torch-jit-export", opset, ir, "pytorch", form == HardSwishForm.Operator ? "1.13.1" : "1.7", OnnxNaming.TorchScoped, seed)
        {
            Constants = form == HardSwishForm.Decomposed ? ConstantStyle.Node : ConstantStyle.Initializer,
        };
        int hsCount = 0;
        // Decomposed: alternate PyTorch's hardswish symbolic (x·HardSigmoid(x)) and a hand-written x·relu6(x+3)/6.
        string Hs(string t) => form == HardSwishForm.Operator ? b.HardSwish(t)
            : hsCount++ % 2 == 0 ? b.Mul(t, b.HardSigmoid(t, 1f / 6, 0.5f)) : b.Mul(t, Relu6Over6(b, t));
        string Gate(string t) => form == HardSwishForm.Operator ? b.HardSigmoid(t, 1f / 6, 0.5f) : Relu6Over6(b, t);
        string Se(string t, string module, int c, int r)
        {
            string s = b.GlobalAveragePool(t);
            s = b.Relu(b.TorchConv(s, module + ".fc1", c, r, 1));
            s = Gate(b.TorchConv(s, module + ".fc2", r, c, 1));
            return b.Mul(s, t); // torchvision: scale * input
        }

        string x = b.Input("input", "batch_size", 3, 32, 32);
        string h = Hs(b.TorchFoldedConv(x, "features.0.0", 3, 8, 3, stride: 2, pad: 1));                                    // 16×16
        // features.1: dw 3×3, Relu, SE, project; residual
        string d = b.Relu(b.TorchFoldedConv(h, "features.1.block.0.0", 8, 8, 3, pad: 1, group: 8));
        d = Se(d, "features.1.block.1", 8, 4);
        h = b.Add(b.TorchFoldedConv(d, "features.1.block.2.0", 8, 8, 1), h);
        // features.2: expand 24, HS, dw 5×5 s2, project 12
        d = Hs(b.TorchFoldedConv(h, "features.2.block.0.0", 8, 24, 1));
        d = Hs(b.TorchFoldedConv(d, "features.2.block.1.0", 24, 24, 5, stride: 2, pad: 2, group: 24));                      // 8×8
        h = b.TorchFoldedConv(d, "features.2.block.2.0", 24, 12, 1);
        // features.3: expand 36, HS, dw 3×3, SE, project 12; residual
        d = Hs(b.TorchFoldedConv(h, "features.3.block.0.0", 12, 36, 1));
        d = Hs(b.TorchFoldedConv(d, "features.3.block.1.0", 36, 36, 3, pad: 1, group: 36));
        d = Se(d, "features.3.block.2", 36, 12);
        h = b.Add(b.TorchFoldedConv(d, "features.3.block.3.0", 36, 12, 1), h);
        h = Hs(b.TorchFoldedConv(h, "features.4.0", 12, 48, 1));
        h = b.Flatten(b.GlobalAveragePool(h));
        h = Hs(b.TorchLinear(h, "classifier.0", 48, 32));
        string y = b.TorchLinear(h, "classifier.3", 32, 10);
        return b.OutputAs(y, "output", "batch_size", 10).Build();
    }

    // x ↦ relu6(x + 3) / 6 as PyTorch writes F.relu6(x + 3.) / 6.: Add(scalar) → Clip(0, 6) → Div(scalar).
    private static string Relu6Over6(OnnxBuilder b, string x)
    {
        string shifted = b.Add(x, b.ConstFloats([], [3f]));
        return b.Div(b.Clip(shifted, 0, 6), b.ConstFloats([], [6f]));
    }
}
