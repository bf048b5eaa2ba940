// OnnxLayerEmitters.Activations: element-wise activations.
//   ReLU → Relu
using Topiary.Nn;

namespace Topiary.Onnx;

internal static partial class OnnxLayerEmitters
{
    private static string? Activations(OnnxEmitter e, Module layer, string name, string input, string? output) => layer switch
    {
        ReLU => e.Node(name, "Relu", [input], e.Output(name, output)).Output[0],
        _ => null,
    };
}
