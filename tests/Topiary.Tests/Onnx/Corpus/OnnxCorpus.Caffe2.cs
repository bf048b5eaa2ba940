// OnnxCorpus (onnx-caffe2, the model zoo's classic CNNs): IR 3, static batch 1, nodes "n0" → tensors "r0", blobs
// "conv1_w_0"; AlexNet with grouped convs, LRN, two-output Dropout and Gemm transB = 1 (opset 7); GoogLeNet with
// 4-branch Concat, LRN, AveragePool with asymmetric pads and a Reshape of the classifier weight (opset 9); SqueezeNet
// ending in Softmax over [1, C, 1, 1] (opset-9 default axis 1, coerced to 2-D); ShuffleNet with the channel shuffle
// Reshape → Transpose(0,2,1,3,4) → Reshape, grouped 1×1 convs, AveragePool + Concat downsampling and Sum joins.
using Topiary.Onnx.Proto;
using static Topiary.Tests.Onnx.Corpus.OnnxAttr;

namespace Topiary.Tests.Onnx.Corpus;

internal static partial class OnnxCorpus
{
    private static IEnumerable<CorpusModel> Caffe2Models() =>
    [
        new("caffe2_alexnet_lrn_grouped_conv", "onnx-caffe2 AlexNet at opset 7: grouped Conv (group=2), LRN, MaxPool asymmetric pads, Reshape to [1,-1], Gemm transB=1, Dropout ratio attribute with mask, Softmax", 7, Caffe2AlexNet),
        new("caffe2_inception_concat_branches", "onnx-caffe2 GoogLeNet: LRN, 4-branch Concat (1×1 | 1×1→3×3 | 1×1→5×5 | pool→1×1), AveragePool pads [0,0,1,1], Dropout, Reshape of activation and classifier weight, Gemm, Softmax", 9, Caffe2Inception),
        new("caffe2_squeezenet_softmax_4d", "onnx-caffe2 SqueezeNet: Fire Concat branches, Dropout with mask, conv10→Relu→GlobalAveragePool, Softmax without axis on [1,C,1,1] (legacy 2-D coercion)", 9, Caffe2SqueezeNet),
        new("caffe2_shufflenet_channel_shuffle", "onnx-caffe2 ShuffleNet: grouped 1×1 convs, channel shuffle Reshape→Transpose(0,2,1,3,4)→Reshape, depthwise stride 2, AveragePool shortcut + Concat, Sum joins, attribute-less BN", 9, Caffe2ShuffleNet),
    ];

    private static OnnxBuilder Caffe2Builder(string name, long opset, int seed) =>
        new(name, opset, irVersion: 3, "onnx-caffe2", "", OnnxNaming.Caffe2, seed);

    private static AttributeProto[] Caffe2Pool(int k, int stride, params long[] pads) =>
        [Ints("strides", stride, stride), Ints("pads", pads), Ints("kernel_shape", k, k)];

    private static ModelProto Caffe2AlexNet()
    {
        var b = Caffe2Builder("bvlc_alexnet", opset: 7, seed: 140);
        string x = b.Input("data_0", 1, 3, 40, 40);
        string h = b.Relu(b.Caffe2Conv(x, "conv1", 3, 8, 5, stride: 2));                           // 18×18
        h = b.MaxPool(b.Lrn(h, 5, 1e-4f, 0.75f, 1f), Caffe2Pool(3, 2, 0, 0, 0, 0));                 // 8×8
        h = b.Relu(b.Caffe2Conv(h, "conv2", 8, 16, 3, pad: 1, group: 2));
        h = b.MaxPool(b.Lrn(h, 5, 1e-4f, 0.75f, 1f), Caffe2Pool(2, 2, 0, 0, 0, 0));                 // 4×4
        h = b.Relu(b.Caffe2Conv(h, "conv3", 16, 16, 3, pad: 1));
        h = b.Relu(b.Caffe2Conv(h, "conv4", 16, 16, 3, pad: 1, group: 2));
        h = b.MaxPool(h, Caffe2Pool(3, 2, 0, 0, 1, 1));                                              // (4+1−3)/2+1 = 2
        h = b.Reshape(h, 1, -1);                                                                     // [1, 64]
        h = b.Relu(b.Gemm(h, b.Weight("fc6_w_0", 32, 64), b.Bias("fc6_b_0", 32), Int("transB", 1)));
        h = b.Dropout(h, 0.5f, withMask: true);
        h = b.Relu(b.Gemm(h, b.Weight("fc7_w_0", 32, 32), b.Bias("fc7_b_0", 32), Int("transB", 1)));
        h = b.Dropout(h, 0.5f, withMask: true);
        h = b.Gemm(h, b.Weight("fc8_w_0", 10, 32), b.Bias("fc8_b_0", 10), Int("transB", 1));
        string y = b.Op("Softmax", [h]);
        return b.OutputAs(y, "prob_1", 1, 10).Build();
    }

