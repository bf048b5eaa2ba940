// Winograd3x3: 3×3, stride-1 convolution by Winograd's minimal filtering F(m×m, 3×3) (Lavin & Gray, CVPR 2016), m = 2
// or 4: each m×m output tile costs α² = (m + 2)² multiplies per (input, output) channel pair instead of 9m² (2.25x
// fewer for m = 2, 4x for m = 4).
//   weights  U = G g Gᵀ         α×α per (o, c), transformed and packed once (WinogradWeights)
//   input    V = Bᵀ d B         α×α per (c, tile), d the tile's α×α input window (WinogradInput)
//   product  M_ξ = V_ξ · U_ξᵀ   for the α² positions ξ: GEMMs [tiles × C] · [C × OC] — the output channels (64–512)
//                               are the GEMM's wide side, so small images (few tiles) still fill its 32-wide panels
//   output   Y = Aᵀ M A         m×m per (o, tile), with bias, residual and clamp fused (WinogradOutput)
// Layouts: V [α²][C][tiles + 8] (the A operand, read transposed), M [α²][tiles][OC], planes padded by 64 bytes. Tiles run row-major over the tile rows
// of all the images of a batch (TY = ⌈OH/m⌉ rows of TX = ⌈OW/m⌉ tiles an image), so a batch multiplies as one wide GEMM.
// The tile rows are processed in blocks whose V and M stay within about 512 KiB, of sizes within one tile row of each
// other: blocks run in parallel, or, when there are fewer blocks than threads, the three phases of a block are split —
// the input transform by channels, the α² GEMMs by ξ, the output transform by tile rows. Results do not depend on the
// thread count. (Cutting a small image's block by output channels instead — each thread transforming the whole input
// and running its channels' GEMM columns and output transform, with no barrier — measured no faster on 2 threads.)
// Accuracy: F(2, 3)'s transforms use only ±1 and ½ (float rounding only); F(4, 3)'s use up to 8 and 1/24, so its error
// is a few times larger (tested against the direct convolution). TileSizeFor picks m from the tile counts.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>Winograd F(m×m, 3×3) convolution (stride 1, no dilation, one group), m = 2 or 4.</summary>
internal static class Winograd3x3
{
    /// <summary>
    /// True for geometries this kernel is worth running on: 3×3 kernel, stride 1, dilation 1, and at least
    /// <see cref="MinChannels"/> input channels (the GEMMs' depth is C: an RGB image's 3 leaves them mostly overhead, while
    /// im2col's depth is 9C).
    /// </summary>
    public static bool Supports(in Conv2dGeometry g) => Computes(g) && g.Channels >= MinChannels;

    /// <summary>Input channels below which <see cref="Supports"/> leaves a convolution to im2col + GEMM.</summary>
    public const int MinChannels = 8;

    // The geometries Convolve computes (any channel count).
    private static bool Computes(in Conv2dGeometry g) =>
        g.KernelH == 3 && g.KernelW == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1;

    /// <summary>
    /// The output tile size for <paramref name="images"/> images of geometry <paramref name="g"/>: 4 when F(4×4, 3×3)'s
    /// GEMM rows (tiles rounded up to the micro-kernel's 8-row panels) times its 36 products are clearly fewer than
    /// F(2×2, 3×3)'s times 16; else 2 (a 7×7 image at batch 1: 4 tiles of 4×4 half fill a panel).
    /// </summary>
    public static int TileSizeFor(in Conv2dGeometry g, int images)
    {
        int oh = g.OutH, ow = g.OutW;
        long Rows(int m) => ((long)images * ((oh + m - 1) / m) * ((ow + m - 1) / m) + 7) / 8 * 8;
        return 36 * Rows(4) < 0.8 * 16 * Rows(2) ? 4 : 2;
    }

