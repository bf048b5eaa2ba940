// LayerHelpers: the small shared machinery of the layers — reusable output/gradient buffers and kept input shapes, the
// one shape-error format ("<layer>: expected input shape [..], got [..]"), the "Backward needs a
// training-mode Forward" guard (BeginBackward), and column-chunked GEMMs spread over Threading.For.
// Chunk boundaries depend only on the shapes (never on the thread count), so results are identical
// whatever the scheduling or Threading.MaxDegreeOfParallelism.
using Topiary.Tensors;

namespace Topiary.Nn;

internal static class LayerHelpers
{
    /// <summary>Returns <paramref name="buffer"/> when it already has <paramref name="shape"/>; otherwise allocates a new zeroed tensor there.</summary>
    public static Tensor Ensure(ref Tensor? buffer, params ReadOnlySpan<int> shape)
    {
        if (buffer is not null && buffer.Shape.SequenceEqual(shape)) return buffer;
        buffer = new Tensor(shape.ToArray());
        return buffer;
    }

    /// <summary>Returns an array of at least <paramref name="length"/> elements, reusing <paramref name="buffer"/> when it is exactly that long.</summary>
    public static T[] Ensure<T>(ref T[]? buffer, int length)
    {
        if (buffer is not null && buffer.Length == length) return buffer;
        buffer = new T[length];
        return buffer;
    }

    /// <summary>Sets <paramref name="kept"/> to a copy of <paramref name="shape"/> unless it already holds that shape (no allocation then).</summary>
    public static void KeepShape(ref int[]? kept, ReadOnlySpan<int> shape)
    {
        if (kept is null || !shape.SequenceEqual(kept)) kept = shape.ToArray();
    }

    /// <summary>The standard shape error: "<paramref name="layer"/>: expected input shape E, got A."</summary>
    public static ArgumentException ShapeError(string layer, string expected, ReadOnlySpan<int> actual, string parameterName = "input") =>
        new($"{layer}: expected input shape {expected}, got {Tensor.ShapeString(actual)}.", parameterName);

    /// <summary>Throws when a layer's Backward is called without a preceding training-mode Forward.</summary>
    public static void RequireForward(bool ready, object layer)
    {
        if (!ready)
            throw new InvalidOperationException(
                $"{layer}: Backward requires a preceding training-mode Forward (each Forward(training: true) allows one Backward).");
    }

    /// <summary>Throws unless <paramref name="gradOutput"/> has the shape of the last output.</summary>
    public static void CheckGradShape(object layer, Tensor gradOutput, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (!gradOutput.SameShape(output))
            throw new ArgumentException(
                $"{layer}: expected gradOutput shape {Tensor.ShapeString(output.Shape)}, got {Tensor.ShapeString(gradOutput.Shape)}.",
                nameof(gradOutput));
    }

    /// <summary>
    /// The start of every layer's Backward: throws unless a training-mode Forward came first (<paramref name="ready"/>)
    /// and <paramref name="gradOutput"/> has the shape of <paramref name="output"/>, then clears
    /// <paramref name="ready"/> (each training-mode Forward allows one Backward).
    /// </summary>
    /// <remarks><paramref name="layer"/> names the layer in the messages (its ToString(), taken only when one is thrown: a
    /// Residual's or a Sequential's name spells out the whole block, and building it on every step allocated for nothing).</remarks>
    /// <exception cref="InvalidOperationException">No preceding training-mode Forward.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradOutput"/> does not have the output shape.</exception>
    public static void BeginBackward(ref bool ready, object layer, Tensor gradOutput, Tensor output)
    {
        RequireForward(ready, layer);
        CheckGradShape(layer, gradOutput, output);
        ready = false;
    }

    /// <summary>The local parameters of a layer with a weight and an optional bias (Linear, Conv2d): <c>weight</c>, then <c>bias</c> when present.</summary>
    public static IEnumerable<(string Name, Parameter Parameter)> WeightAndBias(Parameter weight, Parameter? bias) =>
        bias is null ? [("weight", weight)] : [("weight", weight), ("bias", bias)];

    /// <summary>Formats the trailing dimensions of an expected shape, e.g. "[N, 3, H, W]".</summary>
    public static string Expected(params string[] dims) => "[" + string.Join(", ", dims) + "]";

    /// <summary>
    /// A single-threaded GEMM, for callers that already run in parallel chunks (nesting Gemm's own
    /// parallel loop inside Threading.For would oversubscribe the cores). Same contract as <see cref="Gemm.Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.
    /// </summary>
    public static void SgemmSerial(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Gemm.Sgemm(GemmTiers.Best, 1, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
