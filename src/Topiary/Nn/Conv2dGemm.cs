// Conv2dGemm: Conv2d lowered to GEMM (training, and the inference shapes Conv2dInference declines).
//   The batch is walked in blocks of B samples whose columns fit in L2: the forward runs the blocks on Threading.For
//   (an output does not depend on its block); the backward cuts the batch into at most MaxChunks fixed chunks of samples
//   (boundaries depend only on N), each walking its blocks, since a chunk sums its own weight gradient. No column matrix of
//   the input is written: the GEMMs pack their panels of col (and colᵀ) from the block's images (Im2ColPanels).
//     forward   Yᵀ_g [OC/G, B·P] = W_g · col_g, then Y (+ bias) scattered to NCHW (B = 1: written in place)
//     backward  dYᵀ block gathered (B = 1: dY itself); dW_chunk,g += dYᵀ_g · col_gᵀ; db_chunk += Σ dY;
//               dcol_g = W_gᵀ · dYᵀ_g (this thread's ConvScratch buffer); dx block = fold(dcol)
//   W_g (forward) and W_gᵀ (backward) are packed into GEMM panels once per pass, not by every block's GEMM (a Frozen
//   layer's forward panels are packed once for good). The products are bitwise those of the unfolded columns and the
//   unpacked weights (same kernel, same K blocks, same panels).
//   The per-chunk partial gradients are added to Weight.Grad / Bias.Grad in chunk order, so the result depends on N
//   only, never on the thread count or the schedule. Nothing is kept between Forward and Backward but the input.
//   With InputGradientUnused set (the Trainer does, for a network's first layer) the column gradient and fold are
//   skipped and Backward returns zeros.
using Topiary.Tensors;

namespace Topiary.Nn;

public sealed partial class Conv2d
{
    private const int MaxChunks = 8;

    /// <summary>Aim for GEMMs this many columns wide (B·P): wide enough for the kernel, small enough for L2.</summary>
    private const int BlockColumns = 384;

    /// <summary>Cap on one block's column matrix (K·B·P floats, 1 MiB).</summary>
    private const long BlockFloats = 1 << 18;

    /// <summary>
    /// True while nobody reads this layer's input gradient (the Trainer sets it around Backward for a network's first
    /// layer): the GEMM path then skips dcol = Wᵀ·dY and the fold, and Backward returns a zero dx.
    /// </summary>
    internal bool InputGradientUnused { get; set; }

    /// <summary>Weights per slice of the partial-gradient reduction.</summary>
    private const int ReduceSlice = 1 << 13;

    // Not Frozen: the weights change between passes, so each pass packs them once here (forward: W_g; backward: W_gᵀ).
    private GemmPackedA[]? _passWeights, _passWeightsT;

    private readonly record struct ChunkPlan(int Chunks, int SamplesPerChunk, int BlockSamples);

    /// <summary>Chunks and sample blocks for a batch of <paramref name="n"/>: a function of the shapes only.</summary>
    private ChunkPlan Plan(int n)
    {
        int chunks = Math.Min(n, MaxChunks);
        int perChunk = (n + chunks - 1) / chunks;
        chunks = (n + perChunk - 1) / perChunk;
        int p = _geometry.ColumnCols, k = _geometry.ColumnRows;
        int block = Math.Max(1, (BlockColumns + p / 2) / p);
        block = (int)Math.Min(block, Math.Max(1, BlockFloats / ((long)k * p)));
        return new ChunkPlan(chunks, perChunk, Math.Min(block, perChunk));
    }

    private void GemmForward(float[] x, float[] y)
    {
        var plan = Plan(_batch);
        PackWeights(transposed: false);
        var packed = _packedWeights ?? PassWeights(ref _passWeights, transposed: false);
        // Block by block: an output does not depend on the block it is computed in, and blocks (64 of one sample for a
        // 28 × 28 layer at batch 64) balance two threads better than the backward's chunks.
        int blocks = (_batch + plan.BlockSamples - 1) / plan.BlockSamples;
        Threading.For(0, blocks, block => ForwardBlock(plan, block, x, y, packed));
    }

    // W_g [OC/G, K/G] per group (W_gᵀ when transposed) packed into `panels`, reused from pass to pass.
    private GemmPackedA[] PassWeights(ref GemmPackedA[]? panels, bool transposed)
    {
        int kg = _geometry.ColumnRows / Groups, ocg = OutChannels / Groups;
        float[] wd = Weight.Value.Data;
        panels ??= new GemmPackedA[Groups];
        for (int gi = 0; gi < Groups; gi++)
            panels[gi] = transposed
                ? Gemm.PackA(true, kg, ocg, wd.AsSpan(gi * ocg * kg, ocg * kg), kg, into: panels[gi])
                : Gemm.PackA(false, ocg, kg, wd.AsSpan(gi * ocg * kg, ocg * kg), kg, into: panels[gi]);
        return panels;
    }

