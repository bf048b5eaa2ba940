// OnnxCorpus (TensorFlow / Keras): NHWC inputs with the converters' Transpose nodes — tf2onnx with explicit SAME pads,
// Relu6 as Clip with initializer bounds, a BiasAdd left as an Add in NHWC between transposes, MaxPool auto_pad
// SAME_UPPER, Keras GlobalAveragePooling2D as ReduceMean(keepdims 0), Dense as MatMul + Add, the TF2 function's
// Identity before the output (opset 13); a Keras CNN whose Flatten runs on NHWC after a Transpose back; the residual
// Conv → Add → Relu of the real tf2onnx file with an opset-15 BatchNormalization and an NHWC output; keras2onnx's
// explicit ZeroPadding2D Pad nodes before VALID convolutions (opset 9 with attributes, opset 21 with inputs).
using Topiary.Onnx.Proto;
using static Topiary.Tests.Onnx.Corpus.OnnxAttr;

namespace Topiary.Tests.Onnx.Corpus;

internal static partial class OnnxCorpus
{
    private static IEnumerable<CorpusModel> TensorFlowModels() =>
    [
        new("tf2onnx_nhwc_transposes_relu6", "tf2onnx 1.9: NHWC input → Transpose(0,3,1,2) → Conv (SAME pads spelled out), Relu6 as Clip(min, max inputs), BiasAdd as NHWC Add between transposes, MaxPool SAME_UPPER, ReduceMean(1,2) keepdims 0, MatMul+Add, Softmax, Identity before the output", 13, Tf2OnnxNhwcRelu6),
        new("tf2onnx_nhwc_residual_bn15", "tf2onnx 1.9 (like the real file): Transpose → Conv 1×1 → BatchNormalization opset 15 → Add(transposed input) → Relu → Transpose back; NHWC output", 15, Tf2OnnxNhwcResidual),
        new("tf2onnx_keras_flatten_nhwc", "tf2onnx Keras CNN: NHWC input, Conv SAME pads + Relu, MaxPool, Transpose back to NHWC before Flatten (Reshape [-1, H·W·C] in NHWC order), Dense as MatMul+Add, Softmax", 13, Tf2OnnxKerasFlattenNhwc),
        new("keras_explicit_pad_valid_conv", "keras2onnx 1.7: NHWC input, ZeroPadding2D as Pad (attributes) before VALID Convs (symmetric and asymmetric), BN eps 1e-3, GlobalAveragePooling2D as ReduceMean keepdims 0, Dense as MatMul+Add", 9, () => KerasExplicitPad(9, 4, 120)),
        new("keras_explicit_pad_opset21", "the keras2onnx model at opset 21: Pad with pads input, ReduceMean with axes input (IR 10)", 21, () => KerasExplicitPad(21, 10, 121)),
    ];

