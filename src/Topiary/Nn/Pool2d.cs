// Pool2d: the window settings shared by MaxPool2d and AvgPool2d — kernel (KH, KW), stride (SH, SW), pads
// (top, left, bottom, right) and ceil_mode — checked once at construction (PoolHelpers.Validate: kernel and stride
// at least 1, each pad in [0, half the kernel along its axis]), the square/symmetric legacy properties
// (KernelSize, Stride, Padding: InvalidOperationException when the sides differ), and the [N, C, H, W] input check
// with its window geometry. Forward/Backward stay in the layers (max and average pooling share no arithmetic).
// Only Topiary's layers derive from it (the constructor is private protected).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>
/// The shared base of <see cref="MaxPool2d"/> and <see cref="AvgPool2d"/>: an NCHW pooling window with rectangular
/// kernel, stride, asymmetric pads and ceil_mode. It cannot be derived from outside Topiary.
/// </summary>
public abstract class Pool2d : Module
{
    private protected Pool2d((int H, int W) kernelSize, (int H, int W)? stride, (int Top, int Left, int Bottom, int Right) pads, bool ceilMode)
    {
        var st = stride ?? kernelSize;
        PoolHelpers.Validate(kernelSize, st, pads);
        Kernel = kernelSize;
        Strides = st;
        Pads = pads;
        CeilMode = ceilMode;
    }

    /// <summary>Window (KH, KW).</summary>
    public (int H, int W) Kernel { get; }

    /// <summary>Stride (SH, SW).</summary>
    public (int H, int W) Strides { get; }

    /// <summary>Implicit padding (top, left, bottom, right): −∞ for <see cref="MaxPool2d"/>, zero for <see cref="AvgPool2d"/>.</summary>
    public (int Top, int Left, int Bottom, int Right) Pads { get; }

    /// <summary>Whether the output size is rounded up (ceil_mode).</summary>
    public bool CeilMode { get; }

    /// <summary>Window size k of a square window.</summary>
    /// <exception cref="InvalidOperationException">The window is not square; read <see cref="Kernel"/>.</exception>
    public int KernelSize => PoolHelpers.Same(this, "the kernel", nameof(Kernel), Kernel.H, Kernel.W);

    /// <summary>Stride of a pool with equal strides on both axes.</summary>
    /// <exception cref="InvalidOperationException">The strides differ; read <see cref="Strides"/>.</exception>
    public int Stride => PoolHelpers.Same(this, "the stride", nameof(Strides), Strides.H, Strides.W);

    /// <summary>Implicit padding of a pool padded equally on every side (−∞ for max pooling, zero for average pooling).</summary>
    /// <exception cref="InvalidOperationException">The pads differ; read <see cref="Pads"/>.</exception>
    public int Padding => PoolHelpers.Same(this, "the padding", nameof(Pads), Pads.Top, Pads.Left, Pads.Bottom, Pads.Right);

    /// <summary>The window geometry for <paramref name="input"/> [N, C, H, W]; the standard shape error otherwise.</summary>
    private protected Conv2dGeometry Geometry(Tensor input) => PoolHelpers.Geometry(ToString(), input, Kernel, Strides, Pads, CeilMode);

    /// <summary>The layer as text, e.g. <c>MaxPool2d(kernel=2, stride=2, padding=0)</c>; it names the layer in error messages.</summary>
    public abstract override string ToString();
}
