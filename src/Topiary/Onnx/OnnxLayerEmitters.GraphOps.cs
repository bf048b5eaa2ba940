// OnnxLayerEmitters.GraphOps: the multi-tensor ops of a Graph.
//   ElementwiseOp → Add / Sub / Mul / Div (two inputs, NumPy broadcasting as in Topiary)
//   Cat(axis) → Concat(axis) (negative axes as given)
//   Split(axis, sizes) → Split(axis) with the sizes as a second INT64 input "<path>.split" (opset 13+ form); every
//                        output is written, used or not
using Topiary.Nn;
using static Topiary.Onnx.OnnxAttributes;

namespace Topiary.Onnx;

internal static partial class OnnxLayerEmitters
{
    private static string[]? GraphOps(OnnxEmitter e, GraphOp op, IReadOnlyList<string> inputs, IReadOnlyList<string?> outputs, string name)
    {
        switch (op)
        {
            case ElementwiseOp ew:
            {
                CheckInputs(op, name, inputs, 2);
                string type = ew.Kind switch
                {
                    ElementwiseKind.Add => "Add",
                    ElementwiseKind.Sub => "Sub",
                    ElementwiseKind.Mul => "Mul",
                    ElementwiseKind.Div => "Div",
                    _ => throw OnnxEmitter.Unsupported(op, name, $"unknown kind {ew.Kind}."),
                };
                return [.. e.Node(name, type, inputs, e.Output(name, outputs[0])).Output];
            }
            case Cat cat:
            {
                if (inputs.Count == 0) throw new ArgumentException($"Module '{name}' ({op}) needs at least one input.");
                var n = e.Node(name, "Concat", inputs, e.Output(name, outputs[0]));
                n.Attribute.Add(Int("axis", cat.Axis));
                return [.. n.Output];
            }
            case Split split:
            {
                CheckInputs(op, name, inputs, 1);
                string sizes = e.Int64s(name, "split", split.Sizes.Select(s => (long)s).ToArray());
                var n = e.Node(name, "Split", [inputs[0], sizes], e.Outputs(name, outputs));
                n.Attribute.Add(Int("axis", split.Axis));
                return [.. n.Output];
            }
            default:
                return null;
        }
    }

    private static void CheckInputs(GraphOp op, string name, IReadOnlyList<string> inputs, int expected)
    {
        if (inputs.Count != expected)
            throw new ArgumentException($"Module '{name}' ({op}) reads {expected} tensors; {inputs.Count} given.");
    }
}