    private static ModelProto Tf2OnnxNhwcRelu6()
    {
        var b = new OnnxBuilder("tf2onnx", opset: 13, irVersion: 7, "tf2onnx", "1.9.3", OnnxNaming.TfScoped, seed: 122);
        string x = b.Input("input_1", "unk__201", 32, 32, 3);
        string h = b.At("model/conv1/Conv2D__6").Transpose(x, 0, 3, 1, 2);
        // Conv 3×3 stride 2 SAME on 32: total pad 1 → [0, 0, 1, 1] (TF pads the end).
        h = b.TfConv(h, "model/conv1", 3, 8, 3, stride: 2, pads: [0, 0, 1, 1]);                                    // 16×16
        h = b.At("model/conv1/Relu6").Op("Clip", [h, b.Floats("model/conv1/Relu6__4:0", [], 0f), b.Floats("model/conv1/Relu6__5:0", [], 6f)]);
        // Depthwise conv without bias; the BiasAdd stayed in NHWC between two transposes.
        h = b.TfConv(h, "model/dw1/depthwise", 8, 8, 3, stride: 1, pads: [1, 1, 1, 1], group: 8, bias: false);
        h = b.At("model/dw1/depthwise__12").Transpose(h, 0, 2, 3, 1);
        h = b.At("model/dw1/BiasAdd").Add(h, b.Bias("model/dw1/BiasAdd/ReadVariableOp:0", 8));
        h = b.At("model/dw1/Relu6").Op("Clip", [h, b.Floats("model/dw1/Relu6__14:0", [], 0f), b.Floats("model/dw1/Relu6__15:0", [], 6f)]);
        h = b.At("model/pool/MaxPool__16").Transpose(h, 0, 3, 1, 2);
        h = b.At("model/pool/MaxPool").MaxPool(h, Str("auto_pad", "SAME_UPPER"), Ints("kernel_shape", 3, 3), Ints("strides", 2, 2)); // 8×8
        h = b.At("model/pool/MaxPool__18").Transpose(h, 0, 2, 3, 1);
        h = b.At("model/gap/Mean").ReduceMean(h, [1, 2], keepDims: false);
        h = b.At("model/dense/MatMul").MatMul(h, b.MatMulWeight("model/dense/MatMul/ReadVariableOp:0", 8, 10));
        h = b.At("model/dense/BiasAdd").Add(h, b.Bias("model/dense/BiasAdd/ReadVariableOp:0", 10));
        h = b.At("model/dense/Softmax").Softmax(h, 1);
        string y = b.At("Identity").Op("Identity", [h]);
        return b.OutputAs(y, "dense", "unk__202", 10).Build();
    }

