// SparseLinear: a pruned Linear layer at inference, in the frozen copies InferenceGraph makes — y = act(x·Wᵀ + b) with
// the weight stored in the sparse format FormatChooser measures fastest on it at the copy's batch size (csr16 — csr
// past 65,536 inputs —, sell, simd-group, block, or dense when nothing beats it), timed from memory when the whole network's weights exceed the
// last-level cache (InferenceGraph). A layer of more than RowBlockNonZeros stored weights is cut into
// row blocks of at most about that many (multiples of 16 rows), each its own weight, computed in parallel (a batch-1
// product of AlexNet's fc6 — 3.4 M non-zeros — is bound by memory, so two cores stream faster than one). Inference only:
// Backward refuses. The copy is a snapshot; the source layer's later edits are not seen.
using Topiary.Nn;
using Topiary.Runtime.Sparse;
using Topiary.Tensors;

namespace Topiary.Runtime;

/// <summary>A pruned fully connected layer running from a sparse weight (inference only).</summary>
public sealed class SparseLinear : Module
{
    /// <summary>Stored weights per row block, above which a layer is split (blocks run in parallel).</summary>
    internal const int RowBlockNonZeros = 1 << 18;

    private readonly SparseWeight[] _blocks;
    private readonly int[] _rowStart;
    private readonly float[]? _bias;
    private Tensor? _output;
    private float[]? _scratch;

    /// <summary>The layer of <paramref name="linear"/>'s current weights, then max(·, 0) when <paramref name="relu"/>.</summary>
    /// <param name="linear">The source layer.</param>
    /// <param name="relu">Fuse a following ReLU.</param>
    /// <param name="batch">Batch size the formats are timed at.</param>
    /// <param name="measureSeconds">Timing budget per block for the format choice.</param>
    /// <param name="weightsFromMemory">Time the formats with the weights out of the caches, as a network larger than the
    /// last-level cache runs (<see cref="PlanOptions.WeightsFromMemory"/>).</param>
    public SparseLinear(Linear linear, bool relu, int batch, double measureSeconds = 0.05, bool weightsFromMemory = false)
    {
        ArgumentNullException.ThrowIfNull(linear);
        InFeatures = linear.InFeatures;
        OutFeatures = linear.OutFeatures;
        Relu = relu;
        _bias = linear.Bias is null ? null : (float[])linear.Bias.Value.Data.Clone();
        float[] w = linear.Weight.Value.Data;
        long nnz = 0;
        foreach (float v in w) if (v != 0) nnz++;
        int blocks = (int)Math.Clamp((nnz + RowBlockNonZeros - 1) / RowBlockNonZeros, 1, Math.Max(1, OutFeatures / 16));
        _rowStart = [.. Enumerable.Range(0, blocks + 1).Select(b => Math.Min(OutFeatures, (int)((long)OutFeatures * b / blocks + 15) / 16 * 16))];
        var options = new PlanOptions { Measure = true, MeasureSeconds = measureSeconds, WeightsFromMemory = weightsFromMemory };
        _blocks = [.. Enumerable.Range(0, blocks).Select(b =>
        {
            int r0 = _rowStart[b], rows = _rowStart[b + 1] - r0;
            return FormatChooser.Choose(w.AsSpan(r0 * InFeatures, rows * InFeatures), rows, InFeatures, 0, batch, options, "");
        })];
        NonZeros = nnz;
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>True when a ReLU is fused.</summary>
    public bool Relu { get; }

    /// <summary>Non-zero weights.</summary>
    public long NonZeros { get; }

    /// <summary>The format of each row block.</summary>
    public IReadOnlyList<SparseFormat> Formats => [.. _blocks.Select(b => b.Format)];

    /// <summary>y = act(x·Wᵀ + b) for x [N, in]; returns the layer-owned [N, out].</summary>
    /// <exception cref="NotSupportedException">Training (this layer is inference only).</exception>
    /// <exception cref="ArgumentException">The input is not [N, in].</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (training) throw new NotSupportedException($"{this} is an inference copy; train the source model instead.");
        if (input.Rank != 2 || input.Dim(1) != InFeatures) throw LayerHelpers.ShapeError(ToString(), $"[N, {InFeatures}]", input.Shape, nameof(input));
        int n = input.Dim(0);
        var y = LayerHelpers.Ensure(ref _output, n, OutFeatures);
        float[] x = input.Data, yd = y.Data;
        if (_blocks.Length == 1)
        {
            _blocks[0].Multiply(x, n, yd, _bias, Relu);
            return y;
        }
        // Block b writes rows [r0, r1) of every example: in place at batch 1, else through a scratch [N, rows] per block.
        float[] scratch = n == 1 ? yd : LayerHelpers.Ensure(ref _scratch, n * OutFeatures);
        Threading.For(0, _blocks.Length, b =>
        {
            int r0 = _rowStart[b], rows = _rowStart[b + 1] - r0;
            var bias = _bias is null ? default : _bias.AsSpan(r0, rows);
            _blocks[b].Multiply(x, n, scratch.AsSpan(n * r0, n * rows), bias, Relu);
            if (n > 1)
                for (int i = 0; i < n; i++) scratch.AsSpan(n * r0 + i * rows, rows).CopyTo(yd.AsSpan(i * OutFeatures + r0, rows));
        });
        return y;
    }

    /// <summary>Refuses: inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Backward(Tensor gradOutput) => throw new NotSupportedException($"{this} is an inference copy; it has no backward pass.");

    /// <inheritdoc/>
    public override string ToString() =>
        $"SparseLinear({InFeatures}, {OutFeatures}, {string.Join("/", Formats.Distinct().Select(f => f.ToName()))}, " +
        $"density={(double)NonZeros / ((long)InFeatures * OutFeatures):P1}{(Relu ? ", relu" : "")})";
}
