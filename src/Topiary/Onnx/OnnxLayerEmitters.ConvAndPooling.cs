// OnnxLayerEmitters.ConvAndPooling: layers with weights or windows.
//   Conv2d → Conv (kernel_shape, strides, pads = (top, left, bottom, right), dilations, group; weight [+ bias]
//            initializers, the weight may be sparse)
//   Linear → Gemm (transB = 1; weight [+ bias], the weight may be sparse)
//   BatchNorm1d/2d → BatchNormalization (inference: scale, bias, running_mean, running_var; epsilon)
//   LocalResponseNorm (odd size) → LRN (size, alpha, beta, bias = k)
//   MaxPool2d → MaxPool, AvgPool2d → AveragePool (kernel_shape, strides, pads = (top, left, bottom, right),
//            ceil_mode written when set; AveragePool also count_include_pad 0/1)
//   GlobalAvgPool2d → GlobalAveragePool, GlobalMaxPool2d → GlobalMaxPool
// Initializers are named "<path>.weight", "<path>.bias", "<path>.running_mean", "<path>.running_var".
using Topiary.Nn;
using Topiary.Onnx.Proto;
using static Topiary.Onnx.OnnxAttributes;

namespace Topiary.Onnx;

internal static partial class OnnxLayerEmitters
{
    private static string? ConvAndPooling(OnnxEmitter e, Module layer, string name, string input, string? output)
    {
        switch (layer)
        {
            case Conv2d conv:
            {
                string w = e.Weight(name, "weight", conv.Weight, mayBeSparse: true);
                string[] inputs = conv.Bias is null ? [input, w] : [input, w, e.Weight(name, "bias", conv.Bias)];
                var n = e.Node(name, "Conv", inputs, e.Output(name, output));
                n.Attribute.Add(Ints("kernel_shape", conv.KernelSize.H, conv.KernelSize.W));
                n.Attribute.Add(Ints("strides", conv.Stride.H, conv.Stride.W));
                n.Attribute.Add(Pads(conv.Pads));
                n.Attribute.Add(Ints("dilations", conv.Dilation.H, conv.Dilation.W));
                n.Attribute.Add(Int("group", conv.Groups));
                return n.Output[0];
            }
            case Linear linear:
            {
                string w = e.Weight(name, "weight", linear.Weight, mayBeSparse: true);
                string[] inputs = linear.Bias is null ? [input, w] : [input, w, e.Weight(name, "bias", linear.Bias)];
                var n = e.Node(name, "Gemm", inputs, e.Output(name, output));
                n.Attribute.Add(Int("transB", 1));
                return n.Output[0];
            }
            case BatchNorm bn:
            {
                string[] inputs =
                [
                    input, e.Weight(name, "weight", bn.Weight), e.Weight(name, "bias", bn.Bias),
                    e.Floats(name, "running_mean", bn.RunningMean), e.Floats(name, "running_var", bn.RunningVar),
                ];
                var n = e.Node(name, "BatchNormalization", inputs, e.Output(name, output));
                n.Attribute.Add(Float("epsilon", bn.Eps));
                return n.Output[0];
            }
            case LocalResponseNorm lrn:
            {
                if (lrn.Size % 2 == 0)
                    throw OnnxEmitter.Unsupported(lrn, name, "even LRN sizes cannot be exported (ONNX places the window differently from PyTorch).");
                return e.Unary(name, "LRN", input, output, Int("size", lrn.Size), Float("alpha", lrn.Alpha), Float("beta", lrn.Beta), Float("bias", lrn.K));
            }
            case MaxPool2d pool:
                return e.Unary(name, "MaxPool", input, output, PoolAttributes(pool));
            case AvgPool2d pool:
                return e.Unary(name, "AveragePool", input, output, [.. PoolAttributes(pool), Int("count_include_pad", pool.CountIncludePad ? 1 : 0)]);
            case GlobalAvgPool2d:
                return e.Unary(name, "GlobalAveragePool", input, output);
            case GlobalMaxPool2d:
                return e.Unary(name, "GlobalMaxPool", input, output);
            default:
                return null;
        }
    }

    private static AttributeProto Pads((int Top, int Left, int Bottom, int Right) p) => Ints("pads", p.Top, p.Left, p.Bottom, p.Right);

    private static IEnumerable<AttributeProto> PoolAttributes(Pool2d pool)
    {
        yield return Ints("kernel_shape", pool.Kernel.H, pool.Kernel.W);
        yield return Ints("strides", pool.Strides.H, pool.Strides.W);
        yield return Pads(pool.Pads);
        if (pool.CeilMode) yield return Int("ceil_mode", 1);
    }
}
