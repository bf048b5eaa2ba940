// Broadcast: NumPy/ONNX multidirectional broadcasting of two shapes, reduced to rows.
// Shapes are aligned at the right; each output dim is max(a, b) where the other is equal or 1. Size-1 dims are
// dropped and neighbouring dims with the same pattern (each operand full or broadcast) merged, so the work becomes
// `Rows` rows of `Inner` elements: row r reads A at RowOffsetA(r) with stride InnerStrideA (1, or 0 = one value
// repeated) and B likewise. Per-channel constants on NCHW ([1,C,1,1]) give N·C rows of H·W with a scalar B per row.
namespace Topiary.Nn;

/// <summary>The broadcast of two shapes as rows of contiguous output elements.</summary>
internal sealed class Broadcast(int[] outShape, int[] sizes, int[] strideA, int[] strideB, int inner, int innerA, int innerB)
{
    private readonly int[] _sizes = sizes, _strideA = strideA, _strideB = strideB; // merged outer dims (all but the inner one)

    /// <summary>The broadcast output shape.</summary>
    public int[] OutShape { get; } = outShape;

    /// <summary>Number of rows.</summary>
    public int Rows { get; } = (int)sizes.Aggregate(1L, (rows, size) => rows * size);

    /// <summary>Elements per row.</summary>
    public int Inner { get; } = inner;

    /// <summary>1 when A varies along a row, 0 when one A value serves the row.</summary>
    public int InnerStrideA { get; } = innerA;

    /// <summary>1 when B varies along a row, 0 when one B value serves the row.</summary>
    public int InnerStrideB { get; } = innerB;

    /// <summary>The broadcast of <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">A pair of dims differs and neither is 1.</exception>
    public static Broadcast Of(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var outShape = new int[rank];
        var sizes = new List<int>();
        var fullA = new List<bool>();
        var fullB = new List<bool>();
        for (int d = 0; d < rank; d++)
        {
            int da = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int db = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes {Tensors.Tensor.ShapeString(a)} and {Tensors.Tensor.ShapeString(b)} cannot be broadcast (dim {d}: {da} vs {db}).");
            int o = da == 1 ? db : da;
            outShape[d] = o;
            if (o == 1) continue;
            bool fa = da == o, fb = db == o;
            if (sizes.Count > 0 && fullA[^1] == fa && fullB[^1] == fb) sizes[^1] *= o;
            else
            {
                sizes.Add(o);
                fullA.Add(fa);
                fullB.Add(fb);
            }
        }
        if (sizes.Count == 0)
        {
            sizes.Add(1);
            fullA.Add(true);
            fullB.Add(true);
        }
        int k = sizes.Count;
        var sa = new int[k];
        var sb = new int[k];
        int accA = 1, accB = 1;
        for (int d = k - 1; d >= 0; d--)
        {
            sa[d] = fullA[d] ? accA : 0;
            sb[d] = fullB[d] ? accB : 0;
            if (fullA[d]) accA *= sizes[d];
            if (fullB[d]) accB *= sizes[d];
        }
        return new Broadcast(outShape, sizes.Take(k - 1).ToArray(), sa.Take(k - 1).ToArray(), sb.Take(k - 1).ToArray(),
            sizes[k - 1], sa[k - 1], sb[k - 1]);
    }

    /// <summary>Offsets of row <paramref name="row"/> in A and B (element indices).</summary>
    public (int A, int B) RowOffsets(int row)
    {
        int oa = 0, ob = 0;
        for (int d = _sizes.Length - 1; d >= 0 && row > 0; d--)
        {
            int i = row % _sizes[d];
            row /= _sizes[d];
            oa += i * _strideA[d];
            ob += i * _strideB[d];
        }
        return (oa, ob);
    }
}
