// SpaceToDepth: a strided convolution whose kernel spans three strides (2S < K ≤ 3S in each direction that is strided;
// AlexNet's 11×11 stride-4 first convolution) rewritten as a 3×3 stride-1 convolution over its image cut into S×S
// phases, which Winograd F(m×m, 3×3) then runs (the polyphase or "space-to-depth" rewrite):
//   image'[(c·SH + dy)·SW + dx, Y, X] = image[c, SH·Y + dy − PT, SW·X + dx − PL]       (0 outside the image)
//   w'[o, (c·SH + dy)·SW + dx, ky, kx] = w[o, c, SH·ky + dy, SW·kx + dx]                (0 past the kernel)
//   y[o, oy, ox] = Σ_{c', ky, kx} w'[o, c', ky, kx] · image'[c', oy + ky, ox + kx]
// because tap (kh, kw) = (SH·ky + dy, SW·kx + dx) of output (oy, ox) reads image row SH·(oy + ky) + dy − PT and column
// SW·(ox + kx) + dx − PL. image' has (OH + 2) × (OW + 2) values a channel, the inputs the outputs read (the padding
// is zeros in it; rows and columns no output reads are left out). The rewrite multiplies 9·SH·SW/(KH·KW) times
// im2col's products (AlexNet: 144/121), which Winograd's 2.25–4x fewer multiplies repay. The stride-2 and stride-4
// row gathers are Stride2's and Stride4's (each with its scalar twin); the result is the convolution to the rounding
// of Winograd's transforms (tested against the direct convolution).
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>The space-to-depth rewrite of a strided convolution into a 3×3 stride-1 one.</summary>
internal static class SpaceToDepth
{
    /// <summary>
    /// True when the rewrite gives a 3×3 kernel: no dilation, a stride above 1 in some direction, and in each direction
    /// a kernel that spans three strides (2S &lt; K ≤ 3S).
    /// </summary>
    public static bool Supports(in Conv2dGeometry g) =>
        g.DilationH == 1 && g.DilationW == 1 && (g.StrideH > 1 || g.StrideW > 1)
        && (g.KernelH + g.StrideH - 1) / g.StrideH == 3 && (g.KernelW + g.StrideW - 1) / g.StrideW == 3;

    /// <summary>The rewritten convolution: C·SH·SW channels of (OH + 2) × (OW + 2), a 3×3 kernel, stride 1, no padding.</summary>
    public static Conv2dGeometry Geometry(in Conv2dGeometry g) => new(g.Channels * g.StrideH * g.StrideW, g.OutH + 2, g.OutW + 2, 3, 3);

    /// <summary>The rewritten weights w' [OC, C·SH·SW, 3, 3] of <paramref name="weights"/> [OC, C, KH, KW].</summary>
    /// <exception cref="ArgumentException">The geometry is not supported or the weights are too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Weights(ReadOnlySpan<float> weights, int outChannels, in Conv2dGeometry g)
    {
        if (!Supports(g)) throw new ArgumentException($"No 3x3 space-to-depth rewrite of a {g.KernelH}x{g.KernelW} kernel at stride {g.StrideH}x{g.StrideW}.");
        int c = g.Channels, kh = g.KernelH, kw = g.KernelW, sh = g.StrideH, sw = g.StrideW, phases = sh * sw;
        if (weights.Length < (long)outChannels * c * kh * kw)
            throw new ArgumentException($"Weights have {weights.Length} values; [{outChannels}, {c}, {kh}, {kw}] needs {(long)outChannels * c * kh * kw}.");
        var result = new float[outChannels * c * phases * 9];
        for (int o = 0; o < outChannels; o++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                    {
                        int channel = (ch * sh + i % sh) * sw + j % sw;
                        result[((o * c * phases + channel) * 3 + i / sh) * 3 + j / sw] = weights[((o * c + ch) * kh + i) * kw + j];
                    }
        return result;
    }

    /// <summary>
    /// image' of input channels [<paramref name="c0"/>, <paramref name="c1"/>): their SH·SW phase channels of
    /// <paramref name="destination"/>, laid out as [C·SH·SW, OH + 2, OW + 2].
    /// </summary>
    /// <exception cref="ArgumentException">The geometry is not supported, the channel range is invalid or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Image(ReadOnlySpan<float> image, in Conv2dGeometry g, int c0, int c1, Span<float> destination)
    {
        if (!Supports(g)) throw new ArgumentException($"No 3x3 space-to-depth rewrite of a {g.KernelH}x{g.KernelW} kernel at stride {g.StrideH}x{g.StrideW}.");
        var r = Geometry(g);
        if (c0 < 0 || c1 > g.Channels || c0 > c1) throw new ArgumentException($"Channels [{c0}, {c1}) lie outside [0, {g.Channels}).");
        if (image.Length < g.ImageSize || destination.Length < r.ImageSize)
            throw new ArgumentException($"Spans of {image.Length} and {destination.Length} values; the rewrite needs {g.ImageSize} and {r.ImageSize}.");
        int h = g.Height, w = g.Width, sh = g.StrideH, sw = g.StrideW, rh = r.Height, rw = r.Width;
        for (int ch = c0; ch < c1; ch++)
        {
            var plane = image.Slice(ch * h * w, h * w);
            for (int dy = 0; dy < sh; dy++)
                for (int dx = 0; dx < sw; dx++)
                {
                    var phase = destination.Slice(((ch * sh + dy) * sw + dx) * rh * rw, rh * rw);
                    int off = dx - g.PadLeft;
                    Im2Col.ValidRange(off, sw, w, rw, out int x0, out int x1);
                    for (int y = 0; y < rh; y++)
                    {
                        var row = phase.Slice(y * rw, rw);
                        int ih = sh * y + dy - g.PadTop;
                        if ((uint)ih >= (uint)h || x1 == x0)
                        {
                            row.Clear();
                            continue;
                        }
                        row[..x0].Clear();
                        row[x1..].Clear();
                        var src = plane.Slice(ih * w + x0 * sw + off, (x1 - x0 - 1) * sw + 1);
                        var dst = row[x0..x1];
                        if (sw == 1) src.CopyTo(dst);
                        else if (sw == 2) Stride2.Gather(src, dst);
                        else if (sw == 4) Stride4.Gather(src, dst);
                        else for (int x = 0; x < dst.Length; x++) dst[x] = src[x * sw];
                    }
                }
        }
    }
}
