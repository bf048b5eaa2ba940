// ConvScratch: the im2col columns and the transposed GEMM output of Conv2d, shared by every convolution that runs on
// the same calling thread instead of owned by each layer. A layer uses them only inside one Forward or Backward call
// (Backward unfolds its kept input again), so per-layer copies sized for the largest batch — gigabytes for a ResNet
// evaluated at batch 500 — are never needed. Buffers only grow; one pair per thread that calls Forward/Backward.
using Topiary.Tensors;

namespace Topiary.Nn;

internal static class ConvScratch
{
    [ThreadStatic] private static float[]? t_columns;
    [ThreadStatic] private static float[]? t_transposed;

    /// <summary>This thread's column buffer, at least <paramref name="length"/> long.</summary>
    public static float[] Columns(long length) => ScratchArray.Grow(ref t_columns, length, "Conv2d");

    /// <summary>This thread's transposed-output buffer, at least <paramref name="length"/> long.</summary>
    public static float[] Transposed(long length) => ScratchArray.Grow(ref t_transposed, length, "Conv2d");
}