    // Block `block` of BlockSamples samples (the last may be short): Yᵀ by the implicit-im2col GEMM, then Y (+ bias).
    private void ForwardBlock(ChunkPlan plan, int block, float[] x, float[] y, GemmPackedA[] packed)
    {
        var g = _geometry;
        int p = g.ColumnCols, oc = OutChannels, groups = Groups, ocg = oc / groups, sb = plan.BlockSamples;
        int s0 = block * sb, count = Math.Min(sb, _batch - s0), cols = count * p;
        float[] yt = ConvScratch.Transposed((long)oc * sb * p);
        float[]? b = Bias?.Value.Data;
        // One sample: its output [OC, P] is Yᵀ itself, so the GEMM writes it in place.
        var dst = count == 1 ? y.AsSpan(s0 * oc * p, oc * p) : yt.AsSpan(0, oc * cols);
        for (int gi = 0; gi < groups; gi++)
            Im2ColPanels.Multiply(1, packed[gi], x, s0 * g.ImageSize + gi * (g.ImageSize / groups), g.WithChannels(g.Channels / groups), 0,
                dst[(gi * ocg * cols)..], cols, default, samples: count, imageStride: g.ImageSize);
        for (int s = 0; s < count; s++)
        {
            for (int o = 0; o < oc; o++)
            {
                var to = y.AsSpan(((s0 + s) * oc + o) * p, p);
                if (count == 1)
                {
                    if (b is not null) TensorPrimitives.Add(to, b[o], to);
                    continue;
                }
                var from = yt.AsSpan(o * cols + s * p, p);
                if (b is null) from.CopyTo(to);
                else TensorPrimitives.Add(from, b[o], to);
            }
        }
    }

    private void GemmBackward(float[] x, float[] dy, float[] dx)
    {
        var plan = Plan(_batch);
        int kg = _geometry.ColumnRows / Groups, oc = OutChannels;
        float[] pw = LayerHelpers.Ensure(ref _partialW, plan.Chunks * oc * kg);
        float[] pb = LayerHelpers.Ensure(ref _partialB, plan.Chunks * oc);
        bool inputGradient = !InputGradientUnused;
        if (!inputGradient) dx.AsSpan().Clear();
        var transposed = inputGradient ? PassWeights(ref _passWeightsT, transposed: true) : [];
        Threading.For(0, plan.Chunks, chunk => BackwardChunk(plan, chunk, x, dy, dx, transposed));
        // dW += Σ_chunk partial, chunks in order for every weight; long weights in fixed slices on Threading.For.
        float[] dw = Weight.Grad.Data;
        int length = oc * kg, slices = (length + ReduceSlice - 1) / ReduceSlice;
        Threading.For(0, slices, slice =>
        {
            int start = slice * ReduceSlice, count = Math.Min(ReduceSlice, length - start);
            var to = dw.AsSpan(start, count);
            for (int chunk = 0; chunk < plan.Chunks; chunk++)
                TensorPrimitives.Add(to, pw.AsSpan(chunk * length + start, count), to);
        });
        if (Bias is not null)
        {
            var db = Bias.Grad.Data.AsSpan();
            for (int chunk = 0; chunk < plan.Chunks; chunk++)
                TensorPrimitives.Add(db, pb.AsSpan(chunk * oc, oc), db);
        }
    }

    // wt: W_gᵀ packed per group, or empty when the input gradient is unused.
    private void BackwardChunk(ChunkPlan plan, int chunk, float[] x, float[] dy, float[] dx, GemmPackedA[] wt)
    {
        bool inputGradient = wt.Length > 0;
        var g = _geometry;
        int n0 = chunk * plan.SamplesPerChunk, n1 = Math.Min(_batch, n0 + plan.SamplesPerChunk);
        int p = g.ColumnCols, k = g.ColumnRows, oc = OutChannels, groups = Groups, kg = k / groups, ocg = oc / groups;
        int sb = plan.BlockSamples, imageSize = g.ImageSize;
        float[] col = inputGradient ? ConvScratch.Columns((long)k * sb * p) : [], dyt = ConvScratch.Transposed((long)oc * sb * p);
        var part = g.WithChannels(g.Channels / groups);
        var pw = _partialW.AsSpan(chunk * oc * kg, oc * kg);
        var pb = _partialB.AsSpan(chunk * oc, oc);
        bool hasBias = Bias is not null;
        pb.Clear();
        for (int s0 = n0; s0 < n1; s0 += sb)
        {
            int count = Math.Min(sb, n1 - s0), cols = count * p;
            // dYᵀ of the block [OC, B·P]: one sample's dY already is.
            ReadOnlySpan<float> dyb = count == 1 ? dy.AsSpan(s0 * oc * p, oc * p) : dyt.AsSpan(0, oc * cols);
            for (int s = 0; s < count && (count > 1 || hasBias); s++)
            {
                for (int o = 0; o < oc; o++)
                {
                    var src = dy.AsSpan(((s0 + s) * oc + o) * p, p);
                    if (count > 1) src.CopyTo(dyt.AsSpan(o * cols + s * p, p));
                    if (hasBias) pb[o] += TensorPrimitives.Sum(src);
                }
            }
            float beta = s0 == n0 ? 0f : 1f;
            for (int gi = 0; gi < groups; gi++)
            {
                var dyg = dyb[(gi * ocg * cols)..];
                Im2ColPanels.MultiplyTransposed(1, ocg, 1f, dyg, cols, x, s0 * imageSize + gi * part.ImageSize, part, 0, kg, beta,
                    pw.Slice(gi * ocg * kg, ocg * kg), kg, samples: count, imageStride: imageSize);
                if (inputGradient) Gemm.Sgemm(1, wt[gi], false, cols, 1f, dyg, cols, 0f, col.AsSpan(gi * kg * cols, kg * cols), cols);
            }
            for (int s = 0; s < count && inputGradient; s++)
            {
                var img = dx.AsSpan((s0 + s) * imageSize, imageSize);
                img.Clear();
                Im2Col.FoldOverwriting(col.AsSpan(s * p), cols, g, img); // col is scratch from here on
            }
        }
    }
}
