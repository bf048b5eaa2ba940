// ChannelsLastConv2d: an inference-only FusedConv2d that writes its output channels last, [N, OH, OW, OC] (PyTorch's
// channels_last memory format), written by the channels-last rewrite (ChannelsLastRewrite) for depthwise-separable
// stacks. In that layout every layer of such a stack runs at full vector width whatever its plane size:
//   depthwise (3×3 or any kernel, channel multiplier 1)  DepthwiseConvNhwc, 16 channels per vector, input [N, H, W, C]
//   pointwise (1×1, stride 1, no padding, groups 1)     one GEMM  Y[N·H·W, OC] = X[N·H·W, C] · Wᵀ, Wᵀ packed once
//   entry (any groups-1 convolution, input [N, C, H, W]) the stack's first layer reads the channels-first tensor, so
//                                                         no transpose is needed: with few inputs per output
//                                                         (C·KH·KW ≤ 256: a network's stem) EntryConvNhwc, a direct
//                                                         kernel (no column matrix); else per image
//                                                         Y[OH·OW, OC] = colᵀ · Wᵀ (col = im2col, or the image itself
//                                                         for a pointwise layer)
// The bias (a folded BatchNorm's shift), a residual [N, OH, OW, OC] (pointwise only) and the clamp run in the GEMM's
// epilogue, the bias per column (in the entry kernel's, the same operations). Per output element the operations are
// the channels-first layer's (the same products summed in the same order, bias and residual added as one rounded sum,
// then Max and Min), so the results are its bits whenever the channels-first layer ran the same algorithm (im2col/GEMM,
// or the depthwise kernels). In a stack the output lives in a slot of the stack's ActivationArena.
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>A fused convolution reading and writing channels-last tensors, for inference.</summary>
public sealed class ChannelsLastConv2d : GraphOp, IArenaOutput
{
    private readonly Tensor[] _output = new Tensor[1];
    private readonly GemmPackedB? _packed;
    private readonly float[]? _depthwiseWeights;
    private readonly float[]? _entryWeights;
    private readonly float[]? _bias;
    private readonly string _description;
    private Tensor? _y;
    private float[]? _columns;
    private OutputSeat _seat;

    /// <summary>The channels-last form of <paramref name="fused"/>; <paramref name="readsChannelsFirst"/> makes it the
    /// entry of a channels-last stack (input [N, C, H, W]).</summary>
    /// <exception cref="ArgumentException">The convolution has no channels-last form: it writes into a concatenation; it is
    /// grouped but not depthwise with multiplier 1; it is depthwise or an entry and takes a residual; or it reads
    /// channels last without being depthwise or pointwise.</exception>
    public ChannelsLastConv2d(FusedConv2d fused, bool readsChannelsFirst)
    {
        ArgumentNullException.ThrowIfNull(fused);
        if (!Supports(fused, readsChannelsFirst))
            throw new ArgumentException($"{fused} has no channels-last form{(readsChannelsFirst ? " reading channels first" : "")}.", nameof(fused));
        Conv = fused.Conv;
        HasResidual = fused.HasResidual;
        Min = fused.Min;
        Max = fused.Max;
        FoldedNorm = fused.FoldedNorm;
        ReadsChannelsFirst = readsChannelsFirst;
        _description = $"ChannelsLast({fused}{(readsChannelsFirst ? ", reads channels first" : "")})";
        _bias = Conv.Bias?.Value.Data;
        float[] w = Conv.Weight.Value.Data;
        if (IsDepthwise)
        {
            _depthwiseWeights = DepthwiseConvNhwc.PackWeights(w, Conv.OutChannels, Conv.KernelSize.H * Conv.KernelSize.W);
        }
        else if (readsChannelsFirst && EntryConvNhwc.Applies(Conv.InChannels, Conv.KernelSize.H, Conv.KernelSize.W))
        {
            _entryWeights = EntryConvNhwc.PackWeights(w, Conv.OutChannels, w.Length / Conv.OutChannels);
        }
        else
        {
            // W [OC, C·KH·KW] read transposed: B = Wᵀ [C·KH·KW, OC], so C's columns are the output channels.
            int k = w.Length / Conv.OutChannels;
            _packed = Gemm.PackB(transB: true, Conv.OutChannels, k, w, k);
        }
    }

