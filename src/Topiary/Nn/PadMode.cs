// PadMode: how Pad fills the border (the ONNX Pad "mode" attribute values constant / reflect / edge).
namespace Topiary.Nn;

/// <summary>How <see cref="Pad"/> fills the positions outside its input.</summary>
public enum PadMode
{
    /// <summary>A constant value (ONNX <c>constant</c>, PyTorch <c>F.pad(mode="constant")</c>).</summary>
    Constant,

    /// <summary>Mirror without repeating the border element: [a b c d] padded by 2 → [c b a b c d c b] (ONNX <c>reflect</c>).</summary>
    Reflect,

    /// <summary>Repeat the border element: [a b c d] padded by 2 → [a a a b c d d d] (ONNX <c>edge</c>, PyTorch <c>replicate</c>).</summary>
    Edge,
}
