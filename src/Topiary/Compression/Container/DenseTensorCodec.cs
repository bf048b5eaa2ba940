// DenseTensorCodec: payload of a DenseTensor section — rank u8 | dims u32 × rank | float32 × prod(dims).
using Topiary.Tensors;

namespace Topiary.Compression.Container;

/// <summary>Encodes and decodes float32 tensors stored as is.</summary>
public static class DenseTensorCodec
{
    /// <summary>Largest rank accepted.</summary>
    public const int MaxRank = 8;

    /// <summary>The payload for <paramref name="tensor"/>.</summary>
    public static byte[] Encode(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new PayloadWriter().Shape(tensor.Shape).Floats(tensor.Span).ToArray();
    }

    /// <summary>Decodes a payload; <paramref name="where"/> names file and section in errors.</summary>
    /// <exception cref="InvalidDataException">Bad rank, dimensions that do not match the data, truncation or trailing bytes.</exception>
    public static Tensor Decode(ReadOnlySpan<byte> payload, string where)
    {
        var r = new PayloadReader(payload, where);
        var shape = ReadShape(ref r);
        long count = 1;
        foreach (int d in shape) count *= d;
        if (count * 4 != r.Remaining) throw r.Error($"shape {Tensor.ShapeString(shape)} needs {count * 4} bytes of data; the section holds {r.Remaining}");
        var data = r.Floats((int)count, "values");
        r.End();
        return new Tensor(data, shape);
    }

    /// <summary>Reads rank u8 + dims u32; each dimension is bounded by the bytes of the payload (a float per element at least).</summary>
    public static int[] ReadShape(ref PayloadReader r)
    {
        int rank = r.U8("rank");
        if (rank > MaxRank) throw r.Error($"rank {rank} exceeds {MaxRank}");
        var shape = new int[rank];
        long product = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = r.Count($"dimension {i}", int.MaxValue / 4);
            product *= Math.Max(1, shape[i]);
            if (product > int.MaxValue / 4) throw r.Error($"shape has more than {int.MaxValue / 4} elements");
        }
        return shape;
    }

    /// <summary>Reads a shape (see <see cref="ReadShape(ref PayloadReader)"/>) that must equal <paramref name="expected"/>, the architecture's.</summary>
    /// <exception cref="InvalidDataException">A bad shape, or one that differs from <paramref name="expected"/>.</exception>
    public static int[] ReadShape(ref PayloadReader r, ReadOnlySpan<int> expected)
    {
        var shape = ReadShape(ref r);
        if (!shape.AsSpan().SequenceEqual(expected))
            throw r.Error($"shape {Tensor.ShapeString(shape)} does not match the architecture's {Tensor.ShapeString(expected)}");
        return shape;
    }
}