    /// <summary>True when <paramref name="fused"/> has a channels-last form (see the constructor).</summary>
    public static bool Supports(FusedConv2d fused, bool readsChannelsFirst)
    {
        ArgumentNullException.ThrowIfNull(fused);
        var conv = fused.Conv;
        if (fused.Target is not null) return false;
        bool depthwise = conv.IsDepthwise && conv.OutChannels == conv.InChannels;
        if (conv.Groups != 1 && !depthwise) return false;
        if (readsChannelsFirst) return !depthwise && !fused.HasResidual;
        return depthwise ? !fused.HasResidual : IsPointwise(conv);
    }

    private static bool IsPointwise(Conv2d conv) =>
        conv.KernelSize == (1, 1) && conv.Stride == (1, 1) && conv.Pads == (0, 0, 0, 0) && conv.Groups == 1;

    /// <summary>The convolution (weights final: any BatchNorm folded in).</summary>
    public Conv2d Conv { get; }

    /// <summary>Whether the node adds a residual input ([N, OH, OW, OC]).</summary>
    public bool HasResidual { get; }

    /// <summary>Lower clamp.</summary>
    public float Min { get; }

    /// <summary>Upper clamp.</summary>
    public float Max { get; }

    /// <summary>Whether a BatchNorm was folded into the convolution (for the description).</summary>
    public bool FoldedNorm { get; }

    /// <summary>True when the input is channels first ([N, C, H, W]): the first layer of a channels-last stack.</summary>
    public bool ReadsChannelsFirst { get; }

    /// <summary>The arena the output lives in (a channels-last stack's), or null for a node-owned output.</summary>
    public ActivationArena? Arena => _seat.Arena;

    /// <summary>True for a depthwise convolution.</summary>
    public bool IsDepthwise => Conv.IsDepthwise;

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren() => [("conv", Conv)];

    /// <inheritdoc/>
    void IArenaOutput.Place(ActivationArena arena, int slot) => _seat.Place(arena, slot);

