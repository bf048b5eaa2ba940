// OnnxLayerEmitters: the module → ONNX node mapping, one family per file (OnnxLayerEmitters.<Family>.cs); this file
// dispatches. A family's emitter returns the output tensor name, or null when the module is not one of its types.
//   EmitLayer(emitter, layer, node name, input, wanted output): one-input, one-output layers.
//   EmitOp(emitter, op, inputs, wanted outputs, path): multi-input / multi-output GraphOps (Graph itself is OnnxEmitter's).
// A module of a known type with settings ONNX cannot express throws NotSupportedException naming the path and why.
using Topiary.Nn;

namespace Topiary.Onnx;

internal static partial class OnnxLayerEmitters
{
    /// <summary>The exportable module types, for error messages.</summary>
    public static string Supported =>
        "Conv2d, Linear, BatchNorm1d/2d, LocalResponseNorm, MaxPool2d, AvgPool2d, GlobalAvgPool2d, GlobalMaxPool2d, " +
        "ReLU, LeakyReLU, Hardtanh (ReLU6), Sigmoid, Tanh, HardSigmoid, HardSwish, Softmax, LogSoftmax, " +
        "Flatten, Permute, Reshape, Pad, ReduceMean, Slice, Dropout, Identity, ElementwiseOp, Cat, Split";

    /// <summary>Emits a one-input, one-output layer as node(s) named <paramref name="name"/>; null when no family knows it.</summary>
    public static string? EmitLayer(OnnxEmitter e, Module layer, string name, string input, string? output) =>
        ConvAndPooling(e, layer, name, input, output)
        ?? Activations(e, layer, name, input, output)
        ?? Shapes(e, layer, name, input, output);

    /// <summary>Emits a multi-tensor op; returns its output names, or null when no family knows it.</summary>
    public static IReadOnlyList<string>? EmitOp(OnnxEmitter e, GraphOp op, IReadOnlyList<string> inputs, IReadOnlyList<string?> outputs, string path) =>
        GraphOps(e, op, inputs, outputs, path.Length == 0 ? "op" : path);
}
