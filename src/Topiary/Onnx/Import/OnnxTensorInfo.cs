// OnnxTensorInfo: a graph input as the importer read it.
namespace Topiary.Onnx;

/// <summary>A named graph input and its full shape (batch first; −1 where the file leaves it symbolic).</summary>
/// <param name="Name">The tensor name in the file (and in the imported graph).</param>
/// <param name="Shape">Full shape including the batch axis.</param>
public sealed record OnnxTensorInfo(string Name, int[] Shape);
