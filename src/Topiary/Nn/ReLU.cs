// ReLU: y = max(x, 0), element-wise, any shape (PyTorch nn.ReLU).
//   Backward: dx = dy where y > 0, else 0 (the gradient at exactly 0 is 0, as in PyTorch).
// Not in place: the output is a layer-owned buffer (the input may still be needed by the layer before).
// The driver (buffers, guards) is PointwiseActivation; this file holds the math. Long tensors (a ResNet's
// [64, 16, 28, 28] activations) run in fixed 32K-element chunks on Threading.For: element-wise, so the result is the
// same for any thread count.
using System.Numerics;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Rectified linear unit y = max(x, 0).</summary>
/// <remarks>Forward: y = max(x, 0). Backward: dx = dy·[y &gt; 0].</remarks>
public sealed class ReLU : PointwiseActivation
{
    private const int Chunk = 1 << 15;

    private protected override unsafe void ForwardKernel(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        if (n <= 2 * Chunk || Threading.MaxDegreeOfParallelism == 1)
        {
            TensorPrimitives.Max(x, 0f, y);
            return;
        }
        fixed (float* px0 = x, py0 = y)
        {
            float* px = px0, py = py0; // fixed locals cannot be captured
            Threading.For(0, (n + Chunk - 1) / Chunk, i =>
            {
                int start = i * Chunk, count = Math.Min(Chunk, n - start);
                TensorPrimitives.Max(new ReadOnlySpan<float>(px + start, count), 0f, new Span<float>(py + start, count));
            });
        }
    }

    private protected override void BackwardKernel(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Gradient(y, dy, dx);

    /// <summary>dx = y &gt; 0 ? dy : 0 element-wise, from the ReLU's output y (also for layers that fuse a ReLU).</summary>
    internal static unsafe void Gradient(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = y.Length;
        if (n <= 2 * Chunk || Threading.MaxDegreeOfParallelism == 1)
        {
            PointwiseMap.Map(y, dy, dx, default(PositiveMask));
            return;
        }
        fixed (float* py0 = y, pg0 = dy, pd0 = dx)
        {
            float* py = py0, pg = pg0, pd = pd0;
            Threading.For(0, (n + Chunk - 1) / Chunk, i =>
            {
                int start = i * Chunk, count = Math.Min(Chunk, n - start);
                PointwiseMap.Map(new ReadOnlySpan<float>(py + start, count), new ReadOnlySpan<float>(pg + start, count),
                    new Span<float>(pd + start, count), default(PositiveMask));
            });
        }
    }

    /// <inheritdoc/>
    public override string ToString() => "ReLU()";

    // (y, dy) → y > 0 ? dy : 0
    private readonly struct PositiveMask : IBinaryPointwiseOperator
    {
        public float Invoke(float y, float dy) => y > 0 ? dy : 0f;

        public Vector<float> Invoke(Vector<float> y, Vector<float> dy) =>
            Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero), dy, Vector<float>.Zero);
    }
}
