// BandedSeparableBlock: a channels-last inverted-residual block — expand 1×1 → depthwise → project 1×1 (+ the block's
// input), or without the expansion (MobileNet-v2's first block) — run band by band of output rows, inference only
// (written by ChannelsLastRewrite). Layer by layer, the
// expanded activation of an early MobileNet-v2 block (96 × 112 × 112 floats, 4.8 MB) goes out to memory and comes back
// for the depthwise layer, and so does the depthwise output for the projection; band by band, the expanded rows a band
// of depthwise outputs needs (its rows times the stride, plus the window's halo) are computed into a scratch buffer
// of about BandBytes that stays in L2, the depthwise layer reads them there and writes its band into a second scratch
// buffer, and the projection reads that and writes the block's output rows. Consecutive bands overlap by the halo:
// those expanded rows are moved to the front of the buffer, not recomputed. The scratch buffers are per thread and
// shared by every such block, so they stay in cache from block to block, and start at a cache line (the depthwise
// kernel's 16-channel loads then never split across two). Without an expansion the depthwise layer reads the block's
// input rows where they are (DepthwiseConvNhwc.ForwardRows) and only its output band is kept in L2.
// Every output element is computed by the same operations as layer by layer (the GEMM rows are independent, and the
// depthwise band is the image's rows with the band's edges as padding only where the image has padding), so the
// results are the unbanded stack's bits. Images, or parts of an image (runs of rows of equal work, one per thread: with
// three parts for two threads, MobileNet-v2's first block scaled 1.38x) when there are fewer images than threads, run
// in parallel, each part with its own scratch; when even that leaves fewer parts than threads, or when parts would
// expand over a fifth of an image's rows twice (where two parts meet, both expand the window's halo: a 7×7 image in two
// parts expands 9 rows), the parts run in turn and each layer uses all the threads (MobileNet-v2's 7×7 blocks at batch
// 1 on two threads: 305 → 255 µs for the last).
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>An expand → depthwise → project block on channels-last tensors, run band by band of rows.</summary>
public sealed class BandedSeparableBlock : Module, IArenaOutput
{
    /// <summary>The expanded rows of a band are kept to about this many bytes (L2, 1 MB per core here, holds them with the
    /// rest of the band; inside MobileNet-v2, 192 KB was slowest by 5 %, and 640 KB tied 1024 KB except on the 56 × 56
    /// blocks, where it was faster).</summary>
    public const int BandBytes = 640 * 1024;

    [ThreadStatic] private static float[]? t_expanded;
    [ThreadStatic] private static float[]? t_depthwise;

    private readonly string _description;
    private Tensor? _y;
    private OutputSeat _seat;
    private int[]? _partRows; // PartRows' last answer, for _partGeometry (height, width, parts)
    private (int, int, int) _partGeometry;

    /// <summary>The block: <paramref name="expand"/> (or null: none) and <paramref name="project"/> pointwise,
    /// <paramref name="depthwise"/> depthwise, all reading channels last; with <paramref name="residual"/>, project adds
    /// the block's input.</summary>
    /// <exception cref="ArgumentException">A layer is not of its kind, reads channels first, or the channels do not chain;
    /// or project's residual input does not match <paramref name="residual"/>.</exception>
    public BandedSeparableBlock(ChannelsLastConv2d? expand, ChannelsLastConv2d depthwise, ChannelsLastConv2d project, bool residual)
    {
        ArgumentNullException.ThrowIfNull(depthwise);
        ArgumentNullException.ThrowIfNull(project);
        if ((expand is not null && (expand.IsDepthwise || expand.ReadsChannelsFirst || expand.HasResidual || expand.Conv.OutChannels != depthwise.Conv.InChannels))
            || !depthwise.IsDepthwise || project.IsDepthwise || project.ReadsChannelsFirst || project.HasResidual != residual
            || depthwise.Conv.OutChannels != project.Conv.InChannels)
            throw new ArgumentException($"BandedSeparableBlock: ({expand?.ToString() ?? "no expansion"}, {depthwise}, {project}, residual {residual}) is not an expand → depthwise → project chain.", nameof(expand));
        Expand = expand;
        Depthwise = depthwise;
        Project = project;
        Residual = residual;
        _description = $"Banded({(expand is null ? "" : $"{expand} → ")}{depthwise} → {project}{(residual ? " + input" : "")})";
    }

    /// <summary>The 1×1 expansion, or null when the block has none.</summary>
    public ChannelsLastConv2d? Expand { get; }

    /// <summary>The depthwise layer.</summary>
    public ChannelsLastConv2d Depthwise { get; }

    /// <summary>The 1×1 projection.</summary>
    public ChannelsLastConv2d Project { get; }

    /// <summary>Whether the projection adds the block's input.</summary>
    public bool Residual { get; }

