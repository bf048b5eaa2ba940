// TensorLayout: the order of the axes of one image example — channels first (NCHW, Topiary's and PyTorch's) or
// channels last (NHWC, TensorFlow's).
namespace Topiary.Data;

/// <summary>Axis order of image tensors.</summary>
public enum TensorLayout
{
    /// <summary>Channels first: an example is <c>[C, H, W]</c>, a batch <c>[N, C, H, W]</c>.</summary>
    Nchw,

    /// <summary>Channels last: an example is <c>[H, W, C]</c>, a batch <c>[N, H, W, C]</c>.</summary>
    Nhwc,
}