    // A classic Keras MNIST-style CNN: Keras' Flatten runs on NHWC, so tf2onnx transposes back before the Reshape and
    // the Dense kernel rows are in (h, w, c) order.
    private static ModelProto Tf2OnnxKerasFlattenNhwc()
    {
        var b = new OnnxBuilder("tf2onnx", opset: 13, irVersion: 7, "tf2onnx", "1.13.0", OnnxNaming.TfScoped, seed: 124);
        string x = b.Input("conv2d_input", "unk__88", 16, 16, 1);
        string h = b.At("sequential/conv2d/Conv2D__6").Transpose(x, 0, 3, 1, 2);
        h = b.At("sequential/conv2d/Relu").Relu(b.TfConv(h, "sequential/conv2d", 1, 8, 3, stride: 1, pads: [1, 1, 1, 1]));
        h = b.At("sequential/max_pooling2d/MaxPool").MaxPool(h, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2));       // 8×8
        h = b.At("sequential/conv2d_1/Relu").Relu(b.TfConv(h, "sequential/conv2d_1", 8, 12, 3, stride: 1, pads: [0, 0, 0, 0])); // 6×6
        h = b.At("sequential/max_pooling2d_1/MaxPool").MaxPool(h, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2));     // 3×3
        h = b.At("sequential/max_pooling2d_1/MaxPool__28").Transpose(h, 0, 2, 3, 1);
        h = b.At("sequential/flatten/Reshape").Op("Reshape", [h, b.Int64s("const_fold_opt__52", [2], -1, 108)]);
        h = b.At("sequential/dense/MatMul").MatMul(h, b.MatMulWeight("sequential/dense/MatMul/ReadVariableOp:0", 108, 32));
        h = b.At("sequential/dense/Relu").Relu(b.At("sequential/dense/BiasAdd").Add(h, b.Bias("sequential/dense/BiasAdd/ReadVariableOp:0", 32)));
        h = b.At("sequential/dense_1/MatMul").MatMul(h, b.MatMulWeight("sequential/dense_1/MatMul/ReadVariableOp:0", 32, 10));
        h = b.At("sequential/dense_1/BiasAdd").Add(h, b.Bias("sequential/dense_1/BiasAdd/ReadVariableOp:0", 10));
        string y = b.At("sequential/dense_1/Softmax").Softmax(h, 1);
        return b.OutputAs(y, "dense_1", "unk__89", 10).Build();
    }

    // The pattern of tf2onnx-nhwc-conv-add-relu.onnx, small, with a BatchNormalization (opset 15) after the conv.
    private static ModelProto Tf2OnnxNhwcResidual()
    {
        var b = new OnnxBuilder("tf2onnx", opset: 15, irVersion: 8, "tf2onnx", "1.9.3", OnnxNaming.TfScoped, seed: 123);
        string x = b.Input("input", "unk__2333", 12, 12, 16);
        string t = b.At("model_41/conv2d_34/Conv2D__2321").Transpose(x, 0, 3, 1, 2);
        string c = b.TfConv(t, "model_41/conv2d_34", 16, 16, 1, stride: 1, pads: [0, 0, 0, 0], bias: false);
        var p = b.BatchNormParams(16, "model_41/bn/gamma:0", "model_41/bn/beta:0", "model_41/bn/moving_mean:0", "model_41/bn/moving_variance:0");
        c = b.At("model_41/bn/FusedBatchNormV3").BatchNorm(c, p, 1e-3f, momentum: null);
        string h = b.At("model_41/lambda_9/add").Add(t, c);
        h = b.At("model_41/activation_27/Relu").Relu(h);
        string y = b.At("Transpose__2331").Transpose(h, 0, 2, 3, 1);
        return b.OutputAs(y, "activation_27", "unk__2334", 12, 12, 16).Build();
    }

    // keras2onnx: MobileNet-style stem with ZeroPadding2D(1) and a Keras correct_pad ((0, 1), (0, 1)) before the
    // stride-2 depthwise conv, both as Pad nodes followed by VALID convolutions.
    private static ModelProto KerasExplicitPad(long opset, long ir, int seed)
    {
        var b = new OnnxBuilder("keras_model", opset, ir, "keras2onnx", "1.7.0", OnnxNaming.TfScoped, seed);
        string x = b.Input("input_1", "N", 32, 32, 3);
        string h = b.At("input_1_nchw").Transpose(x, 0, 3, 1, 2);
        h = b.At("zero_padding2d").Pad(h, [0, 0, 1, 1, 0, 0, 1, 1]);                                          // 34×34
        h = KerasConv(b, h, "conv1", 3, 8, 3, stride: 2, group: 1);                                            // 16×16
        h = b.At("conv1_relu").Relu(KerasBn(b, h, "conv1_bn", 8));
        h = b.At("conv_pad_2").Pad(h, [0, 0, 0, 0, 0, 0, 1, 1]);                                              // 17×17
        h = KerasConv(b, h, "conv_dw_2", 8, 8, 3, stride: 2, group: 8);                                        // 8×8
        h = b.At("conv_dw_2_relu").Relu(KerasBn(b, h, "conv_dw_2_bn", 8));
        h = KerasConv(b, h, "conv_pw_2", 8, 16, 1, stride: 1, group: 1);
        h = b.At("conv_pw_2_relu").Relu(KerasBn(b, h, "conv_pw_2_bn", 16));
        h = b.At("global_average_pooling2d").ReduceMean(h, [2, 3], keepDims: false);
        h = b.At("dense/MatMul").MatMul(h, b.MatMulWeight("dense/kernel:0", 16, 10));
        h = b.At("dense/BiasAdd").Add(h, b.Bias("dense/bias:0", 10));
        string y = b.At("dense/Softmax").Softmax(h, 1);
        return b.OutputAs(y, "dense", "N", 10).Build();
    }

    private static string KerasConv(OnnxBuilder b, string x, string layer, int cin, int cout, int k, int stride, int group)
    {
        string w = b.Weight(layer + "/kernel:0", cout, cin / group, k, k);
        return b.At(layer).Conv(x, w, null, Str("auto_pad", "VALID"), Ints("dilations", 1, 1), Int("group", group), Ints("kernel_shape", k, k), Ints("strides", stride, stride));
    }

    private static string KerasBn(OnnxBuilder b, string x, string layer, int c) =>
        b.At(layer).BatchNorm(x, b.BatchNormParams(c, layer + "/gamma:0", layer + "/beta:0", layer + "/moving_mean:0", layer + "/moving_variance:0"), 1e-3f, momentum: 0.99f);
}
