// OnnxLayerEmitters.Shapes: layers that move, cut, pad or average values over axes.
//   Flatten(axis) → Flatten(axis)
//   Permute(perm) → Transpose(perm)
//   Reshape(spec) → Reshape with the spec as an INT64 input "<path>.shape" (0 = copy, −1 = infer; allowzero 0, the default)
//   Pad(pads, mode, value) → Pad with pads as an INT64 input "<path>.pads" (ONNX layout, negative = crop) and, for
//     the constant mode, the value as a scalar input "<path>.value"; mode constant / reflect / edge
//   ReduceMean(axes, keepDims) → ReduceMean(keepdims) with the axes as an attribute below opset 18 and as an INT64
//     input "<path>.axes" from 18 (left out when empty: every axis)
//   Slice(starts, ends, axes, steps) → Slice with INT64 inputs "<path>.starts/.ends/.axes/.steps" (values as given,
//     so long.MaxValue / long.MinValue keep ONNX's "to the end / to the beginning" meaning)
using Topiary.Nn;
using static Topiary.Onnx.OnnxAttributes;

namespace Topiary.Onnx;

internal static partial class OnnxLayerEmitters
{
    private static string? Shapes(OnnxEmitter e, Module layer, string name, string input, string? output)
    {
        switch (layer)
        {
            case Nn.Flatten flatten:
                return e.Unary(name, "Flatten", input, output, Int("axis", flatten.Axis));
            case Permute permute:
                return e.Unary(name, "Transpose", input, output, Ints("perm", permute.Perm.Select(p => (long)p)));
            case Reshape reshape:
                return e.Node(name, "Reshape", [input, e.Int64s(name, "shape", reshape.Shape)], e.Output(name, output)).Output[0];
            case Pad pad:
            {
                string pads = e.Int64s(name, "pads", pad.Pads);
                string[] inputs = pad.Mode == PadMode.Constant ? [input, pads, e.Scalar(name, "value", pad.Value)] : [input, pads];
                var n = e.Node(name, "Pad", inputs, e.Output(name, output));
                n.Attribute.Add(String("mode", pad.Mode switch
                {
                    PadMode.Constant => "constant",
                    PadMode.Reflect => "reflect",
                    PadMode.Edge => "edge",
                    _ => throw OnnxEmitter.Unsupported(pad, name, $"unknown pad mode {pad.Mode}."),
                }));
                return n.Output[0];
            }
            case ReduceMean mean:
            {
                long[] axes = mean.Axes.Select(a => (long)a).ToArray();
                bool axesInput = e.Opset >= 18 && axes.Length > 0;
                string[] inputs = axesInput ? [input, e.Int64s(name, "axes", axes)] : [input];
                var n = e.Node(name, "ReduceMean", inputs, e.Output(name, output));
                if (e.Opset < 18 && axes.Length > 0) n.Attribute.Add(Ints("axes", axes));
                n.Attribute.Add(Int("keepdims", mean.KeepDims ? 1 : 0));
                return n.Output[0];
            }
            case Slice slice:
            {
                string[] inputs =
                [
                    input, e.Int64s(name, "starts", slice.Starts), e.Int64s(name, "ends", slice.Ends),
                    e.Int64s(name, "axes", slice.Axes), e.Int64s(name, "steps", slice.Steps),
                ];
                return e.Node(name, "Slice", inputs, e.Output(name, output)).Output[0];
            }
            default:
                return null;
        }
    }
}