    private static ModelProto Caffe2Inception()
    {
        var b = Caffe2Builder("inception_v1", opset: 9, seed: 141);
        string x = b.Input("data_0", 1, 3, 32, 32);
        string h = b.Relu(b.Caffe2Conv(x, "conv1/7x7_s2", 3, 8, 5, stride: 2, pad: 2));             // 16×16
        h = b.Lrn(b.MaxPool(h, Caffe2Pool(3, 2, 0, 0, 0, 0)), 5, 1e-4f, 0.75f, 1f);                  // 7×7
        h = InceptionModule(b, h, "inception_3a", 8);                                                // 18 channels
        h = InceptionModule(b, h, "inception_3b", 18);
        h = b.AveragePool(h, Caffe2Pool(7, 1, 0, 0, 1, 1));                                          // 2×2
        h = b.Dropout(h, 0.4f, withMask: true);
        h = b.Reshape(h, 1, -1);                                                                     // [1, 72]
        string w = b.Reshape(b.Weight("loss3/classifier_w_0", 10, 18, 2, 2), 10, 72);
        h = b.Gemm(h, w, b.Bias("loss3/classifier_b_0", 10), Int("transB", 1));
        string y = b.Op("Softmax", [h]);
        return b.OutputAs(y, "prob_1", 1, 10).Build();
    }

    private static string InceptionModule(OnnxBuilder b, string x, string blob, int cin)
    {
        string a = b.Relu(b.Caffe2Conv(x, blob + "/1x1", cin, 4, 1));
        string c = b.Relu(b.Caffe2Conv(b.Relu(b.Caffe2Conv(x, blob + "/3x3_reduce", cin, 4, 1)), blob + "/3x3", 4, 6, 3, pad: 1));
        string d = b.Relu(b.Caffe2Conv(b.Relu(b.Caffe2Conv(x, blob + "/5x5_reduce", cin, 2, 1)), blob + "/5x5", 2, 4, 5, pad: 2));
        string p = b.Relu(b.Caffe2Conv(b.MaxPool(x, Caffe2Pool(3, 1, 1, 1, 1, 1)), blob + "/pool_proj", cin, 4, 1));
        return b.Concat(1, a, c, d, p);
    }

    private static ModelProto Caffe2SqueezeNet()
    {
        var b = Caffe2Builder("squeezenet", opset: 9, seed: 142);
        string x = b.Input("data_0", 1, 3, 32, 32);
        string h = b.Relu(b.Caffe2Conv(x, "conv1", 3, 16, 3, stride: 2));                          // 15×15
        h = b.MaxPool(h, Caffe2Pool(3, 2, 0, 0, 0, 0));                                              // 7×7
        h = Caffe2Fire(b, h, "fire2", 16, 4, 8);
        h = Caffe2Fire(b, h, "fire3", 16, 4, 8);
        h = b.MaxPool(h, Caffe2Pool(3, 2, 0, 0, 0, 0));                                              // 3×3
        h = Caffe2Fire(b, h, "fire4", 16, 6, 12);
        h = b.Dropout(h, 0.5f, withMask: true);
        h = b.GlobalAveragePool(b.Relu(b.Caffe2Conv(h, "conv10", 24, 10, 1)));
        string y = b.Op("Softmax", [h]);
        return b.OutputAs(y, "softmaxout_1", 1, 10, 1, 1).Build();
    }

