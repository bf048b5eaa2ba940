// DepthwiseConv3x3, flat planes: the stride-1 "same" layers (3×3, padding 1 on every side) whose output rows are
// narrow — MobileNet's 14×14 and 7×7 stages, where a row of 7–14 floats leaves most lanes of a row-vectorised kernel
// idle and the padded copy costs more than the arithmetic. A plane's outputs are taken as one flat stretch of OH·OW
// values, in chunks of L lanes (q = oh·OW + ow): tap (kh, kw) of output q reads input q + (kh − 1)·OW + (kw − 1) of
// the unpadded plane, so every tap is one load, and a mask zeroes the lanes whose tap falls in the padding (the row
// above the first, below the last, left of column 0, right of column OW − 1; four masks precomputed per chunk, a tap's
// the and of its row's and its column's) — those lanes then multiply +0, exactly as the padded kernel multiplies its
// stored zeros. Loads may reach a neighbouring
// plane (masked) but never outside x: planes within OW + 1 values of either end of x go through the padded kernel.
// Every output receives its nine taps in (kh, kw) order from +0, then the same store (acc + b (+ r), max lo, min hi),
// so the results are the padded kernel's bits, which are DepthwiseConvScalar's + the epilogue (see the main header).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Topiary.Tensors;

internal static partial class DepthwiseConv3x3
{
    /// <summary>Output rows at most this many lane widths wide run flat (at 16 lanes, batch 1, one thread: 960 planes of
    /// 7×7 in ~45 µs instead of ~96, 384 of 14×14 in ~45 instead of ~60; rows of 28 ran faster through the padded kernel's
    /// row blocks, which reuse each loaded row for several output rows).</summary>
    private const int FlatMaxChunksPerRow = 1;

    // True when planes of g run flat at TL.Count lanes.
    private static bool Flat(in Conv2dGeometry g, int lanes) =>
        g.StrideH == 1 && g.PadTop == 1 && g.PadLeft == 1 && g.PadBottom == 1 && g.PadRight == 1 && g.OutW <= FlatMaxChunksPerRow * lanes;

    /// <summary>Whether the forward at <paramref name="lanes"/> runs the planes of <paramref name="g"/> flat (planes near either
    /// end of x excepted).</summary>
    internal static bool RunsFlat(in Conv2dGeometry g, Lanes lanes) => lanes switch
    {
        Lanes.V512 => Flat(g, 16),
        Lanes.V256 => Flat(g, 8),
        Lanes.V128 => Flat(g, 4),
        _ => false,
    };

    [ThreadStatic] private static float[]? t_flatMasks;
    [ThreadStatic] private static (int H, int W, int Lanes) t_flatMaskShape;

    // The calling thread's masks for an H×W plane at `lanes`: for chunk j, four masks from (4·j + e)·lanes — e = 0: the
    // row above is inside the image, 1: the row below, 2: the column left, 3: the column right — lane l describing
    // output q = j·lanes + l (all zeros for q ≥ H·W). A tap's mask is the and of its row's and its column's.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] FlatMasks<TL, TV>(int h, int w) where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int lanes = TL.Count;
        if (t_flatMasks is { } cached && t_flatMaskShape == (h, w, lanes)) return cached;
        int plane = h * w, chunks = (plane + lanes - 1) / lanes;
        var masks = new float[chunks * 4 * lanes];
        for (int q = 0; q < plane; q++)
        {
            int oy = q / w, ox = q % w, at = q / lanes * 4 * lanes + q % lanes;
            masks[at] = TL.MaskLane(oy > 0);
            masks[at + lanes] = TL.MaskLane(oy < h - 1);
            masks[at + 2 * lanes] = TL.MaskLane(ox > 0);
            masks[at + 3 * lanes] = TL.MaskLane(ox < w - 1);
        }
        t_flatMaskShape = (h, w, lanes);
        return t_flatMasks = masks;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunFlat<TL, TV>(in Job job, in Conv2dGeometry g, int plane0, int plane1)
        where TL : struct, IDepthwiseLanes<TV> where TV : struct
    {
        int h = g.Height, w = g.Width, plane = h * w, lanes = TL.Count, chunks = (plane + lanes - 1) / lanes;
        float[] masks = FlatMasks<TL, TV>(h, w);
        ref float m0 = ref MemoryMarshal.GetArrayDataReference(masks);
        ref float x0 = ref MemoryMarshal.GetArrayDataReference(job.X);
        Span<float> spill = stackalloc float[16];
        for (int p = plane0; p < plane1; p++)
        {
            int xb = job.InputPlane(p) * plane;
            if (xb < w + 1 || (long)xb + chunks * lanes + w + 1 > job.X.Length)
            {
                Run<TL, TV>(job, g, p, p + 1); // near an end of x: the padded kernel reads nothing outside it
                continue;
            }
            int o = p % job.OutChannels;
            var k = new Taps<TL, TV>(job.W.AsSpan(o * 9, 9), job.Bias is null ? 0f : job.Bias[o], job.Min, job.Max);
            // The plane as one row of OH·OW outputs; stores may run into the following planes of the range (written after).
            var output = new Output(job.Y, p * plane, job.Residual, plane, (plane1 - p) * plane, spill);
            ref float above = ref Unsafe.Add(ref x0, xb - w - 1), row = ref Unsafe.Add(ref x0, xb - 1), below = ref Unsafe.Add(ref x0, xb + w - 1);
            TV w00 = k.W00, w01 = k.W01, w02 = k.W02, w10 = k.W10, w11 = k.W11, w12 = k.W12, w20 = k.W20, w21 = k.W21, w22 = k.W22;
            for (int j = 0; j < chunks; j++)
            {
                nuint q = (nuint)(j * lanes);
                ref float mask = ref Unsafe.Add(ref m0, j * 4 * lanes);
                TV up = TL.Load(ref mask, 0), down = TL.Load(ref mask, (nuint)lanes), left = TL.Load(ref mask, (nuint)(2 * lanes)),
                    right = TL.Load(ref mask, (nuint)(3 * lanes));
                TV acc = TL.Fma(w00, Masked<TL, TV>(ref above, q, TL.And(up, left)), default);
                acc = TL.Fma(w01, Masked<TL, TV>(ref above, q + 1, up), acc);
                acc = TL.Fma(w02, Masked<TL, TV>(ref above, q + 2, TL.And(up, right)), acc);
                acc = TL.Fma(w10, Masked<TL, TV>(ref row, q, left), acc);
                acc = TL.Fma(w11, TL.Load(ref row, q + 1), acc);
                acc = TL.Fma(w12, Masked<TL, TV>(ref row, q + 2, right), acc);
                acc = TL.Fma(w20, Masked<TL, TV>(ref below, q, TL.And(down, left)), acc);
                acc = TL.Fma(w21, Masked<TL, TV>(ref below, q + 1, down), acc);
                acc = TL.Fma(w22, Masked<TL, TV>(ref below, q + 2, TL.And(down, right)), acc);
                Store(acc, k, output, 0, (int)q);
            }
        }
    }

    // x[i ..] where mask is all ones, +0 where it is all zeros.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Masked<TL, TV>(ref float x, nuint i, TV mask) where TL : struct, IDepthwiseLanes<TV> where TV : struct =>
        TL.And(TL.Load(ref x, i), mask);
}