    /// <summary>
    /// y = epilogue(conv(x)) for <paramref name="images"/> images [C, H, W] stored one after another from
    /// <paramref name="inputOffset"/>; the outputs [OC, OH, OW] are written one after another from
    /// <paramref name="outputOffset"/>.
    /// </summary>
    /// <param name="input">Holds the images.</param>
    /// <param name="inputOffset">Where the first image starts.</param>
    /// <param name="images">Images N (at least 1).</param>
    /// <param name="g">The geometry of one image (3×3, stride 1, dilation 1; any padding).</param>
    /// <param name="w">Transformed weights (their C must be the geometry's).</param>
    /// <param name="output">Receives the outputs.</param>
    /// <param name="outputOffset">Where the first output starts.</param>
    /// <param name="epilogue">Bias, residual (indexed as <paramref name="output"/>) and clamp.</param>
    /// <param name="threads">Threads (at least 1).</param>
    /// <exception cref="ArgumentException">An unsupported geometry, mismatched weights or an array too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Convolve(float[] input, int inputOffset, int images, in Conv2dGeometry g, WinogradWeights w,
        float[] output, int outputOffset, in WinogradEpilogue epilogue, int threads)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(output);
        if (!Computes(g))
            throw new ArgumentException($"Winograd F(m x m, 3x3) needs a 3x3 kernel, stride 1 and no dilation; got {g.KernelH}x{g.KernelW}, stride {g.StrideH}x{g.StrideW}.");
        if (w.InChannels != g.Channels)
            throw new ArgumentException($"Winograd weights are for {w.InChannels} input channels; the image has {g.Channels}.");
        int oc = w.OutChannels, m = w.TileSize;
        long outLength = (long)images * oc * g.OutH * g.OutW;
        if (images < 1 || threads < 1 || (long)inputOffset + (long)images * g.ImageSize > input.Length || (long)outputOffset + outLength > output.Length
            || (epilogue.Residual is not null && (long)outputOffset + outLength > epilogue.Residual.Length) || (epilogue.Bias is not null && epilogue.Bias.Length < oc))
            throw new ArgumentException("Winograd3x3.Convolve: an array is shorter than the geometry needs.");
        int rows = images * ((g.OutH + m - 1) / m);
        int blocks = Blocks(g, images, m, oc, threads);
        var job = new Job(input, inputOffset, g, w, output, outputOffset, epilogue, blocks, rows);
        // Enough blocks: one thread each, in parallel. Too few: one after another, each using every thread inside.
        if (blocks >= threads || threads == 1)
            Threading.For(0, blocks, threads, b => job.Block(b, 1));
        else
            for (int b = 0; b < blocks; b++) job.Block(b, threads);
    }

    /// <summary>
    /// How many blocks the <paramref name="images"/>·⌈OH/m⌉ tile rows are cut into (<see cref="BlockRows"/>): V and M
    /// (α²·(C + OC) floats a tile) within BlockFloats, at least MinTiles tiles; with several threads, a multiple of the
    /// thread count (at least one block each) when every block keeps MinParallelTiles tiles, so the blocks run side by
    /// side with no barrier between their phases (14 tile rows in blocks of 4, 4, 4 and 2 left one thread 8 rows and the
    /// other 6: now 3, 4, 3 and 4).
    /// </summary>
    internal static int Blocks(in Conv2dGeometry g, int images, int tileSize, int outChannels, int threads)
    {
        int m = tileSize, a2 = (m + 2) * (m + 2), tx = (g.OutW + m - 1) / m, rows = images * ((g.OutH + m - 1) / m);
        int rowsPerBlock = Math.Min(rows, Math.Max(BlockFloats / (a2 * (g.Channels + outChannels)) / tx, Math.Max(1, MinTiles / tx)));
        int blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        int more = RoundUp(Math.Max(blocks, threads), threads);
        return threads > 1 && more != blocks && (long)(rows / more) * tx >= MinParallelTiles ? more : blocks;
    }

    /// <summary>
    /// Block <paramref name="b"/>'s tile rows [R0, R1) of <paramref name="rows"/> cut into <paramref name="blocks"/>
    /// blocks whose sizes differ by at most one.
    /// </summary>
    internal static (int R0, int R1) BlockRows(int rows, int blocks, int b) => ((int)((long)rows * b / blocks), (int)((long)rows * (b + 1) / blocks));

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    // Block sizes: V and M of a block in about 512 KiB (half an L2), at least 64 tiles (the GEMM's rows: the weights are
    // read once a block). Timed alone, a layer ran as fast with 64 K to 1 M floats (ResNet-50 and VGG-16 shapes, batch 1
    // and 16); inside a network the scratch is cold (the layers between evict it), and with 2 MiB blocks SqueezeNet 1.1's
    // 16 → 64 layers at 55 × 55 took 400–530 µs against 350 alone (M: 1.8 MB written and read back); in 512 KiB blocks,
    // 405–410.
    private const int BlockFloats = 1 << 17, MinTiles = 64, MinParallelTiles = 48;

    [ThreadStatic] private static float[]? t_v;
    [ThreadStatic] private static float[]? t_m;

    private sealed class Job(float[] input, int inputOffset, Conv2dGeometry g, WinogradWeights w, float[] output, int outputOffset,
        WinogradEpilogue epilogue, int blocks, int rows)
    {
        // Tile rows [r0, r1) of the flattened batch: input transform, the α² GEMMs, output transform.
        public void Block(int b, int threads)
        {
            int m = w.TileSize, a2 = w.Alpha * w.Alpha, c = g.Channels, oc = w.OutChannels;
            int tx = (g.OutW + m - 1) / m, ty = (g.OutH + m - 1) / m;
            var (r0, r1) = BlockRows(rows, blocks, b);
            int bt = (r1 - r0) * tx;
            // V's rows: the input transform's last vector of a row may run 7 tiles past it. V's and M's planes ξ: 64 bytes
            // more than their contents, so the α² planes a transform reads or writes at one offset do not all fall into
            // the same L1 set (a plane of 16 KiB or 24 KiB would).
            int ldv = bt + 8;
            int vPlane = c * ldv + 16, mPlane = bt * oc + 16;
            float[] v = ScratchArray.Grow(ref t_v, (long)a2 * vPlane, "Winograd3x3");
            float[] mm = ScratchArray.Grow(ref t_m, (long)a2 * mPlane, "Winograd3x3");
            int outSize = oc * g.OutH * g.OutW;
            Threading.For(0, c, threads, ch => WinogradInput.TransformChannel(m, input, inputOffset, g, ch, r0, r1, v, ldv, vPlane));
            Threading.For(0, a2, threads, xi =>
                Gemm.Sgemm(1, true, bt, 1f, v.AsSpan(xi * vPlane, c * ldv), ldv, w.Packed[xi], 0f, mm.AsSpan(xi * mPlane, bt * oc), oc));
            // A tile row's M values of all output channels are read together (8 channels a call, 32 bytes of each line).
            Threading.For(r0, r1, threads, row =>
            {
                for (int o0 = 0; o0 < oc; o0 += 8)
                    WinogradOutput.TransformRow(m, mm, mPlane, oc, (row - r0) * tx, g, row % ty, output, outputOffset + (long)(row / ty) * outSize,
                        epilogue, o0, Math.Min(8, oc - o0));
            });
        }
    }
}
