// Conv2d at inference (Forward with training = false, not depthwise): the output is written in place, sample by
// sample, without the training path's transposed copy.
//   y_n[g·OC/G .., p0 .. p0+B) = b + W_g · col_n,g[.., p0 .. p0+B)     (the bias is written first, then GEMM with β = 1)
// The output positions of a sample are cut into blocks of B columns whose im2col block (K × B floats) fits in L2, so
// the GEMM reads columns that were just written instead of a whole-image column matrix from memory. A 1×1 stride-1
// unpadded convolution reads the image itself as its column matrix (no unfold). A small image (under 128 positions)
// is computed transposed, Yᵀ = colᵀ·Wᵀ, when the GEMM's register tiles hold more products that way (the output channels
// its wide side: a 7×7 image). Work items — (sample, block) pairs —
// run in parallel, each on its calling thread's scratch; when there are fewer items than threads (batch 1, a 7×7
// image), the GEMM itself is threaded. Small images at batch > 1 take the batched path (samples side by side, which
// keeps the GEMM wide). ForwardFused adds an epilogue — a residual written into the output before the GEMM accumulates
// onto it, then a clamp (ReLU, ReLU6) on each block while it is in cache; other paths apply it afterwards. A Frozen
// layer packs its weights once (GemmPackedA; GemmPackedB of Wᵀ for the transposed product) and hands bias, residual and
// clamp to the GEMM, which applies them panel by panel (GemmEpilogue) — the same operations per element, the same bits.
// A layer that is not pointwise and not transposed writes no column matrix at all: the GEMM packs its B panels from the
// image (Im2ColPanels: implicit im2col), one sample per item (ResNet-50's stride-2 3 × 3 layer at 56 × 56 spent a quarter
// of its time unfolding blocks too large to stay in L2 for the GEMM; 1.1–1.3x on such layers and the 7 × 7 stem). A Frozen
// layer's weights are packed once; a live one's (a training model evaluated between epochs) for the call (ResNet-20's
// test pass 1.56x faster than with unfolded blocks; the same bits).
// A Frozen layer (weights final: the copies InferenceGraph makes) also measures, on the first input of each size, the
// algorithms its shape allows against this path and keeps the fastest: Winograd F(2×2 or 4×4, 3×3) (Winograd3x3) for a 3×3
// stride-1 kernel (group by group when grouped) or, after the space-to-depth rewrite (SpaceToDepth), for an ungrouped
// strided kernel that spans three strides (AlexNet's 11×11 stride 4), the direct sparse kernel (DirectSparseConv)
// for pruned weights (any stride), and the direct kernel for few input channels per group (EntryConvNchw: a stem, a
// grouped or narrow 1×1 layer; C/G·KH·KW ≤ 256, no residual).
// Results do not depend on the thread count (the GEMM's are bitwise independent of it).
using Topiary.Tensors;

namespace Topiary.Nn;

public sealed partial class Conv2d
{
    /// <summary>Column blocks of an unfolded image are at most this many floats (K × B · 4 bytes ≈ 512 KiB, half an L2).</summary>
    private const int ColumnBlockFloats = 1 << 17;

    /// <summary>Narrowest column block: below this the GEMM's per-call packing of the weights stops paying for itself.</summary>
    private const int MinBlock = 256;

    /// <summary>Output positions below which a sample's product may be computed transposed (Yᵀ = colᵀ·Wᵀ: the output
    /// channels become the GEMM's wide side, since a 7×7 image fills its 32-column panels badly; see <see cref="Transposed"/>).</summary>
    private const int TransposedBelowPositions = 128;

    // Whether a whole small image's product runs transposed: when its P positions are few and the register tiles of the
    // GEMM (Mr × Nr) hold more useful products that way. ResNet's 7 × 7 layers (P = 49, 512 channels) fill 77 % of the
    // tiles as W·col and 88–91 % transposed on AVX2; LeNet-5's conv2 at batch 1 (P = 64, 50 channels) fills 93 % on AVX2
    // as W·col and 76 % transposed, and the transposed product also costs a pass to transpose the output back. A right
    // edge the kernel runs as a column strip (AVX-512: up to 8 columns) counts as filled: there ResNet-50's 7 × 7 layers
    // run as W·col, its 3 × 3 one 1.40x and its 1 × 1 512 → 2048 one 1.04x faster than transposed (Ice Lake, one process).
    private bool Transposed(int p)
    {
        if (p >= TransposedBelowPositions) return false;
        var tier = GemmTiers.Best;
        var (mr, nr) = GemmTiers.Tile(tier);
        int oc = OutChannels / Groups, strip = GemmTiers.StripColumns(tier);
        return TileFill(p, oc, mr, nr, 0) > TileFill(oc, p, mr, nr, strip);
    }

