// GemmPacking's panel copies against their definitions, element by element: PackTranspose (dest[p·width + r] =
// src[r·ld + p], zero lanes past `lanes`) over every lane count up to 16 and both of its vector paths (8 rows at a
// time; AVX2's 6-row A panels, whose 8 × 8 blocks overlap the next row), depths around the 8-column blocks (1–17, 33)
// and a leading dimension wider than the depth; PackCopy likewise (its 6-lane path stores 8 floats a step, the next step
// overwriting two: leading dimensions from the width up, depths 1–3, 8, 17). Values are distinct, so a misplaced one shows.
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
            AssertPanel(src, kc, lanes, width, (s, d) => GemmPacking.PackTranspose(s, ld, lanes, kc, d, width), (p, r) => src[r * ld + p]);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PackCopy_copies_each_row_and_zero_lanes(int lanes, int width)
    {
        foreach (int kc in new[] { 1, 2, 3, 8, 17 })
            foreach (int ld in new[] { width, width + 1, width + 5 })
            {
                float[] src = Enumerable.Range(0, kc * ld).Select(i => i + 0.25f).ToArray();
                AssertPanel(src, kc, lanes, width, (s, d) => GemmPacking.PackCopy(s, ld, lanes, kc, d, width), (p, r) => src[p * ld + r]);
            }
    }

    private delegate void Packer(float* src, float* dest);

    // Packs src into a NaN-filled panel and checks every lane of its kc rows, and that nothing was written past it.
    private static void AssertPanel(float[] src, int kc, int lanes, int width, Packer pack, Func<int, int, float> expected)
    {
        float[] dest = Enumerable.Repeat(float.NaN, kc * width + 2).ToArray();
        fixed (float* s = src, d = dest) pack(s, d);
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < width; r++)
                Assert.Equal(r < lanes ? expected(p, r) : 0f, dest[p * width + r]);
        Assert.True(float.IsNaN(dest[kc * width]) && float.IsNaN(dest[kc * width + 1]), $"{lanes} of {width} lanes, kc {kc}: wrote past the panel");
    }
}
