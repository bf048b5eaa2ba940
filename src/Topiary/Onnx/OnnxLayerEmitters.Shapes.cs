// OnnxLayerEmitters.Shapes: layers that move or reshape values without arithmetic.
//   Flatten → Flatten (axis 1)
using Topiary.Nn;
using static Topiary.Onnx.OnnxAttributes;

namespace Topiary.Onnx;

internal static partial class OnnxLayerEmitters
{
    private static string? Shapes(OnnxEmitter e, Module layer, string name, string input, string? output)
    {
        switch (layer)
        {
            case Nn.Flatten:
            {
                var n = e.Node(name, "Flatten", [input], e.Output(name, output));
                n.Attribute.Add(Int("axis", 1));
                return n.Output[0];
            }
            default:
                return null;
        }
    }
}
