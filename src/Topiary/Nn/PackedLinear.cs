// PackedLinear: an inference-only copy of a dense Linear layer whose weights are laid out for batch-1 products
// (written by InferenceGraph.Fuse, as ONNX Runtime pre-packs constant weights). A batch-1 Linear reads its whole
// weight matrix once per call — a classifier's 1280 × 1000 floats are 5 MB, out of cache by the time the layer runs —
// and four rows at a time (DotRows4: each 16-float chunk of x is loaded once for four rows) it reads four streams of
// one row's length each; interleaved here in groups of four rows, chunk by chunk ([group][chunk][row][16]), the same
// products read one sequential stream (cold, 1280 × 1000: 218 µs against 292–316 µs on this project's host).
// Per output the operations are DotRows4's — the chunks fused-multiply-added in order into one vector, its lanes
// summed, the last k mod 16 products added one by one, then the bias — so the results are the Linear's bits; the
// last n mod 4 rows, and batches of more than one row, run the Linear itself. Large products split their groups of
// rows between the threads, as the Linear's GEMV does.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>A dense Linear layer with its weights pre-packed for batch-1 inference.</summary>
public sealed class PackedLinear : Module
{
    private const int Rows = 4, Chunk = 16;
    private readonly float[] _packed;
    private Tensor? _output;

    /// <summary>The packed form of <paramref name="linear"/> (its weights are copied: later edits are not seen).</summary>
    public PackedLinear(Linear linear)
    {
        Linear = Guard.NotNull(linear);
        int k = linear.InFeatures, chunks = k / Chunk, groups = linear.OutFeatures / Rows;
        float[] w = linear.Weight.Value.Data;
        _packed = new float[groups * chunks * Rows * Chunk];
        for (int g = 0; g < groups; g++)
            for (int c = 0; c < chunks; c++)
                for (int r = 0; r < Rows; r++)
                    Array.Copy(w, (g * Rows + r) * k + c * Chunk, _packed, ((g * chunks + c) * Rows + r) * Chunk, Chunk);
    }

    /// <summary>The layer (used as is for batches of more than one row, and for the last rows of a batch-1 product).</summary>
    public Linear Linear { get; }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> NamedChildren() => [("linear", Linear)];

    /// <summary>y = x·Wᵀ + b for x [N, in]; a batch of one reads the packed weights.</summary>
    /// <exception cref="NotSupportedException"><paramref name="training"/> is true: the layer exists for inference only.</exception>
    /// <exception cref="ArgumentException">The input is not [N, in].</exception>
    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (training) throw new NotSupportedException($"{this} is an inference-only copy; train the Linear layer.");
        int k = Linear.InFeatures, n = Linear.OutFeatures;
        if (input.Rank != 2 || input.Dim(1) != k || input.Dim(0) != 1 || !Vector512.IsHardwareAccelerated || k < Chunk)
            return Linear.Forward(input, false);
        var y = LayerHelpers.Ensure(ref _output, 1, n);
        int groups = n / Rows, threads = Threading.MaxDegreeOfParallelism;
        float[] x = input.Data, ys = y.Data;
        // Large products on every thread (as the Linear's GEMV), in contiguous ranges of groups: each row's arithmetic
        // is the same whichever thread does it.
        if (threads > 1 && (long)n * k >= Gemm.GemvParallelThreshold && n >= 64)
            Threading.For(0, threads, threads, t => Dot(x, ys, groups * t / threads, groups * (t + 1) / threads));
        else
            Dot(x, ys, 0, groups);
        int done = groups * Rows;
        // The last n mod 4 rows by the Linear's own GEMV (one dot product each).
        if (done < n) Gemm.GemvRows(n - done, k, 1f, x.AsSpan(0, k), Linear.Weight.Value.Data.AsSpan(done * k), k, 0f, ys.AsSpan(done, n - done));
        if (Linear.Bias is { } bias) TensorPrimitives.Add(y.Data, bias.Value.Data, y.Data);
        return y;
    }

    // Groups [g0, g1) of four rows over the packed chunks, then each row's tail.
    private void Dot(float[] xs, float[] y, int g0, int g1)
    {
        int k = Linear.InFeatures, chunks = k / Chunk, full = chunks * Chunk;
        float[] w = Linear.Weight.Value.Data;
        ref float x = ref xs[0];
        ref float p = ref _packed[g0 * chunks * Rows * Chunk];
        for (int g = g0; g < g1; g++)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int c = 0; c < chunks; c++)
            {
                var xv = Vector512.LoadUnsafe(ref x, (nuint)(c * Chunk));
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, 0), xv, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, 16), xv, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, 32), xv, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, 48), xv, s3);
                p = ref Unsafe.Add(ref p, Rows * Chunk);
            }
            int j = g * Rows;
            y[j] = Tail(Vector512.Sum(s0), w, j, full, k, ref x);
            y[j + 1] = Tail(Vector512.Sum(s1), w, j + 1, full, k, ref x);
            y[j + 2] = Tail(Vector512.Sum(s2), w, j + 2, full, k, ref x);
            y[j + 3] = Tail(Vector512.Sum(s3), w, j + 3, full, k, ref x);
        }
    }

    // d + the products of row j's last k − full weights, one at a time (DotRows4's tail).
    private static float Tail(float d, float[] w, int j, int full, int k, ref float x)
    {
        for (int q = full; q < k; q++) d += w[j * k + q] * Unsafe.Add(ref x, q);
        return d;
    }

    /// <summary>Always throws: the layer exists for inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Backward(Tensor gradOutput) =>
        throw new NotSupportedException($"{this} is an inference-only copy; train the Linear layer.");

    /// <inheritdoc/>
    public override string ToString() => $"Packed({Linear})";
}