    // The share of an m × n product's Mr × Nr register tiles that holds products (a right edge of up to `strip` columns
    // counting as full).
    private static double TileFill(int m, int n, int mr, int nr, int strip) =>
        (double)m * n / (RoundUp(m, mr) * (long)(n % nr <= strip ? n : RoundUp(n, nr)));

    /// <summary>Output positions per sample below which a batch > 1 runs samples side by side (one wide GEMM).</summary>
    private const int BatchedBelowPositions = 196;

    // The epilogue of the current inference call: a residual added before the clamp [min, max] (ReLU: [0, ∞)).
    private float[]? _residual;
    private float _clampMin = float.NegativeInfinity, _clampMax = float.PositiveInfinity;

    /// <summary>
    /// Inference with a fused epilogue: y = clamp(conv(x) + residual, min, max), the residual (same shape as the output,
    /// or null) written into the output before the GEMM accumulates onto it. ReLU is [0, ∞), ReLU6 [0, 6].
    /// Returns the layer-owned output, or <paramref name="into"/> written (a tensor of the output's shape, such as an
    /// ActivationArena slot's view). A depthwise layer given <paramref name="inputChannels"/> reads input channel
    /// inputChannels[o] for output channel o (a channel shuffle before it, read through).
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Forward"/>; or the residual's or <paramref name="into"/>'s shape is not the output's.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="inputChannels"/> given to a layer that is not a 3 × 3 depthwise one of stride 1 or 2.</exception>
    internal Tensor ForwardFused(Tensor input, Tensor? residual, float min, float max, Tensor? into = null, int[]? inputChannels = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (inputChannels is not null && (!TakesChannelMap || inputChannels.Length != OutChannels))
            throw new InvalidOperationException($"{this}: a channel map needs a 3x3 depthwise layer (stride 1 or 2, no dilation) and {OutChannels} channels.");
        if (into is not null && input.Rank == 4)
        {
            var (oh, ow) = OutputSize(input.Dim(2), input.Dim(3));
            if (into.Rank != 4 || into.Dim(0) != input.Dim(0) || into.Dim(1) != OutChannels || into.Dim(2) != oh || into.Dim(3) != ow)
                throw LayerHelpers.ShapeError(ToString(), $"an output [{input.Dim(0)}, {OutChannels}, {oh}, {ow}]", into.Shape, nameof(into));
        }
        if (residual is not null && input.Rank == 4)
        {
            var (oh, ow) = OutputSize(input.Dim(2), input.Dim(3));
            if (residual.Rank != 4 || residual.Dim(0) != input.Dim(0) || residual.Dim(1) != OutChannels || residual.Dim(2) != oh || residual.Dim(3) != ow)
                throw LayerHelpers.ShapeError(ToString(), $"a residual [{input.Dim(0)}, {OutChannels}, {oh}, {ow}]", residual.Shape, nameof(residual));
        }
        _residual = residual?.Data;
        _clampMin = min;
        _clampMax = max;
        _into = into;
        _inputChannels = inputChannels;
        try
        {
            return Forward(input, training: false);
        }
        finally
        {
            _into = null;
            _inputChannels = null;
            _residual = null;
            _clampMin = float.NegativeInfinity;
            _clampMax = float.PositiveInfinity;
        }
    }

    // Where the inference paths write: the layer's output (null), or a caller's array, sample i from
    // _targetOffset + i·_targetStride on (ForwardFusedInto: a channel slice of a concatenation).
    private float[]? _target;

    // The output tensor of the current inference call when the caller gives one (ForwardFused's into), else null.
    private Tensor? _into;

    // The input channel each output channel of a depthwise inference call reads (ForwardFused's inputChannels), or null.
    private int[]? _inputChannels;

    // Whether ForwardFused takes a channel map: a depthwise layer on DepthwiseConv3x3's kernel (3 × 3, stride 1 or 2
    // on both axes, no dilation), the one path that reads through a map.
    internal bool TakesChannelMap => IsDepthwise && KernelSize == (3, 3) && Dilation == (1, 1) && Stride.H == Stride.W && Stride.H is 1 or 2;

    // The output tensor of the current call: the caller's, or the layer's own.
    private Tensor Output => _into ?? _output!;
    private int _targetOffset, _targetStride;

    // Offset of sample i's output in the array the inference paths write.
    private int OutputAt(int i) => _target is null ? i * OutChannels * _geometry.ColumnCols : _targetOffset + i * _targetStride;

