// Conv2dGeometry: the index arithmetic of one 2-D convolution or pooling window over a [C, H, W] image.
//   effective kernel  EKH = DH·(KH − 1) + 1                      (likewise EKW; dilation D spreads the taps)
//   output, floor     OH = ⌊(H + PT + PB − EKH)/SH⌋ + 1
//   output, ceil      OH = ⌈(H + PT + PB − EKH)/SH⌉ + 1, minus 1 when (OH − 1)·SH ≥ H + PT
//                     (ceil_mode of PyTorch and ONNX pooling: a last window that would start in the bottom/right
//                     padding is dropped)
//   tap (oh, kh) reads image row oh·SH − PT + kh·DH, tap (ow, kw) column ow·SW − PL + kw·DW; indices outside
//   [0, H) × [0, W) are padding. Widths follow the same rules with PL, PR, SW, DW, KW.
// Pads are (top, left, bottom, right) as in ONNX's pads [top, left, bottom, right]; the bottom/right pads only
// change the output size. Invalid sizes throw ArgumentException naming the values.
namespace Topiary.Tensors;

/// <summary>Geometry of a 2-D convolution or pooling window over one [C, H, W] image.</summary>
public readonly record struct Conv2dGeometry
{
    /// <summary>Creates a geometry with symmetric padding and no dilation; OH = ⌊(H + 2·PH − KH)/SH⌋ + 1 (likewise OW).</summary>
    /// <exception cref="ArgumentException">A size is out of range or the window does not fit in the padded image.</exception>
    public Conv2dGeometry(int channels, int height, int width, int kernelH, int kernelW,
        int strideH = 1, int strideW = 1, int padH = 0, int padW = 0)
        : this(channels, height, width, (kernelH, kernelW), (strideH, strideW), (padH, padW, padH, padW), (1, 1))
    {
    }

    /// <summary>
    /// Creates a general geometry: OH = ⌊(H + PT + PB − (DH·(KH − 1) + 1))/SH⌋ + 1, or with <paramref name="ceilMode"/>
    /// the ceiling, less one when the last window would start at or after H + PT (likewise OW with PL, PR).
    /// </summary>
    /// <param name="channels">Image channels C.</param>
    /// <param name="height">Image height H.</param>
    /// <param name="width">Image width W.</param>
    /// <param name="kernel">Kernel (KH, KW), at least 1.</param>
    /// <param name="stride">Stride (SH, SW), at least 1.</param>
    /// <param name="pads">Zero (or −∞) padding (top, left, bottom, right), non-negative — ONNX's pads order.</param>
    /// <param name="dilation">Dilation (DH, DW), at least 1: tap k reads offset k·D.</param>
    /// <param name="ceilMode">Round the output size up (pooling's ceil_mode).</param>
    /// <exception cref="ArgumentException">A size is out of range or the dilated window does not fit in the padded image.</exception>
    public Conv2dGeometry(int channels, int height, int width, (int H, int W) kernel, (int H, int W) stride,
        (int Top, int Left, int Bottom, int Right) pads, (int H, int W) dilation, bool ceilMode = false)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentException($"Image size must be positive, got C={channels}, H={height}, W={width}.");
        if (kernel.H < 1 || kernel.W < 1 || stride.H < 1 || stride.W < 1 || dilation.H < 1 || dilation.W < 1
            || pads.Top < 0 || pads.Left < 0 || pads.Bottom < 0 || pads.Right < 0)
            throw new ArgumentException(
                $"Invalid window: kernel {kernel.H}x{kernel.W}, stride {stride.H}x{stride.W}, dilation {dilation.H}x{dilation.W}, " +
                $"pads (top {pads.Top}, left {pads.Left}, bottom {pads.Bottom}, right {pads.Right}).");
        Channels = channels; Height = height; Width = width;
        KernelH = kernel.H; KernelW = kernel.W; StrideH = stride.H; StrideW = stride.W;
        DilationH = dilation.H; DilationW = dilation.W;
        PadTop = pads.Top; PadLeft = pads.Left; PadBottom = pads.Bottom; PadRight = pads.Right;
        CeilMode = ceilMode;
        long effH = (long)dilation.H * (kernel.H - 1) + 1, effW = (long)dilation.W * (kernel.W - 1) + 1;
        long spanH = (long)height + pads.Top + pads.Bottom - effH, spanW = (long)width + pads.Left + pads.Right - effW;
        if (spanH < 0 || spanW < 0)
        {
            string dilated = dilation.H == 1 && dilation.W == 1 ? "" : $" (dilated to {effH}x{effW})";
            throw new ArgumentException(
                $"Kernel {kernel.H}x{kernel.W}{dilated} is larger than the padded input {height + pads.Top + pads.Bottom}x{width + pads.Left + pads.Right}.");
        }
        OutH = OutputLength(spanH, stride.H, height, pads.Top, ceilMode);
        OutW = OutputLength(spanW, stride.W, width, pads.Left, ceilMode);
    }

    // span = size + pads − effective kernel ≥ 0.
    private static int OutputLength(long span, int stride, int size, int padBegin, bool ceilMode)
    {
        long n = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (n - 1) * stride >= (long)size + padBegin) n--;
        if (n > int.MaxValue) throw new ArgumentException($"Output length {n} is too large.");
        return (int)n;
    }

    /// <summary>Input channels C.</summary>
    public int Channels { get; }
    /// <summary>Input height H.</summary>
    public int Height { get; }
    /// <summary>Input width W.</summary>
    public int Width { get; }
    /// <summary>Kernel height KH.</summary>
    public int KernelH { get; }
    /// <summary>Kernel width KW.</summary>
    public int KernelW { get; }
    /// <summary>Vertical stride SH.</summary>
    public int StrideH { get; }
    /// <summary>Horizontal stride SW.</summary>
    public int StrideW { get; }
    /// <summary>Vertical dilation DH (1 = dense kernel).</summary>
    public int DilationH { get; }
    /// <summary>Horizontal dilation DW (1 = dense kernel).</summary>
    public int DilationW { get; }
    /// <summary>Padding above the image PT.</summary>
    public int PadTop { get; }
    /// <summary>Padding left of the image PL.</summary>
    public int PadLeft { get; }
    /// <summary>Padding below the image PB.</summary>
    public int PadBottom { get; }
    /// <summary>Padding right of the image PR.</summary>
    public int PadRight { get; }
    /// <summary>Whether the output size was rounded up (pooling's ceil_mode).</summary>
    public bool CeilMode { get; }
    /// <summary>The leading (top) padding PT — the offset of the first window; equals the bottom padding when symmetric.</summary>
    public int PadH => PadTop;
    /// <summary>The leading (left) padding PL — the offset of the first window; equals the right padding when symmetric.</summary>
    public int PadW => PadLeft;
    /// <summary>True when top = bottom and left = right.</summary>
    public bool IsSymmetric => PadTop == PadBottom && PadLeft == PadRight;
    /// <summary>Output height OH.</summary>
    public int OutH { get; }
    /// <summary>Output width OW.</summary>
    public int OutW { get; }
    /// <summary>Rows of the column matrix: C·KH·KW.</summary>
    public int ColumnRows => Channels * KernelH * KernelW;
    /// <summary>Columns of the column matrix: OH·OW.</summary>
    public int ColumnCols => OutH * OutW;
    /// <summary>Elements of one input image: C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>The same window over <paramref name="channels"/> channels (a slice of the image's channels).</summary>
    /// <exception cref="ArgumentException"><paramref name="channels"/> is below 1.</exception>
    public Conv2dGeometry WithChannels(int channels) =>
        new(channels, Height, Width, (KernelH, KernelW), (StrideH, StrideW), (PadTop, PadLeft, PadBottom, PadRight),
            (DilationH, DilationW), CeilMode);
}