    /// <summary>clamp(conv(inputs[0]) + inputs[1], Min, Max), channels last: [N, OH, OW, OC] (node-owned, or in the
    /// node's arena slot in a channels-last stack).</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true: the node exists for inference only.</exception>
    /// <exception cref="ArgumentException">Wrong number of inputs, or shapes that do not fit.</exception>
    public override IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (training) throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");
        CheckCount(inputs, HasResidual ? 2 : 1, "inputs");
        var x = inputs[0];
        int c = Conv.InChannels, oc = Conv.OutChannels;
        string layout = ReadsChannelsFirst ? $"[N, {c}, H, W]" : $"[N, H, W, {c}]";
        if (x.Rank != 4 || x.Dim(ReadsChannelsFirst ? 1 : 3) != c) throw LayerHelpers.ShapeError(ToString(), layout, x.Shape);
        int n = x.Dim(0), h = x.Dim(ReadsChannelsFirst ? 2 : 1), w = x.Dim(ReadsChannelsFirst ? 3 : 2);
        Conv2dGeometry g;
        try
        {
            g = Conv.Geometry(h, w);
        }
        catch (ArgumentException e)
        {
            throw LayerHelpers.ShapeError(ToString(), $"{layout} no smaller than the dilated kernel ({e.Message})", x.Shape);
        }
        var y = _seat.Output(ref _y, false, n, g.OutH, g.OutW, oc);
        Tensor? r = HasResidual ? inputs[1] : null;
        if (r is not null && !r.SameShape(y))
            throw new ArgumentException($"{this}: the residual is {Tensor.ShapeString(r.Shape)}; the output is {Tensor.ShapeString(y.Shape)}.", nameof(inputs));
        _output[0] = y;
        if (n == 0) return _output;
        int threads = Threading.MaxDegreeOfParallelism;
        if (IsDepthwise) Depthwise(x.Data, n, g, y.Data, threads);
        else if (_entryWeights is not null) EntryConvNhwc.Forward(x.Data, n, g, _entryWeights, oc, _bias, Min, Max, y.Data, threads);
        else if (ReadsChannelsFirst) Entry(x.Data, n, g, y.Data, threads);
        else Pointwise(x.Data, n * h * w, r is null ? default : r.Span, y.Data, threads);
        return _output;
    }

    /// <summary>A depthwise layer on x [batch, H, W, C] (geometry <paramref name="g"/>) into y [batch, OH, OW, C].</summary>
    internal void Depthwise(float[] x, int batch, in Conv2dGeometry g, float[] y, int threads) =>
        DepthwiseConvNhwc.Forward(x, batch, g, _depthwiseWeights!, _bias, Min, Max, y, threads);

    /// <summary>Output rows [<paramref name="oh0"/>, <paramref name="oh1"/>) of image <paramref name="n"/> of a depthwise
    /// layer on x [N, H, W, C], written from the start of <paramref name="y"/>, on the caller's thread.</summary>
    internal void DepthwiseRows(float[] x, int n, in Conv2dGeometry g, int oh0, int oh1, float[] y) =>
        DepthwiseConvNhwc.ForwardRows(x, n, g, _depthwiseWeights!, _bias, Min, Max, oh0, oh1, y);

    /// <summary>A pointwise layer: y[rows, OC] = x[rows, C] · Wᵀ, then + residual (empty: none) + bias (per column) and
    /// the clamp, in the GEMM's epilogue.</summary>
    internal unsafe void Pointwise(ReadOnlySpan<float> x, int rows, ReadOnlySpan<float> residual, Span<float> y, int threads)
    {
        int oc = Conv.OutChannels;
        fixed (float* pBias = _bias, pResidual = residual)
        {
            var epilogue = new GemmEpilogue(pBias, residual.IsEmpty ? null : pResidual, oc, Min, Max, biasPerColumn: true);
            Gemm.Sgemm(threads, false, rows, 1f, x, Conv.InChannels, _packed!, 0f, y, oc, epilogue);
        }
    }

    // Per image: Y[OH·OW, OC] = colᵀ · Wᵀ, col [C·KH·KW, OH·OW] the image itself when the layer is pointwise.
    private unsafe void Entry(float[] x, int n, in Conv2dGeometry g, float[] y, int threads)
    {
        int oc = Conv.OutChannels, positions = g.OutH * g.OutW, image = g.ImageSize;
        bool pointwise = IsPointwise(Conv);
        float[] columns = pointwise ? x : LayerHelpers.Ensure(ref _columns, g.ColumnRows * positions);
        fixed (float* pBias = _bias)
        {
            var epilogue = new GemmEpilogue(pBias, null, 0, Min, Max, biasPerColumn: true);
            for (int i = 0; i < n; i++)
            {
                int offset = pointwise ? i * image : 0;
                if (!pointwise) Im2Col.Unfold(x.AsSpan(i * image, image), g, columns, positions);
                Gemm.Sgemm(threads, true, positions, 1f, columns.AsSpan(offset, g.ColumnRows * positions), positions, _packed!, 0f,
                    y.AsSpan(i * positions * oc, positions * oc), oc, epilogue);
            }
        }
    }

    /// <summary>Always throws: the node exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override IReadOnlyList<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs) =>
        throw new NotSupportedException($"{this} is an inference-only fusion; train the unfused model.");

    /// <inheritdoc/>
    public override string ToString() => _description;
}