    /// <summary>
    /// As <see cref="ForwardFused"/> without a residual, writing sample i's output [OC, OH, OW] into
    /// <paramref name="target"/> from <paramref name="offset"/> + i·<paramref name="sampleStride"/> on (channels of a
    /// concatenation [N, C, OH, OW]: offset = first channel·OH·OW, stride = C·OH·OW) instead of the layer's own output.
    /// Not for depthwise layers.
    /// </summary>
    /// <exception cref="ArgumentException">The layer is depthwise; the target is too short or the stride smaller than a sample's output; or as <see cref="ForwardFused"/>.</exception>
    internal void ForwardFusedInto(Tensor input, float min, float max, float[] target, int offset, int sampleStride)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank != 4 || IsDepthwise)
            throw new ArgumentException($"{this}: writing into a concatenation needs [N, C, H, W] and a non-depthwise layer; got {Tensor.ShapeString(input.Shape)}.", nameof(input));
        var (oh, ow) = OutputSize(input.Dim(2), input.Dim(3));
        long per = (long)OutChannels * oh * ow, n = input.Dim(0);
        if (offset < 0 || sampleStride < per || n > 0 && offset + (n - 1) * sampleStride + per > target.Length)
            throw new ArgumentException($"{this}: {n} samples of {OutChannels}x{oh}x{ow} outputs from offset {offset}, stride {sampleStride}, do not fit a target of {target.Length}.", nameof(target));
        _target = target;
        _targetOffset = offset;
        _targetStride = sampleStride;
        try
        {
            ForwardFused(input, null, min, max);
        }
        finally
        {
            _target = null;
        }
    }

    // The batched path wrote the layer's own output: copy it into the target, sample by sample.
    private void CopyToTarget(Tensor y)
    {
        int per = y.Length / Math.Max(1, _batch);
        for (int i = 0; i < _batch; i++) y.Data.AsSpan(i * per, per).CopyTo(_target.AsSpan(OutputAt(i)));
    }

    private bool HasEpilogue => _residual is not null || _clampMin != float.NegativeInfinity || _clampMax != float.PositiveInfinity;

    // The epilogue on a whole output written by another path (depthwise, batched): y = clamp(y + residual).
    private void ApplyEpilogue(float[] y, int length)
    {
        var span = y.AsSpan(0, length);
        if (_residual is not null) TensorPrimitives.Add(span, _residual.AsSpan(0, length), span);
        Clamp(span);
    }

    private void Clamp(Span<float> values)
    {
        if (_clampMin != float.NegativeInfinity) TensorPrimitives.Max(values, _clampMin, values);
        if (_clampMax != float.PositiveInfinity) TensorPrimitives.Min(values, _clampMax, values);
    }

    // The algorithms a Frozen layer chooses among per input size, by measurement.
    private enum Algorithm { Im2col, Winograd, Sparse, SpaceToDepth, Entry }

    /// <summary>Weights denser than this never try the direct sparse kernel (it streams one weight per stored entry).</summary>
    private const double SparseDensityLimit = 0.9;

    // Transformed weights per tile size, one per group: of the 3×3 kernel, or of its space-to-depth rewrite (a layer has
    // one or the other); and each group's bias slice, for the grouped Winograd and EntryConvNchw calls (GroupBias).
    private WinogradWeights[]? _winograd2, _winograd4;
    private float[]?[]? _groupBias;
    private float[]? _spaceToDepthWeights; // [OC, C·SH·SW, 3, 3] (SpaceToDepth.Weights), made on first use
    private GemmPackedA[]? _packedWeights;   // per group, W_g [OC/G, K/G] in GEMM panels (Frozen only)
    private GemmPackedB[]? _packedWeightsT;  // per group, W_gᵀ as the B operand of the transposed (small image) product
    private DirectSparseConv? _sparse;
    private float[][]? _entryWeights; // EntryConvNchw.PackWeights per group, made on first use
    private (int H, int W) _sparseSize;
    private double? _density;
    private readonly Dictionary<(int H, int W, int N), Algorithm> _algorithm = [];

    /// <summary>
    /// True when the weights will not change any more (set on the copies InferenceGraph makes): the layer may then cache
    /// transformed weights and pick its algorithm per input size by measurement (im2col + GEMM, Winograd F(2×2 or 4×4, 3×3), or
    /// the direct sparse kernel when the weights are pruned).
    /// </summary>
    internal bool Frozen { get; set; }

    /// <summary>Tests: force (true) or forbid (false) Winograd (after the space-to-depth rewrite for a strided kernel) on a
    /// Frozen layer instead of measuring; null measures.</summary>
    internal bool? WinogradOverride { get; set; }

    /// <summary>Tests: force (true) or forbid (false) the direct sparse kernel on a Frozen layer; null measures.</summary>
    internal bool? SparseOverride { get; set; }

    /// <summary>Tests: force (true) or forbid (false) the direct few-input-channel kernel (EntryConvNchw) on a Frozen layer; null measures.</summary>
    internal bool? EntryOverride { get; set; }

    // True when this call took the in-place inference path (false: use the batched path).
    private bool InferenceForward(float[] x, float[] y)
    {
        switch (Frozen ? Choose(x, y) : Algorithm.Im2col)
        {
            case Algorithm.Winograd: WinogradForward(x, y); return true;
            case Algorithm.SpaceToDepth: SpaceToDepthForward(x, y); return true;
            case Algorithm.Sparse: SparseForward(x, y); return true;
            case Algorithm.Entry when _residual is null: EntryForward(x, y); return true;
            default: return DirectForward(x, y);
        }
    }

    // The candidates this layer can run on this input, then the fastest of three to eight timed calls each (more while a
    // round of all candidates is cheap: up to ChoiceSeconds in all) on the first input of
    // each size and batch (the output is rewritten by the caller), after one untimed call each: first-use costs (packed or
    // transformed weights, the sparse layout, thread-local scratch growing and its pages first touched, on the workers
    // too) made the untimed-first choice vary between processes — AlexNet's pruned conv3 at 2 threads kept the direct
    // sparse kernel (1,041 µs) in some where Winograd takes 699 µs. The kernels timed are compiled fully optimized at
    // their first call (AggressiveOptimization on every looping method of Tensors/, KernelOptimizationTests): timed as
    // tier-0 code, the choice followed whichever candidate's helpers were unoptimized (SqueezeNet 1.0 took the direct
    // stem kernel for 3×3 layers Winograd runs faster). Three calls were too few at 2 threads on a noisy 2-core host:
    // AlexNet's conv1 took im2col in half of the processes where space-to-depth Winograd runs it 1.75x faster, and conv3
    // varied between three algorithms. A small image at batch > 1 whose im2col path is the
    // batched one keeps it unless Winograd can run (then the batched path is the one timed).
    private Algorithm Choose(float[] x, float[] y)
    {
        var g = _geometry;
        bool winograd = Winograd3x3.Supports(g.WithChannels(g.Channels / Groups)) && WinogradOverride != false;
        bool spaceToDepth = Groups == 1 && SpaceToDepth.Supports(g) && WinogradOverride != false;
        bool sparse = DirectSparseConv.Supports(g) && SparseOverride != false && (SparseOverride == true || Density() <= SparseDensityLimit);
        bool entry = EntryConvNchw.Applies(g.WithChannels(g.Channels / Groups)) && _residual is null && EntryOverride != false;
        var key = (g.Height, g.Width, _batch);
        // A forced algorithm is recorded (ChosenAlgorithms reports it) but checked before the record, so a test can switch.
        if (winograd && WinogradOverride == true) return _algorithm[key] = Algorithm.Winograd;
        if (spaceToDepth && WinogradOverride == true) return _algorithm[key] = Algorithm.SpaceToDepth;
        if (sparse && SparseOverride == true) return _algorithm[key] = Algorithm.Sparse;
        if (entry && EntryOverride == true) return _algorithm[key] = Algorithm.Entry;
        if (!winograd && !spaceToDepth && !sparse && !entry) return Algorithm.Im2col;
        if (_algorithm.TryGetValue(key, out var chosen)) return chosen;
        var best = (Algorithm: Algorithm.Im2col, Seconds: double.MaxValue);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int run = 0; run < 1 + MinChoiceCalls || run < 1 + MaxChoiceCalls
            && System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds < ChoiceSeconds; run++)
        {
            if (run == 1) best = (Algorithm.Im2col, double.MaxValue); // run 0 warmed every candidate up
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            if (!DirectForward(x, y))
            {
                if (!winograd && !spaceToDepth) return _algorithm[key] = Algorithm.Im2col; // the batched path: keep it
                // Winograd also multiplies a batch's tiles in one GEMM: time the batched path as the caller runs it
                // (into the layer's own output, as the caller does).
                GemmForward(x, Output.Data);
                if (HasEpilogue) ApplyEpilogue(Output.Data, _batch * OutChannels * g.OutH * g.OutW);
            }
            best = Faster(best, Algorithm.Im2col, t0);
            if (winograd)
            {
                t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                WinogradForward(x, y);
                best = Faster(best, Algorithm.Winograd, t0);
            }
            if (spaceToDepth)
            {
                t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                SpaceToDepthForward(x, y);
                best = Faster(best, Algorithm.SpaceToDepth, t0);
            }
            if (sparse)
            {
                t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                SparseForward(x, y);
                best = Faster(best, Algorithm.Sparse, t0);
            }
            if (entry)
            {
                t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                EntryForward(x, y);
                best = Faster(best, Algorithm.Entry, t0);
            }
        }
        return _algorithm[key] = best.Algorithm;
    }

    /// <summary>The algorithms a Frozen layer has chosen so far ("im2col", "winograd", "sparse", "spacetodepth", "entry";
    /// comma-separated), or "".</summary>
    internal string ChosenAlgorithms => string.Join(", ", _algorithm.Values.Distinct().Select(a => a.ToString().ToLowerInvariant()));

    private const int MinChoiceCalls = 3, MaxChoiceCalls = 8;
    private const double ChoiceSeconds = 0.1;

    private static (Algorithm, double) Faster((Algorithm Algorithm, double Seconds) best, Algorithm a, long t0)
    {
        double s = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return s < best.Seconds ? (a, s) : best;
    }

    private double Density()
    {
        if (_density is double d) return d;
        var w = Weight.Value.Data;
        int nnz = 0;
        foreach (float v in w) if (v != 0) nnz++;
        return (_density = w.Length == 0 ? 1 : (double)nnz / w.Length).Value;
    }

    private void SparseForward(float[] x, float[] y)
    {
        var g = _geometry;
        if (_sparse is null || _sparseSize != (g.Height, g.Width))
        {
            _sparse = new DirectSparseConv(Weight.Value.Data, OutChannels, Groups, g);
            _sparseSize = (g.Height, g.Width);
        }
        int length = OutChannels * g.ColumnCols;
        for (int i = 0; i < _batch; i++)
            _sparse.Forward(x.AsSpan(i * g.ImageSize, g.ImageSize), y, OutputAt(i), Bias?.Value.Data, _residual, _clampMin, _clampMax,
                Threading.MaxDegreeOfParallelism);
    }

    // Group gi's slice of the bias (null without one), the slices made once.
    private float[]? GroupBias(int gi)
    {
        int ocg = OutChannels / Groups;
        _groupBias ??= Enumerable.Range(0, Groups).Select(g => Bias?.Value.Data.AsSpan(g * ocg, ocg).ToArray()).ToArray();
        return _groupBias[gi];
    }

    // The direct kernel for few input channels per group (a stem; a grouped or narrow 1×1 layer): every sample, group by
    // group, into the layer's output or the target's slices.
    private void EntryForward(float[] x, float[] y)
    {
        var g = _geometry;
        int groups = Groups, cg = g.Channels / groups, ocg = OutChannels / groups, plane = g.OutH * g.OutW;
        var part = g.WithChannels(cg);
        _entryWeights ??= Enumerable.Range(0, groups)
            .Select(gi => EntryConvNchw.PackWeights(Weight.Value.Data.AsSpan(gi * ocg * part.ColumnRows, ocg * part.ColumnRows), ocg, part.ColumnRows)).ToArray();
        int stride = _target is null ? OutChannels * plane : _targetStride, threads = Threading.MaxDegreeOfParallelism;
        void Group(int gi, int workers) =>
            EntryConvNchw.Forward(x, gi * cg * g.Height * g.Width, g.ImageSize, _batch, part, _entryWeights[gi], ocg,
                groups == 1 ? Bias?.Value.Data : GroupBias(gi), _clampMin, _clampMax, y, OutputAt(0) + gi * ocg * plane, stride, workers);
        if (GroupsSideBySide(threads)) Threading.For(0, groups, threads, gi => Group(gi, 1));
        else for (int gi = 0; gi < groups; gi++) Group(gi, threads);
    }

    // Whether a grouped layer's groups run side by side, one thread each (the direct kernel and Winograd): when they share
    // out evenly between the threads. One parallel region for the layer then replaces one per group (and Winograd's
    // barriers between a group's phases): ShuffleNet's 4-group 1×1 layers took 55–60 µs on 2 threads group by group,
    // 41–48 side by side, 80–84 on 1 thread. Otherwise the layer runs group by group, each group on every thread.
    private bool GroupsSideBySide(int threads) => Groups > 1 && threads > 1 && Groups % threads == 0;

    // Winograd F(m×m, 3×3) over the whole batch (tiles of all samples in one GEMM), the epilogue fused into the output
    // transform; the transformed weights of each tile size are made on first use.
    private void WinogradForward(float[] x, float[] y) => WinogradForward(x, _geometry, Weight.Value.Data, y);

    // Winograd on the space-to-depth rewrite: the batch's images rearranged into the calling thread's column scratch
    // (input channels split between the threads), then convolved 3×3 with the rewritten weights.
    private void SpaceToDepthForward(float[] x, float[] y)
    {
        var g = _geometry;
        var r = SpaceToDepth.Geometry(g);
        int n = _batch, threads = Threading.MaxDegreeOfParallelism, items = n * g.Channels;
        var images = ConvScratch.Columns((long)n * r.ImageSize);
        Threading.For(0, threads, threads, t =>
        {
            for (int item = items * t / threads; item < items * (t + 1) / threads; item++)
            {
                int i = item / g.Channels, c = item % g.Channels;
                SpaceToDepth.Image(x.AsSpan(i * g.ImageSize, g.ImageSize), g, c, c + 1, images.AsSpan(i * r.ImageSize, r.ImageSize));
            }
        });
        WinogradForward(images, r, _spaceToDepthWeights ??= SpaceToDepth.Weights(Weight.Value.Data, OutChannels, g), y);
    }

    // Winograd of the images x [N, C, H, W] of geometry g (3×3, stride 1) with weights [OC, C/G, 3, 3] (the layer's, or their
    // space-to-depth rewrite: a layer uses one or the other, so the transformed weights are cached per tile size only).
    // Ungrouped, the batch's tiles share one GEMM per position; grouped, each (sample, group) is a convolution of its own
    // (its input channels and output channels are contiguous runs), the group's bias slice in its epilogue.
    private void WinogradForward(float[] x, in Conv2dGeometry g, float[] weights, float[] y)
    {
        int groups = Groups, cg = g.Channels / groups, ocg = OutChannels / groups, threads = Threading.MaxDegreeOfParallelism;
        var part = g.WithChannels(cg);
        int m = Winograd3x3.TileSizeFor(part, groups == 1 ? _batch : 1);
        ref var w = ref m == 4 ? ref _winograd4 : ref _winograd2;
        w ??= Enumerable.Range(0, groups).Select(gi => WinogradWeights.Create(weights.AsSpan(gi * ocg * cg * 9, ocg * cg * 9), ocg, cg, m)).ToArray();
        if (groups > 1)
        {
            int outPlanes = ocg * g.OutH * g.OutW, imageSize = g.ImageSize;
            var ws = w;
            void Group(int i, int gi, int workers) =>
                Winograd3x3.Convolve(x, i * imageSize + gi * part.ImageSize, 1, part, ws[gi], y, OutputAt(i) + gi * outPlanes,
                    new WinogradEpilogue(GroupBias(gi), _residual, _clampMin, _clampMax), workers);
            if (GroupsSideBySide(threads)) Threading.For(0, _batch * groups, threads, item => Group(item / groups, item % groups, 1));
            else
                for (int i = 0; i < _batch; i++)
                    for (int gi = 0; gi < groups; gi++) Group(i, gi, threads);
            return;
        }
        var epilogue = new WinogradEpilogue(Bias?.Value.Data, _residual, _clampMin, _clampMax);
        if (_target is null || _batch == 1 || _targetStride == OutChannels * g.OutH * g.OutW)
            Winograd3x3.Convolve(x, 0, _batch, g, w[0], y, OutputAt(0), epilogue, threads);
        else
        {
            // Samples apart in the target: the batch's tiles still in one GEMM, into the layer's output, then copied.
            Winograd3x3.Convolve(x, 0, _batch, g, w[0], _output!.Data, 0, epilogue, threads);
            CopyToTarget(_output);
        }
    }

    // im2col + GEMM in place (false: a small image at batch > 1, left to the batched path).
    private bool DirectForward(float[] x, float[] y)
    {
        var g = _geometry;
        int p = g.ColumnCols, n = _batch;
        if (n > 1 && p < BatchedBelowPositions) return false;
        bool pointwise = g.KernelH == 1 && g.KernelW == 1 && Im2Col.IsDense(g); // the image is its own column matrix
        int threads = Threading.MaxDegreeOfParallelism;
        int k = g.ColumnRows;
        // Block width: a multiple of 32 (the GEMM's panel width) that keeps the column block in L2; for a pointwise
        // convolution (no columns) only as many blocks as the threads need — or, for one image of a Frozen layer, one
        // block whose GEMM splits the output channels between the threads (balanced; epilogue on the GEMM's threads).
        int block = pointwise
            ? (threads == 1 || (n == 1 && Frozen) ? p : RoundUp((p + threads - 1) / threads, 32))
            : Math.Max(MinBlock, ColumnBlockFloats / k / 32 * 32);
        bool transposed = Transposed(p);
        if (!pointwise && !transposed)
        {
            // The GEMM packs its B panels from the image itself: one item per sample, the GEMM threaded when fewer samples
            // than threads. A layer that is not Frozen (a training model evaluated between epochs) packs its weights for
            // this call, as the training forward does: unfolding each image's column matrix took as long as the GEMM.
            PackWeights(false);
            var packed = _packedWeights ?? PassWeights(ref _passWeights, transposed: false);
            if (n == 1 || threads == 1) for (int i = 0; i < n; i++) ImplicitSample(i, threads, x, y, packed);
            else Threading.For(0, n, i => ImplicitSample(i, 1, x, y, packed));
            return true;
        }
        block = transposed ? p : Math.Min(block, p);
        int blocks = (p + block - 1) / block, panels = (p + 31) / 32;
        // Few items: as many blocks as a multiple of the threads (784 positions in blocks of 256 left one thread a
        // 16-column block while the other ran two of 256), each a balanced range of 32-column panels.
        if (blocks > 1 && n * blocks < 4 * threads) blocks = Math.Min(panels, RoundUp(blocks, threads));
        int items = n * blocks;
        int gemmThreads = items >= threads ? 1 : threads;
        PackWeights(transposed && blocks == 1);
        if (items == 1) InferenceBlock(0, blocks, pointwise, transposed, gemmThreads, x, y);
        else Threading.For(0, items, item => InferenceBlock(item, blocks, pointwise, transposed, gemmThreads, x, y));
        return true;
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    // Sample i by implicit im2col (Im2ColPanels), group by group, the epilogue on the GEMM's tiles.
    private unsafe void ImplicitSample(int i, int threads, float[] x, float[] y, GemmPackedA[] packed)
    {
        var g = _geometry;
        int p = g.ColumnCols, oc = OutChannels, groups = Groups, ocg = oc / groups, cg = g.Channels / groups;
        var part = g.WithChannels(cg);
        var output = y.AsSpan(OutputAt(i));
        fixed (float* pBias = Bias?.Value.Data, pResidual = _residual)
            for (int gi = 0; gi < groups; gi++)
            {
                var epilogue = new GemmEpilogue(pBias == null ? null : pBias + gi * ocg,
                    pResidual == null ? null : pResidual + ((long)i * oc + gi * ocg) * p, p, _clampMin, _clampMax);
                Im2ColPanels.Multiply(threads, packed[gi], x, i * g.ImageSize + gi * part.ImageSize, part, 0,
                    output[(gi * ocg * p)..], p, epilogue);
            }
    }

    // Item = (sample, block); block b of B covers the 32-column panels [P·b/B, P·(b+1)/B) of the sample's positions.
    private void InferenceBlock(int item, int blocks, bool pointwise, bool transposed, int gemmThreads, float[] x, float[] y)
    {
        var g = _geometry;
        int p = g.ColumnCols, panels = (p + 31) / 32, part = item % blocks;
        int i = item / blocks, p0 = Math.Min(p, 32 * (panels * part / blocks)), count = Math.Min(p, 32 * (panels * (part + 1) / blocks)) - p0;
        int oc = OutChannels, groups = Groups, kg = g.ColumnRows / groups, ocg = oc / groups, imageSize = g.ImageSize;
        var image = x.AsSpan(i * imageSize, imageSize);
        var output = y.AsSpan(OutputAt(i));
        ReadOnlySpan<float> columns;
        int ld;
        if (pointwise)
        {
            columns = image[p0..];
            ld = p;
        }
        else
        {
            var scratch = ConvScratch.Columns((long)g.ColumnRows * count);
            if (gemmThreads == 1 || g.Channels < gemmThreads)
            {
                UnfoldBlock(image, g, p0, count, scratch);
            }
            else
            {
                // One work item on several threads: the unfold is split by input channels (rows of the column matrix).
                var whole = x;
                int offset = i * imageSize, taps = g.KernelH * g.KernelW, threads = gemmThreads, start = p0;
                Threading.For(0, threads, threads, t =>
                {
                    int c0 = g.Channels * t / threads, c1 = g.Channels * (t + 1) / threads, plane = g.Height * g.Width;
                    var part = g.WithChannels(c1 - c0);
                    UnfoldBlock(whole.AsSpan(offset + c0 * plane, (c1 - c0) * plane), part, start, count, scratch.AsSpan(c0 * taps * count));
                });
            }
            columns = scratch;
            ld = count;
        }
        float[]? bias = Bias?.Value.Data;
        float[] wd = Weight.Value.Data;
        if (transposed)
        {
            // Yᵀ[P, OC] = colᵀ · Wᵀ per group, then transposed into the NCHW output with the bias added.
            var t = ConvScratch.Transposed((long)p * oc);
            for (int gi = 0; gi < groups; gi++)
            {
                if (_packedWeightsT is { } packedT)
                    Gemm.Sgemm(gemmThreads, true, p, 1f, columns[(gi * kg * ld)..], ld, packedT[gi], 0f, t.AsSpan(gi * ocg), oc);
                else
                    Gemm.Sgemm(GemmTiers.Best, gemmThreads, true, true, p, ocg, kg, 1f, columns[(gi * kg * ld)..], ld,
                        wd.AsSpan(gi * ocg * kg, ocg * kg), kg, 0f, t.AsSpan(gi * ocg), oc);
            }
            // In tiles of 16 channels: each Yᵀ row is read 16 contiguous floats at a time, 16 output rows are written;
            // the tiles split between the GEMM's threads.
            int tiles = (oc + 15) / 16;
            if (gemmThreads == 1) TransposeOut(t, y, i, 0, tiles);
            else Threading.For(0, gemmThreads, gemmThreads, part => TransposeOut(t, y, i, tiles * part / gemmThreads, tiles * (part + 1) / gemmThreads));
            return;
        }
        if (_packedWeights is { } packed)
        {
            // Bias, residual and clamp applied by the GEMM panel by panel (GemmEpilogue), on the GEMM's threads.
            unsafe
            {
                fixed (float* pBias = bias, pResidual = _residual)
                    for (int gi = 0; gi < groups; gi++)
                    {
                        var epilogue = new GemmEpilogue(pBias == null ? null : pBias + gi * ocg,
                            pResidual == null ? null : pResidual + ((long)i * oc + gi * ocg) * p + p0, p, _clampMin, _clampMax);
                        Gemm.Sgemm(gemmThreads, packed[gi], false, count, 1f, columns[(gi * kg * ld)..], ld, 0f,
                            output[(gi * ocg * p + p0)..], p, epilogue);
                    }
            }
            return;
        }
        // The GEMM accumulates onto bias (+ residual): β = 1.
        for (int o = 0; o < oc; o++)
        {
            var row = output.Slice(o * p + p0, count);
            float b = bias is null ? 0f : bias[o];
            if (_residual is null) row.Fill(b);
            else TensorPrimitives.Add(_residual.AsSpan(i * oc * p + o * p + p0, count), b, row);
        }
        for (int gi = 0; gi < groups; gi++)
            Gemm.Sgemm(GemmTiers.Best, gemmThreads, false, false, ocg, count, kg, 1f, wd.AsSpan(gi * ocg * kg, ocg * kg), kg,
                columns[(gi * kg * ld)..], ld, 1f, output[(gi * ocg * p + p0)..], p);
        if (_clampMin != float.NegativeInfinity || _clampMax != float.PositiveInfinity)
            for (int o = 0; o < oc; o++) Clamp(output.Slice(o * p + p0, count));
    }

    // Output channels [16·tile0, 16·tile1) of image i from Yᵀ [P, OC], with bias, residual (TransposeAdd) and clamp.
    private void TransposeOut(float[] t, float[] y, int i, int tile0, int tile1)
    {
        int oc = OutChannels, p = _geometry.ColumnCols, o0 = 16 * tile0, o1 = Math.Min(oc, 16 * tile1), yOff = OutputAt(i);
        if (o1 <= o0) return;
        TransposeAdd.Run(t, oc, p, o0, o1, Bias?.Value.Data, _residual, i * oc * p, y, yOff);
        Clamp(y.AsSpan(yOff + o0 * p, (o1 - o0) * p));
    }

    // Columns [p0, p0 + count) of the image's im2col (row stride count). A block that is the whole image with output rows
    // shorter than 32 is gathered from a padded copy (Im2ColGather: a ResNet-50 stride-2 layer at 14×14 has 2,304 × 14
    // row segments of 14 floats, whose per-segment setup cost more than the copying).
    private static void UnfoldBlock(ReadOnlySpan<float> image, in Conv2dGeometry g, int p0, int count, Span<float> columns)
    {
        if (p0 == 0 && count == g.ColumnCols && Im2Col.IsDense(g)) Im2Col.Unfold(image, g, columns, count);
        else if (p0 == 0 && count == g.ColumnCols && g.OutW < 32 && Im2ColGather.IsSupported) Im2ColGather.Unfold(image, g, columns, count);
        else Im2Col.UnfoldColumns(image, g, p0, count, columns, count);
    }

    // A Frozen layer packs its weights once into the GEMM's panel layout (per group; as the B operand Wᵀ for the
    // transposed product of small images), so no call repacks them; the products are bitwise the unpacked ones.
    private void PackWeights(bool transposed)
    {
        if (!Frozen) return;
        int kg = _geometry.ColumnRows / Groups, ocg = OutChannels / Groups;
        float[] wd = Weight.Value.Data;
        if (transposed)
            _packedWeightsT ??= Enumerable.Range(0, Groups)
                .Select(gi => Gemm.PackB(true, ocg, kg, wd.AsSpan(gi * ocg * kg, ocg * kg), kg)).ToArray();
        else
            _packedWeights ??= Enumerable.Range(0, Groups)
                .Select(gi => Gemm.PackA(false, ocg, kg, wd.AsSpan(gi * ocg * kg, ocg * kg), kg)).ToArray();
    }
}
