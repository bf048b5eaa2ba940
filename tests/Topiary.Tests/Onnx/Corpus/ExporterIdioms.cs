// ExporterIdioms: the layer-sized habits of real exporters, written with OnnxBuilder — PyTorch's Conv/BN/Linear with
// their full attribute lists and "<module>.weight" names (or numbered names once constant folding merged BN into the
// conv), PyTorch's view-by-shape flatten, SiLU/Swish as Sigmoid·Mul, tf2onnx's convolutions with explicit SAME pads,
// onnx-caffe2's convolutions with only strides/pads/kernel_shape. Each helper returns the name of its output tensor.
using Topiary.Onnx.Proto;
using static Topiary.Tests.Onnx.Corpus.OnnxAttr;

namespace Topiary.Tests.Onnx.Corpus;

internal static class ExporterIdioms
{
    /// <summary>PyTorch Conv2d attributes, all written: dilations, group, kernel_shape, pads, strides.</summary>
    public static AttributeProto[] TorchConvAttrs(int k, int stride, int pad, int group) =>
        [Ints("dilations", 1, 1), Int("group", group), Ints("kernel_shape", k, k), Ints("pads", pad, pad, pad, pad), Ints("strides", stride, stride)];

    /// <summary>PyTorch Conv2d named "<paramref name="module"/>.weight/.bias" (node scope = module path with slashes).</summary>
    public static string TorchConv(this OnnxBuilder b, string x, string module, int cin, int cout, int k, int stride = 1, int pad = 0, int group = 1, bool bias = true)
    {
        string w = b.Weight(module + ".weight", cout, cin / group, k, k);
        string? bb = bias ? b.Bias(module + ".bias", cout) : null;
        return b.At(Scope(module)).Conv(x, w, bb, TorchConvAttrs(k, stride, pad, group));
    }

    /// <summary>A PyTorch Conv2d + BatchNorm2d pair after the exporter's constant folding: one Conv with numbered weight and bias.</summary>
    public static string TorchFoldedConv(this OnnxBuilder b, string x, string module, int cin, int cout, int k, int stride = 1, int pad = 0, int group = 1)
    {
        string w = b.Weight(b.FreshName(), cout, cin / group, k, k);
        string bias = b.Bias(b.FreshName(), cout);
        return b.At(Scope(module)).Conv(x, w, bias, TorchConvAttrs(k, stride, pad, group));
    }

    /// <summary>PyTorch BatchNorm2d in evaluation export: epsilon 1e-5, momentum 0.9, parameters "<paramref name="module"/>.weight" etc.</summary>
    public static string TorchBn(this OnnxBuilder b, string x, string module, int channels) =>
        b.At(Scope(module)).BatchNorm(x, b.TorchBatchNormParams(module, channels), 1e-5f, 0.9f);

    /// <summary>PyTorch Linear on a 2-D input: Gemm(x, W[out, in], b, alpha = 1, beta = 1, transB = 1).</summary>
    public static string TorchLinear(this OnnxBuilder b, string x, string module, int fin, int fout)
    {
        string w = b.Weight(module + ".weight", fout, fin);
        string bias = b.Bias(module + ".bias", fout);
        return b.At(Scope(module)).Gemm(x, w, bias, Float("alpha", 1f), Float("beta", 1f), Int("transB", 1));
    }

    /// <summary>PyTorch Linear(bias=False): the transpose of the weight is folded into a numbered [in, out] MatMul operand.</summary>
    public static string TorchLinearNoBias(this OnnxBuilder b, string x, string module, int fin, int fout) =>
        b.At(Scope(module)).MatMul(x, b.MatMulWeight(b.FreshName(), fin, fout));

    /// <summary>PyTorch's <c>x.view(x.size(0), -1)</c>: Shape → Gather(0) → Unsqueeze(0) → Concat(·, [-1]) → Reshape.</summary>
    /// <param name="indexStyle">Where the Gather index 0 goes (PyTorch 1.x: a Constant node).</param>
    /// <param name="restStyle">Where the [-1] goes (PyTorch 1.x: a numbered initializer).</param>
    public static string TorchViewBatchMinusOne(this OnnxBuilder b, string x, ConstantStyle indexStyle, ConstantStyle restStyle)
    {
        string shape = b.Shape(x);
        string batch = b.Gather(shape, b.ConstInt64s([0], scalar: true, style: indexStyle));
        string batch1 = b.Unsqueeze(batch, 0);
        string rest = b.ConstInt64s([-1], style: restStyle);
        string target = b.Concat(0, batch1, rest);
        return b.Opset >= 14 ? b.Op("Reshape", [x, target], Int("allowzero", 0)) : b.Op("Reshape", [x, target]);
    }

    /// <summary>SiLU / Swish as exporters write it before a dedicated operator: Mul(x, Sigmoid(x)).</summary>
    public static string Swish(this OnnxBuilder b, string x) => b.Mul(x, b.Sigmoid(x));

    /// <summary>tf2onnx Conv: weight "<paramref name="scope"/>/Conv2D/ReadVariableOp:0", BiasAdd folded as the bias input, SAME pads spelled out.</summary>
    public static string TfConv(this OnnxBuilder b, string x, string scope, int cin, int cout, int k, int stride, long[] pads, int group = 1, bool bias = true)
    {
        string w = b.Weight(scope + "/Conv2D/ReadVariableOp:0", cout, cin / group, k, k);
        string? bb = bias ? b.Bias(scope + "/BiasAdd/ReadVariableOp:0", cout) : null;
        return b.At(scope + "/Conv2D").Conv(x, w, bb,
            Ints("dilations", 1, 1), Ints("strides", stride, stride), Ints("kernel_shape", k, k), Int("group", group), Ints("pads", pads));
    }

    /// <summary>onnx-caffe2 Conv: weight "<paramref name="blob"/>_w_0", bias "_b_0", attributes strides, pads, kernel_shape (+ group when &gt; 1).</summary>
    public static string Caffe2Conv(this OnnxBuilder b, string x, string blob, int cin, int cout, int k, int stride = 1, int pad = 0, int group = 1, bool bias = true)
    {
        string w = b.Weight(blob + "_w_0", cout, cin / group, k, k);
        string? bb = bias ? b.Bias(blob + "_b_0", cout) : null;
        var attrs = new List<AttributeProto> { Ints("strides", stride, stride), Ints("pads", pad, pad, pad, pad), Ints("kernel_shape", k, k) };
        if (group > 1) attrs.Add(Int("group", group));
        return b.Conv(x, w, bb, [.. attrs]);
    }

    /// <summary>onnx-caffe2 SpatialBN: BatchNormalization without attributes, parameters "<paramref name="blob"/>_s_0, _b_0, _rm_0, _riv_0".</summary>
    public static string Caffe2Bn(this OnnxBuilder b, string x, string blob, int channels) =>
        b.Op("BatchNormalization", [x, .. b.BatchNormParams(channels, blob + "_s_0", blob + "_b_0", blob + "_rm_0", blob + "_riv_0")]);

    private static string Scope(string module) => module.Replace('.', '/');
}
