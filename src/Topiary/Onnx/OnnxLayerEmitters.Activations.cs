// OnnxLayerEmitters.Activations: element-wise activations and the axis-wise (log-)softmax.
//   ReLU → Relu;  LeakyReLU(slope) → LeakyRelu(alpha = slope);  Sigmoid → Sigmoid;  Tanh → Tanh
//   Hardtanh(min, max) (ReLU6 = Hardtanh(0, 6)) → Clip with min/max as scalar inputs "<path>.min"/"<path>.max"
//     (opset 11+ form); an infinite bound is left out (empty input name)
//   HardSigmoid(α, β) → HardSigmoid(alpha, beta)
//   HardSwish → HardSwish (opset ≥ 14); at opset 13, which has none, Mul(x, HardSigmoid(alpha = 1/6, beta = 1/2)(x))
//   Softmax(axis) / LogSoftmax(axis) → Softmax / LogSoftmax(axis) (opset-13 per-axis semantics); with coerceTo2D
//     (the pre-13 semantics) and an axis other than −1: Flatten(axis) → (Log)Softmax(axis = 1) → Reshape back to
//     Shape(x), which is that normalisation over all trailing dimensions for any input shape
using Topiary.Nn;
using static Topiary.Onnx.OnnxAttributes;

namespace Topiary.Onnx;

internal static partial class OnnxLayerEmitters
{
    private static string? Activations(OnnxEmitter e, Module layer, string name, string input, string? output)
    {
        switch (layer)
        {
            case ReLU:
                return e.Node(name, "Relu", [input], e.Output(name, output)).Output[0];
            case LeakyReLU leaky:
            {
                var n = e.Node(name, "LeakyRelu", [input], e.Output(name, output));
                n.Attribute.Add(Float("alpha", leaky.NegativeSlope));
                return n.Output[0];
            }
            case Sigmoid:
                return e.Node(name, "Sigmoid", [input], e.Output(name, output)).Output[0];
            case Tanh:
                return e.Node(name, "Tanh", [input], e.Output(name, output)).Output[0];
            case Hardtanh clip:
            {
                var inputs = new List<string> { input };
                if (!float.IsNegativeInfinity(clip.Min)) inputs.Add(e.Scalar(name, "min", clip.Min));
                if (!float.IsPositiveInfinity(clip.Max))
                {
                    if (inputs.Count == 1) inputs.Add(""); // min omitted
                    inputs.Add(e.Scalar(name, "max", clip.Max));
                }
                return e.Node(name, "Clip", inputs, e.Output(name, output)).Output[0];
            }
            case HardSigmoid hs:
            {
                var n = e.Node(name, "HardSigmoid", [input], e.Output(name, output));
                n.Attribute.Add(Float("alpha", hs.Alpha));
                n.Attribute.Add(Float("beta", hs.Beta));
                return n.Output[0];
            }
            case HardSwish:
            {
                if (e.Opset >= 14) return e.Node(name, "HardSwish", [input], e.Output(name, output)).Output[0];
                string gateName = name + ".gate";
                var gate = e.Node(gateName, "HardSigmoid", [input], e.Output(gateName, null));
                gate.Attribute.Add(Float("alpha", 1f / 6));
                gate.Attribute.Add(Float("beta", 0.5f));
                return e.Node(name, "Mul", [input, gate.Output[0]], e.Output(name, output)).Output[0];
            }
            case Softmax sm:
                return SoftmaxLike(e, "Softmax", sm.Axis, sm.CoerceTo2D, name, input, output);
            case LogSoftmax lsm:
                return SoftmaxLike(e, "LogSoftmax", lsm.Axis, lsm.CoerceTo2D, name, input, output);
            default:
                return null;
        }
    }

    private static string SoftmaxLike(OnnxEmitter e, string op, int axis, bool coerceTo2D, string name, string input, string? output)
    {
        if (!coerceTo2D || axis == -1)
        {
            var n = e.Node(name, op, [input], e.Output(name, output));
            n.Attribute.Add(Int("axis", axis));
            return n.Output[0];
        }
        string shapeName = name + ".shape", flatName = name + ".flatten", normName = name + "." + op.ToLowerInvariant();
        string shape = e.Node(shapeName, "Shape", [input], e.Output(shapeName, null)).Output[0];
        var flat = e.Node(flatName, "Flatten", [input], e.Output(flatName, null));
        flat.Attribute.Add(Int("axis", axis));
        var norm = e.Node(normName, op, [flat.Output[0]], e.Output(normName, null));
        norm.Attribute.Add(Int("axis", 1));
        return e.Node(name, "Reshape", [norm.Output[0], shape], e.Output(name, output)).Output[0];
    }
}
