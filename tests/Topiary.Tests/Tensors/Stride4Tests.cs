// Stride4.Gather against its scalar twin (the definition) over every length up to 70 and every source length it
// accepts, so each vector width's main loop and tail are crossed; NaN and signed zeros travel bit for bit.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public class Stride4Tests
{
    [Fact]
    public void Gather_equals_the_scalar_twin_at_every_length()
    {
        var rng = new Random(4);
        var source = Enumerable.Range(0, 300).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        source[3 + 7 * 4] = float.NaN; // gathered: the span below starts at 3
        source[3 + 9 * 4] = -0f;
        for (int n = 0; n <= 70; n++)
        {
            for (int length = Math.Max(0, 4 * n - 3); length <= 4 * n + 1; length++)
            {
                var src = source.AsSpan(3, length); // an odd start: no alignment assumed
                var expected = new float[n];
                var actual = new float[n];
                Stride4.GatherScalar(src, expected);
                Stride4.Gather(src, actual);
                for (int i = 0; i < n; i++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
            }
        }
    }

    [Fact]
    public void Gather_refuses_a_source_too_short()
    {
        var e = Assert.Throws<ArgumentException>(() => Stride4.Gather(new float[8], new float[3]));
        Assert.Contains("needs 9 source values", e.Message, StringComparison.Ordinal);
    }
}
