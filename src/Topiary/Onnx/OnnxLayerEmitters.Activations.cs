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
                return e.Unary(name, "Relu", input, output);
            case LeakyReLU leaky:
                return e.Unary(name, "LeakyRelu", input, output, Float("alpha", leaky.NegativeSlope));
            case Sigmoid:
                return e.Unary(name, "Sigmoid", input, output);
            case Tanh:
                return e.Unary(name, "Tanh", input, output);
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
                return e.Unary(name, "HardSigmoid", input, output, Float("alpha", hs.Alpha), Float("beta", hs.Beta));
            case HardSwish:
            {
                if (e.Opset >= 14) return e.Unary(name, "HardSwish", input, output);
                string gateName = name + ".gate";
                string gate = e.Unary(gateName, "HardSigmoid", input, null, Float("alpha", 1f / 6), Float("beta", 0.5f));
                return e.Node(name, "Mul", [input, gate], e.Output(name, output)).Output[0];
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
            return e.Unary(name, op, input, output, Int("axis", axis));
        string shapeName = name + ".shape", flatName = name + ".flatten", normName = name + "." + op.ToLowerInvariant();
        string shape = e.Unary(shapeName, "Shape", input, null);
        string flat = e.Unary(flatName, "Flatten", input, null, Int("axis", axis));
        string norm = e.Unary(normName, op, flat, null, Int("axis", 1));
        return e.Node(name, "Reshape", [norm, shape], e.Output(name, output)).Output[0];
    }
}
