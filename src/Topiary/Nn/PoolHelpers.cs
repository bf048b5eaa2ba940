// PoolHelpers: the argument checks, window geometry and names shared by MaxPool2d and AvgPool2d (through Pool2d),
// and the input check of the global pools.
//   kernel (KH, KW) and stride (SH, SW) at least 1; pads (top, left, bottom, right) between 0 and half the kernel
//   along their axis (PyTorch's rule: every window then overlaps the image, so no output is pure padding);
//   the output size is Conv2dGeometry's, with ceil_mode when asked.
// Errors name the offending value; shape errors use LayerHelpers' format.
using Topiary.Tensors;

namespace Topiary.Nn;

internal static class PoolHelpers
{
    /// <summary>Throws ArgumentOutOfRangeException for a kernel or stride below 1, or a pad outside [0, kernel/2].</summary>
    public static void Validate((int H, int W) kernel, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) pads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(kernel.H, kernel.W), 1, "kernelSize");
        ArgumentOutOfRangeException.ThrowIfLessThan(Math.Min(stride.H, stride.W), 1, nameof(stride));
        if (Math.Min(Math.Min(pads.Top, pads.Left), Math.Min(pads.Bottom, pads.Right)) < 0)
            throw new ArgumentOutOfRangeException("padding", pads, "Padding must not be negative.");
        if (Math.Max(pads.Top, pads.Bottom) > kernel.H / 2 || Math.Max(pads.Left, pads.Right) > kernel.W / 2)
            throw new ArgumentOutOfRangeException("padding", pads,
                $"Padding (top {pads.Top}, left {pads.Left}, bottom {pads.Bottom}, right {pads.Right}) must be at most half the kernel " +
                $"{kernel.H}x{kernel.W} along its axis ({kernel.H / 2} rows, {kernel.W / 2} columns).");
    }

    /// <summary>The window geometry for <paramref name="input"/> [N, C, H, W]; a shape error naming <paramref name="layer"/> otherwise.</summary>
    public static Conv2dGeometry Geometry(string layer, Tensor input, (int H, int W) kernel, (int H, int W) stride,
        (int Top, int Left, int Bottom, int Right) pads, bool ceilMode)
    {
        int minH = kernel.H - pads.Top - pads.Bottom, minW = kernel.W - pads.Left - pads.Right;
        if (input.Rank != 4 || input.Dim(1) < 1 || input.Dim(2) < Math.Max(1, minH) || input.Dim(3) < Math.Max(1, minW))
            throw LayerHelpers.ShapeError(layer, $"[N, C, H, W] with C >= 1, H >= {Math.Max(1, minH)} and W >= {Math.Max(1, minW)}", input.Shape);
        return new Conv2dGeometry(input.Dim(1), input.Dim(2), input.Dim(3), kernel, stride, pads, (1, 1), ceilMode);
    }

    /// <summary>Throws the standard shape error unless <paramref name="input"/> is [N, C, H, W] with H, W &gt;= 1 (the global pools).</summary>
    public static void RequirePlanes(string layer, Tensor input)
    {
        if (input.Rank != 4 || input.Dim(2) * input.Dim(3) == 0)
            throw LayerHelpers.ShapeError(layer, "[N, C, H, W] with H, W >= 1", input.Shape);
    }

    /// <summary>The common value; InvalidOperationException naming <paramref name="layer"/> unless all agree (the square/symmetric legacy properties).</summary>
    public static int Same(Module layer, string what, string instead, params ReadOnlySpan<int> values)
    {
        foreach (int v in values)
            if (v != values[0])
                throw new InvalidOperationException($"{layer}: {what} differs between sides ({string.Join(", ", values.ToArray())}); read {instead}.");
        return values[0];
    }

    /// <summary>"kernel=2, stride=2, padding=0" for square symmetric floor-mode pools (the historical form), else the full description.</summary>
    public static string Describe((int H, int W) kernel, (int H, int W) stride, (int Top, int Left, int Bottom, int Right) pads, bool ceilMode)
    {
        var (t, l, b, r) = pads;
        if (kernel.H == kernel.W && stride.H == stride.W && t == l && l == b && b == r && !ceilMode)
            return $"kernel={kernel.H}, stride={stride.H}, padding={t}";
        string padding = t == b && l == r ? $"padding={t}x{l}" : $"pads=({t}, {l}, {b}, {r})";
        return $"kernel={kernel.H}x{kernel.W}, stride={stride.H}x{stride.W}, {padding}{(ceilMode ? ", ceil_mode" : "")}";
    }
}
