// GemmPacking's panel copies against their definitions, element by element: PackTranspose (dest[p·width + r] =
// src[r·ld + p], zero lanes past `lanes`) over every lane count up to 16 and both of its vector paths (8 rows at a
// time; AVX2's 6-row A panels, whose 8 × 8 blocks overlap the next row), depths around the 8-column blocks (1–17, 33)
// and a leading dimension wider than the depth; PackCopy likewise. Values are distinct, so a misplaced one shows.
using Topiary.Tensors;

namespace Topiary.Tests.Tensors;

public unsafe class GemmPackingTests
{
    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int width in new[] { 4, 6, 8, 16 })
            for (int lanes = 1; lanes <= width; lanes++) data.Add(lanes, width);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PackTranspose_writes_each_row_as_a_column_and_zero_lanes(int lanes, int width)
    {
        foreach (int kc in new[] { 1, 2, 7, 8, 9, 15, 16, 17, 33 })
        {
            int ld = kc + 3;
            float[] src = Enumerable.Range(0, lanes * ld).Select(i => i + 0.5f).ToArray();
            float[] dest = Enumerable.Repeat(float.NaN, kc * width + 2).ToArray();
            fixed (float* s = src, d = dest) GemmPacking.PackTranspose(s, ld, lanes, kc, d, width);
            for (int p = 0; p < kc; p++)
                for (int r = 0; r < width; r++)
                    Assert.Equal(r < lanes ? src[r * ld + p] : 0f, dest[p * width + r]);
            Assert.True(float.IsNaN(dest[kc * width]), $"{lanes} of {width} lanes, kc {kc}: wrote past the panel");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PackCopy_copies_each_row_and_zero_lanes(int lanes, int width)
    {
        foreach (int kc in new[] { 1, 8, 17 })
        {
            int ld = width + 5;
            float[] src = Enumerable.Range(0, kc * ld).Select(i => i + 0.25f).ToArray();
            float[] dest = Enumerable.Repeat(float.NaN, kc * width + 2).ToArray();
            fixed (float* s = src, d = dest) GemmPacking.PackCopy(s, ld, lanes, kc, d, width);
            for (int p = 0; p < kc; p++)
                for (int r = 0; r < width; r++)
                    Assert.Equal(r < lanes ? src[p * ld + r] : 0f, dest[p * width + r]);
            Assert.True(float.IsNaN(dest[kc * width]));
        }
    }
}
