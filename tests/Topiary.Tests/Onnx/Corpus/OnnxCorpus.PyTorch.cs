// OnnxCorpus (PyTorch): classic PyTorch exports — ResNet-20-style with the view-by-shape flatten (1.6, opset 9),
// the MNIST LogSoftmax head (1.1, opset 9, unnamed nodes, Constant shape), the 2.x scoped exporter with a dynamic
// batch (opset 17), bottleneck ResNet v1 with BN folded into the convs (opset 11), pre-activation ResNet v2 (opset 12),
// DenseNet's growing Concat chains (opset 13), softmax over the channels of a segmentation map below opset 13
// (Transpose → Softmax(last axis) → Transpose, opset 11) and torchvision SqueezeNet with ceil_mode pooling (opset 11).
using Topiary.Onnx.Proto;
using static Topiary.Tests.Onnx.Corpus.OnnxAttr;

namespace Topiary.Tests.Onnx.Corpus;

internal static partial class OnnxCorpus
{
    private static IEnumerable<CorpusModel> PyTorchModels() =>
    [
        new("pytorch_view_by_shape", "PyTorch 1.6 ResNet (BN, residual Adds, projection shortcut), x.view(x.size(0), -1) as Shape→Gather→Unsqueeze→Concat→Reshape, Gemm transB=1", 9, PyTorchViewByShape),
        new("pytorch_logsoftmax_head", "PyTorch 1.1 MNIST CNN: unnamed nodes, numbered tensors, Constant-node reshape target, Gemm+Relu head, LogSoftmax(axis 1)", 9, PyTorchLogSoftmaxHead),
        new("pytorch2_view_dynamic_batch", "PyTorch 2.x scoped names, dynamic batch, view-by-shape with initializer constants and opset-13 Unsqueeze axes input, Reshape allowzero=0", 17, PyTorch2ViewDynamicBatch),
        new("pytorch_resnet_v1_bottleneck_folded_bn", "PyTorch 1.8 bottleneck ResNet v1: BN folded into numbered conv weights, MaxPool pads 1, projection and identity Adds, Flatten+Gemm", 11, PyTorchResNetV1Bottleneck),
        new("pytorch_resnet_v2_preactivation", "PyTorch pre-activation ResNet v2: BN→Relu→Conv, shortcut conv on the activated input, residual Adds, final BN→Relu→GAP", 12, PyTorchResNetV2PreActivation),
        new("pytorch_densenet_concat_chain", "torchvision DenseNet: Concat of all previous features (single-input Concat first), BN→Relu→Conv bottlenecks, AveragePool transition", 13, PyTorchDenseNet),
        new("pytorch_segmentation_softmax_dim1", "PyTorch 1.9 FCN-style head: softmax(dim=1) on [N,C,H,W] below opset 13 written as Transpose(0,3,2,1) → Softmax(axis 3) → Transpose back; 4-D output", 11, PyTorchSegmentationSoftmax),
        new("pytorch_squeezenet_ceil_mode", "torchvision SqueezeNet: Fire modules (Concat branches), MaxPool ceil_mode=1, final conv→Relu→GAP→Flatten, Softmax opset 11", 11, PyTorchSqueezeNetCeilMode),
    ];