    private static string Caffe2Fire(OnnxBuilder b, string x, string blob, int cin, int squeeze, int expand)
    {
        string s = b.Relu(b.Caffe2Conv(x, blob + "/squeeze1x1", cin, squeeze, 1));
        string e1 = b.Relu(b.Caffe2Conv(s, blob + "/expand1x1", squeeze, expand, 1));
        string e3 = b.Relu(b.Caffe2Conv(s, blob + "/expand3x3", squeeze, expand, 3, pad: 1));
        return b.Concat(1, e1, e3);
    }

    private static ModelProto Caffe2ShuffleNet()
    {
        var b = Caffe2Builder("shufflenet", opset: 9, seed: 143);
        string x = b.Input("gpu_0/data_0", 1, 3, 32, 32);
        string h = b.Relu(b.Caffe2Bn(b.Caffe2Conv(x, "gpu_0/conv3_0", 3, 12, 3, stride: 2, pad: 1), "gpu_0/conv3_0_bn", 12)); // 16×16
        h = b.MaxPool(h, Caffe2Pool(3, 2, 1, 1, 1, 1));                                                                        // 8×8
        // Stride-2 unit: gconv1 → BN → Relu → shuffle → dw s2 → BN → gconv1 → BN; shortcut AveragePool; Concat → Relu.
        string r = b.Relu(b.Caffe2Bn(b.Caffe2Conv(h, "gpu_0/gconv1_0", 12, 12, 1, group: 2, bias: false), "gpu_0/gconv1_0_bn", 12));
        r = ChannelShuffle(b, r, 2, 12, 8);
        r = b.Caffe2Bn(b.Caffe2Conv(r, "gpu_0/gconv3_0", 12, 12, 3, stride: 2, pad: 1, group: 12, bias: false), "gpu_0/gconv3_0_bn", 12); // 4×4
        r = b.Caffe2Bn(b.Caffe2Conv(r, "gpu_0/gconv1_1", 12, 12, 1, group: 2, bias: false), "gpu_0/gconv1_1_bn", 12);
        string s = b.AveragePool(h, Caffe2Pool(3, 2, 1, 1, 1, 1));
        h = b.Relu(b.Concat(1, r, s));                                                                                          // 24 channels
        // Stride-1 unit with a Sum join.
        r = b.Relu(b.Caffe2Bn(b.Caffe2Conv(h, "gpu_0/gconv1_2", 24, 24, 1, group: 2, bias: false), "gpu_0/gconv1_2_bn", 24));
        r = ChannelShuffle(b, r, 2, 24, 4);
        r = b.Caffe2Bn(b.Caffe2Conv(r, "gpu_0/gconv3_1", 24, 24, 3, pad: 1, group: 24, bias: false), "gpu_0/gconv3_1_bn", 24);
        r = b.Caffe2Bn(b.Caffe2Conv(r, "gpu_0/gconv1_3", 24, 24, 1, group: 2, bias: false), "gpu_0/gconv1_3_bn", 24);
        h = b.Relu(b.Op("Sum", [r, h]));
        h = b.AveragePool(h, Caffe2Pool(4, 1, 0, 0, 0, 0));                                                                     // 1×1
        h = b.Gemm(b.Reshape(h, 1, -1), b.Weight("gpu_0/last_out_w_0", 10, 24), b.Bias("gpu_0/last_out_b_0", 10), Int("transB", 1));
        string y = b.Op("Softmax", [h]);
        return b.OutputAs(y, "gpu_0/softmax_1", 1, 10).Build();
    }

    // Reshape [1, C, H, W] → [1, g, C/g, H, W] → Transpose(0, 2, 1, 3, 4) → Reshape [1, C, H, W].
    private static string ChannelShuffle(OnnxBuilder b, string x, int groups, int channels, int size)
    {
        string h = b.Reshape(x, 1, groups, channels / groups, size, size);
        h = b.Transpose(h, 0, 2, 1, 3, 4);
        return b.Reshape(h, 1, channels, size, size);
    }
}