    /// <summary>The arena the output lives in (a channels-last stack's), or null for a block-owned output.</summary>
    public ActivationArena? Arena => _seat.Arena;

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        if (Expand is not null) yield return ("expand", Expand);
        yield return ("depthwise", Depthwise);
        yield return ("project", Project);
    }

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>The block's output [N, OH, OW, OC] for x [N, H, W, C] (its own, or in its arena slot).</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true: the block exists for inference only.</exception>
    /// <exception cref="ArgumentException">The input is not [N, H, W, C] of the expansion's channels, or too small.</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (training) throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");
        int cin = Expand?.Conv.InChannels ?? Depthwise.Conv.InChannels;
        if (input.Rank != 4 || input.Dim(3) != cin) throw LayerHelpers.ShapeError(ToString(), $"[N, H, W, {cin}]", input.Shape);
        int n = input.Dim(0), h = input.Dim(1), w = input.Dim(2);
        Conv2dGeometry g;
        try
        {
            g = Depthwise.Conv.Geometry(h, w);
        }
        catch (ArgumentException e)
        {
            throw LayerHelpers.ShapeError(ToString(), $"[N, H, W, {cin}] no smaller than the depthwise window ({e.Message})", input.Shape);
        }
        if (Residual && (g.OutH != h || g.OutW != w || Project.Conv.OutChannels != cin))
            throw LayerHelpers.ShapeError(ToString(), $"an input the shape of the output (residual), [N, {g.OutH}, {g.OutW}, {Project.Conv.OutChannels}]", input.Shape);
        int oc = Project.Conv.OutChannels;
        var y = _seat.Output(ref _y, false, n, g.OutH, g.OutW, oc);
        if (n == 0 || g.OutH == 0) return y;
        int threads = Threading.MaxDegreeOfParallelism;
        // Parts of images, each of its own rows cut into bands: whole images when there are enough of them; else each
        // image cut into runs of rows of equal work, one per thread when there are fewer images than threads (so the
        // parts run in parallel, each layer on one thread, rather than each small layer on all the threads in turn), two
        // per image otherwise (the dynamic schedule evens out the rest).
        int parts = threads == 1 || n >= 2 * threads ? 1 : Math.Min(g.OutH, n >= threads ? (2 * threads + n - 1) / n : (threads + n - 1) / n);
        // But where parts meet, both expand the window's halo rows: when that is over a fifth of the image's rows (a
        // 7 × 7 image in two parts expands 9 rows), each layer runs on all the threads instead, one image at a time.
        int extent = (g.KernelH - 1) * g.DilationH + 1;
        if (Expand is not null && parts > 1 && 5 * (parts - 1) * Math.Max(0, extent - g.StrideH) > g.Height) parts = 1;
        int[] rows = PartRows(g, parts);
        int bandRows = Math.Min(BandRows(g), (g.OutH + parts - 1) / parts);
        float[] x = input.Data, output = y.Data;
        int items = n * parts;
        if (threads == 1 || items < threads)
        {
            // Fewer parts than threads (one image of a few rows): the parts in turn, each layer on all the threads.
            for (int i = 0; i < items; i++)
                RunPart(x, output, g, i / parts, rows[i % parts], rows[i % parts + 1], bandRows, threads);
        }
        else
        {
            Threading.For(0, items, threads, i =>
                RunPart(x, output, g, i / parts, rows[i % parts], rows[i % parts + 1], bandRows, 1));
        }
        return y;
    }

    // The first output row of each of `parts` runs of an image's rows, and OutH: runs of about equal multiply-adds, the
    // expansion of the input rows a run reads counted with its depthwise and projection rows (with stride 2 and the
    // padding row on top, the first output rows read fewer input rows). Cached for the last geometry.
    private int[] PartRows(Conv2dGeometry g, int parts)
    {
        if (_partRows is { } cached && _partGeometry == (g.Height, g.Width, parts)) return cached;
        int extent = (g.KernelH - 1) * g.DilationH + 1;
        long expandRow = Expand is null ? 0 : (long)g.Width * Expand.Conv.InChannels * g.Channels;
        long outputRow = (long)g.OutW * g.Channels * (g.KernelH * g.KernelW + Project.Conv.OutChannels);
        long Cost(int o0, int o1) => o1 <= o0 ? 0 : expandRow * (Math.Min(g.Height - 1, (o1 - 1) * g.StrideH - g.PadTop + extent - 1)
            - Math.Max(0, o0 * g.StrideH - g.PadTop) + 1) + outputRow * (o1 - o0);
        var rows = new int[parts + 1];
        rows[parts] = g.OutH;
        for (int p = 1; p < parts; p++)
        {
            // The end of run p − 1 that leaves the busiest thread least: that run, or an equal share of the rest.
            long Busiest(int o) => Math.Max(Cost(rows[p - 1], o), Cost(o, g.OutH) / (parts - p));
            int best = rows[p - 1] + 1;
            for (int o = best + 1; o <= g.OutH - (parts - p); o++)
                if (Busiest(o) < Busiest(best)) best = o;
            rows[p] = best;
        }
        (_partRows, _partGeometry) = (rows, (g.Height, g.Width, parts));
        return rows;
    }

    // Output rows per band: the expanded rows a band needs ((rows − 1)·stride + the window's extent) in about BandBytes.
    private static int BandRows(in Conv2dGeometry g)
    {
        int extent = (g.KernelH - 1) * g.DilationH + 1;
        long rowBytes = (long)g.Width * g.Channels * sizeof(float);
        long inputRows = Math.Max(extent, BandBytes / Math.Max(1, rowBytes));
        return (int)Math.Clamp((inputRows - extent) / g.StrideH + 1, 1, g.OutH);
    }

    // Output rows [row0, row1) of image i, in bands of bandRows, each layer on `threads` threads.
    private void RunPart(float[] x, float[] y, in Conv2dGeometry g, int i, int row0, int row1, int bandRows, int threads)
    {
        int h = g.Height, w = g.Width, hidden = g.Channels, cin = Expand?.Conv.InChannels ?? hidden;
        int extent = (g.KernelH - 1) * g.DilationH + 1, s = g.StrideH;
        int maxRows = Math.Min(h, (bandRows - 1) * s + extent);
        float[] depthwise = ScratchArray.GrowAligned(ref t_depthwise, (long)bandRows * g.OutW * hidden, ToString());
        if (Expand is null)
        {
            for (int o0 = row0; o0 < row1; o0 += bandRows)
            {
                int o1 = Math.Min(row1, o0 + bandRows);
                Depthwise.DepthwiseRows(x, i, g, o0, o1, depthwise);
                ProjectRows(x, y, g, i, o0, o1, depthwise, threads);
            }
            return;
        }
        float[] expanded = ScratchArray.GrowAligned(ref t_expanded, (long)maxRows * w * hidden, ToString());
        int first = 0, count = 0; // the image rows [first, first + count) whose expansion is in `expanded`
        for (int o0 = row0; o0 < row1; o0 += bandRows)
        {
            int o1 = Math.Min(row1, o0 + bandRows);
            int top = o0 * s - g.PadTop, bottom = (o1 - 1) * s - g.PadTop + extent - 1; // rows the window reads, padding included
            int lo = Math.Max(0, top), hi = Math.Min(h - 1, bottom);
            // Rows still in the buffer from the previous band move to its front; the rest are expanded.
            int keep = lo >= first && lo < first + count ? Math.Min(first + count, hi + 1) - lo : 0;
            if (keep > 0 && lo > first) expanded.AsSpan((lo - first) * w * hidden, keep * w * hidden).CopyTo(expanded);
            int fresh = hi + 1 - lo - keep;
            if (fresh > 0)
                Expand.Pointwise(x.AsSpan(((i * h) + lo + keep) * w * cin, fresh * w * cin), fresh * w, default,
                    expanded.AsSpan(keep * w * hidden, fresh * w * hidden), threads);
            (first, count) = (lo, hi + 1 - lo);
            // The band as an image of its own: the image's padding where the band meets the image's edges, none inside.
            var sub = new Conv2dGeometry(hidden, count, w, (g.KernelH, g.KernelW), (g.StrideH, g.StrideW),
                (lo - top, g.PadLeft, bottom - hi, g.PadRight), (g.DilationH, g.DilationW));
            Depthwise.Depthwise(expanded, 1, sub, depthwise, threads);
            ProjectRows(x, y, g, i, o0, o1, depthwise, threads);
        }
    }

    // The projection of depthwise output rows [o0, o1) of image i (+ the block's input rows) into y.
    private void ProjectRows(float[] x, float[] y, in Conv2dGeometry g, int i, int o0, int o1, float[] depthwise, int threads)
    {
        int hidden = g.Channels, cin = Expand?.Conv.InChannels ?? hidden, oc = Project.Conv.OutChannels, rows = (o1 - o0) * g.OutW;
        var residual = Residual ? x.AsSpan((i * g.Height + o0) * g.Width * cin, rows * cin) : default;
        Project.Pointwise(depthwise.AsSpan(0, rows * hidden), rows, residual, y.AsSpan(((i * g.OutH) + o0) * g.OutW * oc, rows * oc), threads);
    }

    /// <summary>Always throws: the block exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Backward(Tensor gradOutput) =>
        throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");

    /// <inheritdoc/>
    public override string ToString() => _description;
}