    // ResNet-20-like, as PyTorch 1.6 wrote pytorch-resnet20-cifar.onnx: static batch 1, BN kept, Constant-node index.
    private static ModelProto PyTorchViewByShape()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 9, irVersion: 6, "pytorch", "1.6", OnnxNaming.TorchNumbered, seed: 101);
        string x = b.Input("input.1", 1, 3, 32, 32);
        string h = b.Relu(b.TorchBn(b.TorchConv(x, "conv1", 3, 8, 3, pad: 1, bias: false), "bn1", 8));
        // ResBlock1.0: identity shortcut; PyTorch's `out += x` is Add(body, x).
        string r = b.TorchBn(b.TorchConv(h, "ResBlock1.0.conv1", 8, 8, 3, pad: 1, bias: false), "ResBlock1.0.bn1", 8);
        r = b.TorchBn(b.TorchConv(b.Relu(r), "ResBlock1.0.conv2", 8, 8, 3, pad: 1, bias: false), "ResBlock1.0.bn2", 8);
        h = b.Relu(b.Add(r, h));
        // ResBlock2.0: stride 2 with a 1×1 conv + BN downsample.
        r = b.TorchBn(b.TorchConv(h, "ResBlock2.0.conv1", 8, 16, 3, stride: 2, pad: 1, bias: false), "ResBlock2.0.bn1", 16);
        r = b.TorchBn(b.TorchConv(b.Relu(r), "ResBlock2.0.conv2", 16, 16, 3, pad: 1, bias: false), "ResBlock2.0.bn2", 16);
        string s = b.TorchBn(b.TorchConv(h, "ResBlock2.0.downsample.0", 8, 16, 1, stride: 2, bias: false), "ResBlock2.0.downsample.1", 16);
        h = b.Relu(b.Add(r, s));
        string flat = b.TorchViewBatchMinusOne(b.GlobalAveragePool(h), ConstantStyle.Node, ConstantStyle.Initializer);
        string y = b.TorchLinear(flat, "fc", 16, 10);
        return b.Output(y, 1, 10).Build();
    }

    // The MNIST CNN of pytorch-mnist-logsoftmax.onnx (PyTorch 1.1): pooling before Relu, Relu before LogSoftmax.
    private static ModelProto PyTorchLogSoftmaxHead()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 9, irVersion: 4, "pytorch", "1.1", OnnxNaming.TorchUnnamed, seed: 102)
        {
            Constants = ConstantStyle.Node,
        };
        string x = b.Input("0", 1, 1, 16, 16);
        AttributeProto[] pool = [Ints("kernel_shape", 2, 2), Ints("pads", 0, 0, 0, 0), Ints("strides", 2, 2)];
        string h = b.Relu(b.MaxPool(b.TorchConv(x, "conv1", 1, 6, 5), pool));        // 12 → 6
        h = b.Relu(b.MaxPool(b.TorchConv(h, "conv2", 6, 8, 3), pool));               // 4 → 2
        h = b.Reshape(h, -1, 32);
        h = b.Relu(b.TorchLinear(h, "fc1", 32, 20));
        h = b.Relu(b.TorchLinear(h, "fc2", 20, 10));
        string y = b.LogSoftmax(h, 1);
        return b.Output(y, 1, 10).Build();
    }

    // PyTorch ≥ 1.13 (TorchScript exporter): "/conv1/Conv" names, dynamic_axes batch, folded constants as "onnx::…"
    // initializers (Gather index 0, Unsqueeze axes, [-1]), Reshape with allowzero = 0; BN folded into the convs.
    private static ModelProto PyTorch2ViewDynamicBatch()
    {
        var b = new OnnxBuilder("main_graph", opset: 17, irVersion: 8, "pytorch", "2.1.0", OnnxNaming.TorchScoped, seed: 103);
        string x = b.Input("input", "batch_size", 3, 32, 32);
        string h = b.At("relu").Relu(b.TorchFoldedConv(x, "conv1", 3, 8, 3, stride: 2, pad: 1));
        h = b.At("relu_1").Relu(b.TorchFoldedConv(h, "conv2", 8, 16, 3, stride: 2, pad: 1));
        string flat = b.TorchViewBatchMinusOne(h, ConstantStyle.Initializer, ConstantStyle.Initializer);
        string y = b.TorchLinear(flat, "fc", 16 * 8 * 8, 10);
        return b.OutputAs(y, "output", "batch_size", 10).Build();
    }

    // Bottleneck ResNet (torchvision layout, small): BN folded, so every conv has a numbered weight and a bias.
    private static ModelProto PyTorchResNetV1Bottleneck()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 11, irVersion: 6, "pytorch", "1.8", OnnxNaming.TorchNumbered, seed: 104);
        string x = b.Input("input", "batch", 3, 32, 32);
        string h = b.Relu(b.TorchFoldedConv(x, "conv1", 3, 16, 3, pad: 1));
        h = b.MaxPool(h, Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 2, 2)); // 16×16
        h = Bottleneck(b, h, "layer1.0", 16, 8, 32, stride: 1, project: true);
        h = Bottleneck(b, h, "layer1.1", 32, 8, 32, stride: 1, project: false);
        h = Bottleneck(b, h, "layer2.0", 32, 16, 64, stride: 2, project: true);                       // 8×8
        string y = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "fc", 64, 10);
        return b.OutputAs(y, "output", "batch", 10).Build();
    }

    private static string Bottleneck(OnnxBuilder b, string x, string module, int cin, int mid, int cout, int stride, bool project)
    {
        string h = b.Relu(b.TorchFoldedConv(x, module + ".conv1", cin, mid, 1));
        h = b.Relu(b.TorchFoldedConv(h, module + ".conv2", mid, mid, 3, stride: stride, pad: 1));
        h = b.TorchFoldedConv(h, module + ".conv3", mid, cout, 1);
        string identity = project ? b.TorchFoldedConv(x, module + ".downsample.0", cin, cout, 1, stride: stride) : x;
        return b.Relu(b.Add(h, identity));
    }

    // Pre-activation ResNet (He et al. 2016b): BN → Relu before each conv; the stride-2 block's shortcut conv reads the
    // activated input; no Relu after the Add.
    private static ModelProto PyTorchResNetV2PreActivation()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 12, irVersion: 7, "pytorch", "1.10", OnnxNaming.TorchNumbered, seed: 105);
        string x = b.Input("input", "N", 3, 32, 32);
        string h = b.TorchConv(x, "conv1", 3, 16, 3, pad: 1, bias: false);
        // layer1.0: identity
        string o = b.Relu(b.TorchBn(h, "layer1.0.bn1", 16));
        string r = b.TorchConv(o, "layer1.0.conv1", 16, 16, 3, pad: 1, bias: false);
        r = b.TorchConv(b.Relu(b.TorchBn(r, "layer1.0.bn2", 16)), "layer1.0.conv2", 16, 16, 3, pad: 1, bias: false);
        h = b.Add(r, h);
        // layer2.0: stride 2, shortcut = conv1×1(relu(bn1(x)))
        o = b.Relu(b.TorchBn(h, "layer2.0.bn1", 16));
        string shortcut = b.TorchConv(o, "layer2.0.shortcut.0", 16, 32, 1, stride: 2, bias: false);
        r = b.TorchConv(o, "layer2.0.conv1", 16, 32, 3, stride: 2, pad: 1, bias: false);
        r = b.TorchConv(b.Relu(b.TorchBn(r, "layer2.0.bn2", 32)), "layer2.0.conv2", 32, 32, 3, pad: 1, bias: false);
        h = b.Add(r, shortcut);
        h = b.Relu(b.TorchBn(h, "bn", 32));
        string y = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "linear", 32, 10);
        return b.OutputAs(y, "logits", "N", 10).Build();
    }

    // torchvision DenseNet: each layer reads torch.cat(all previous features) — a one-input Concat for the first layer.
    private static ModelProto PyTorchDenseNet()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 13, irVersion: 7, "pytorch", "1.10", OnnxNaming.TorchNumbered, seed: 106);
        string x = b.Input("input", "batch_size", 3, 32, 32);
        string h = b.TorchConv(x, "features.conv0", 3, 16, 3, pad: 1, bias: false);
        h = b.Relu(b.TorchBn(h, "features.norm0", 16));
        h = b.MaxPool(h, Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 2, 2));  // 16×16
        h = DenseBlock(b, h, "features.denseblock1", 16, layers: 3, growth: 4);                              // 28 channels
        h = b.Relu(b.TorchBn(h, "features.transition1.norm", 28));
        h = b.TorchConv(h, "features.transition1.conv", 28, 14, 1, bias: false);
        h = b.AveragePool(h, Ints("kernel_shape", 2, 2), Ints("pads", 0, 0, 0, 0), Ints("strides", 2, 2)); // 8×8
        h = DenseBlock(b, h, "features.denseblock2", 14, layers: 2, growth: 4);                              // 22 channels
        h = b.Relu(b.TorchBn(h, "features.norm5", 22));
        string y = b.TorchLinear(b.Flatten(b.GlobalAveragePool(h)), "classifier", 22, 10);
        return b.OutputAs(y, "output", "batch_size", 10).Build();
    }

    private static string DenseBlock(OnnxBuilder b, string x, string module, int cin, int layers, int growth)
    {
        var features = new List<string> { x };
        for (int i = 1; i <= layers; i++)
        {
            string layer = $"{module}.denselayer{i}";
            int c = cin + (i - 1) * growth;
            string cat = b.Concat(1, [.. features]);
            string h = b.TorchConv(b.Relu(b.TorchBn(cat, layer + ".norm1", c)), layer + ".conv1", c, 2 * growth, 1, bias: false);
            h = b.TorchConv(b.Relu(b.TorchBn(h, layer + ".norm2", 2 * growth)), layer + ".conv2", 2 * growth, growth, 3, pad: 1, bias: false);
            features.Add(h);
        }
        return b.Concat(1, [.. features]);
    }

    // PyTorch < 1.13's softmax symbolic: below opset 13 Softmax flattens from `axis` on, so for dim ≠ last it swaps
    // dim and the last axis with a Transpose, applies Softmax(axis = rank − 1) and swaps back.
    private static ModelProto PyTorchSegmentationSoftmax()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 11, irVersion: 6, "pytorch", "1.9", OnnxNaming.TorchNumbered, seed: 108);
        string x = b.Input("input", "batch_size", 3, 24, 24);
        string h = b.Relu(b.TorchFoldedConv(x, "backbone.conv1", 3, 8, 3, stride: 2, pad: 1));  // 12×12
        h = b.Relu(b.TorchFoldedConv(h, "backbone.conv2", 8, 8, 3, pad: 2, group: 1));           // 14×14 (pad 2)
        h = b.TorchConv(h, "classifier", 8, 5, 1);                                                // 5 classes
        h = b.Transpose(h, 0, 3, 2, 1);
        h = b.Softmax(h, 3);
        string y = b.Transpose(h, 0, 3, 2, 1);
        return b.OutputAs(y, "out", "batch_size", 5, 14, 14).Build();
    }

    // torchvision SqueezeNet 1.1 (small): MaxPool with ceil_mode = 1 where it changes the size (16 → 8, 8 → 4).
    private static ModelProto PyTorchSqueezeNetCeilMode()
    {
        var b = new OnnxBuilder("torch-jit-export", opset: 11, irVersion: 6, "pytorch", "1.9", OnnxNaming.TorchNumbered, seed: 107);
        string x = b.Input("input", "batch_size", 3, 34, 34);
        AttributeProto[] pool = [Int("ceil_mode", 1), Ints("kernel_shape", 3, 3), Ints("pads", 0, 0, 0, 0), Ints("strides", 2, 2)];
        string h = b.Relu(b.TorchConv(x, "features.0", 3, 16, 3, stride: 2));  // 16×16
        h = b.MaxPool(h, pool);                                                 // 8×8 (floor would give 7)
        h = Fire(b, h, "features.3", 16, 4, 8);
        h = Fire(b, h, "features.4", 16, 4, 8);
        h = b.MaxPool(h, pool);                                                 // 4×4 (floor: 3)
        h = Fire(b, h, "features.6", 16, 6, 12);
        h = b.Relu(b.TorchConv(h, "classifier.1", 24, 10, 1));
        string y = b.Softmax(b.Flatten(b.GlobalAveragePool(h)), 1);
        return b.OutputAs(y, "probabilities", "batch_size", 10).Build();
    }

    private static string Fire(OnnxBuilder b, string x, string module, int cin, int squeeze, int expand)
    {
        string s = b.Relu(b.TorchConv(x, module + ".squeeze", cin, squeeze, 1));
        string e1 = b.Relu(b.TorchConv(s, module + ".expand1x1", squeeze, expand, 1));
        string e3 = b.Relu(b.TorchConv(s, module + ".expand3x3", squeeze, expand, 3, pad: 1));
        return b.Concat(1, e1, e3);
    }
}
