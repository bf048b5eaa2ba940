// Stride2.Gather and Stride4.Gather against their scalar twins (the definition) over every length up to 70 and every
// source length they accept, so each vector width's main loop and tail are crossed; NaN and signed zeros travel bit
// for bit; a source too short is refused.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class StrideGatherTests
{
    private delegate void GatherFn(ReadOnlySpan<float> src, Span<float> dst);

    private static (GatherFn Vector, GatherFn Scalar) Of(int stride) =>
        stride == 2 ? (Stride2.Gather, Stride2.GatherScalar) : (Stride4.Gather, Stride4.GatherScalar);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Gather_equals_the_scalar_twin_at_every_length(int stride)
    {
        var (gather, scalar) = Of(stride);
        var rng = new Random(stride);
        var source = Enumerable.Range(0, 300).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        source[1 + 7 * stride] = float.NaN; // gathered: the span below starts at 1
        source[1 + 9 * stride] = -0f;
        for (int n = 0; n <= 70; n++)
        {
            for (int length = Math.Max(0, stride * n - stride + 1); length <= stride * n + 1; length++)
            {
                var src = source.AsSpan(1, length); // an odd start: no alignment assumed
                var expected = new float[n];
                var actual = new float[n];
                scalar(src, expected);
                gather(src, actual);
                for (int i = 0; i < n; i++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
            }
        }
    }

    [Theory]
    [InlineData(2, "needs 5 source values")]
    [InlineData(4, "needs 9 source values")]
    public void Gather_refuses_a_source_too_short(int stride, string message)
    {
        var (gather, _) = Of(stride);
        var e = Assert.Throws<ArgumentException>(() => gather(new float[stride * 2], new float[3]));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
