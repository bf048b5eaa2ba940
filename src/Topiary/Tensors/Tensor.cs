// Tensor: a float32, contiguous, row-major array with an explicit, checked shape.
// Images are NCHW. There is no broadcasting: operations check shapes and throw.
using System.Runtime.CompilerServices;

namespace Topiary.Tensors;

/// <summary>
/// A dense float32 tensor stored contiguously in row-major order.
/// <see cref="Reshape"/> returns a view that shares storage; everything else copies.
/// </summary>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>The backing array: its first <see cref="Length"/> elements are the tensor's. It is longer only for an
    /// <see cref="Nn.ActivationArena"/>'s views (inference stacks that share storage between activations).</summary>
    public float[] Data { get; }

    /// <summary>The shape (outermost dimension first).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements (product of the shape).</summary>
    public int Length { get; }

    /// <summary>The elements as a span.</summary>
    public Span<float> Span => Data.AsSpan(0, Length);

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the element count overflows.</exception>
    public Tensor(params int[] shape)
    {
        _shape = (int[])shape.Clone();
        Data = new float[CheckedCount(_shape)];
        Length = Data.Length;
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) with the given shape.</summary>
    /// <exception cref="ArgumentException">The data length does not equal the product of the shape.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        _shape = (int[])shape.Clone();
        long count = CheckedCount(_shape);
        if (count != data.Length)
            throw new ArgumentException($"Data length {data.Length} does not match shape {ShapeString(shape)} ({count} elements).", nameof(data));
        Data = data;
        Length = data.Length;
    }

    // A view of the first elements of a longer array (ActivationArena).
    private Tensor(int[] shape, float[] data)
    {
        _shape = (int[])shape.Clone();
        long count = CheckedCount(_shape);
        if (count > data.Length)
            throw new ArgumentException($"Data length {data.Length} is shorter than shape {ShapeString(shape)} ({count} elements).", nameof(data));
        Data = data;
        Length = (int)count;
    }

    /// <summary>A tensor of <paramref name="shape"/> over the first elements of <paramref name="data"/>, which may be longer.</summary>
    /// <exception cref="ArgumentException">The data is shorter than the shape.</exception>
    internal static Tensor View(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Tensor(shape, data);
    }

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis)
    {
        if (axis < 0) axis += _shape.Length;
        if ((uint)axis >= (uint)_shape.Length)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a rank-{_shape.Length} tensor.");
        return _shape[axis];
    }

    /// <summary>Element access by flat index.</summary>
    public float this[int index]
    {
        get => Data[index];
        set => Data[index] = value;
    }

    /// <summary>Element access for rank-2 tensors.</summary>
    public float this[int i, int j]
    {
        get => Data[i * _shape[1] + j];
        set => Data[i * _shape[1] + j] = value;
    }

    /// <summary>A view with a new shape over the same storage. One dimension may be -1 (inferred).</summary>
    /// <exception cref="ArgumentException">The element count differs.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Tensor Reshape(params int[] shape)
    {
        var s = (int[])shape.Clone();
        int infer = Array.IndexOf(s, -1);
        if (infer >= 0)
        {
            long rest = 1;
            for (int i = 0; i < s.Length; i++) if (i != infer) rest *= s[i];
            if (rest == 0 || Length % rest != 0)
                throw new ArgumentException($"Cannot reshape {ShapeString(_shape)} into {ShapeString(shape)}.", nameof(shape));
            s[infer] = (int)(Length / rest);
        }
        return Length == Data.Length ? new Tensor(Data, s) : View(Data, s);
    }

    /// <summary>True when the shapes are identical.</summary>
    public bool SameShape(Tensor other) => Shape.SequenceEqual(other.Shape);

    /// <summary>Throws <see cref="ArgumentException"/> unless this tensor has exactly the given shape.</summary>
    public void CheckShape(string what, params int[] expected)
    {
        if (!Shape.SequenceEqual(expected))
            throw new ArgumentException($"{what}: expected shape {ShapeString(expected)}, got {ShapeString(_shape)}.");
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless this tensor has rank <paramref name="rank"/>.</summary>
    public void CheckRank(string what, int rank)
    {
        if (_shape.Length != rank)
            throw new ArgumentException($"{what}: expected a rank-{rank} tensor, got shape {ShapeString(_shape)}.");
    }

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new(Data.AsSpan(0, Length).ToArray(), _shape);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>Copies the elements of <paramref name="source"/> (same shape) into this tensor.</summary>
    public void CopyFrom(Tensor source)
    {
        if (!SameShape(source))
            throw new ArgumentException($"Cannot copy {ShapeString(source._shape)} into {ShapeString(_shape)}.", nameof(source));
        source.Span.CopyTo(Span);
    }

    /// <summary>this += other (same shape).</summary>
    public void AddInPlace(Tensor other)
    {
        if (!SameShape(other))
            throw new ArgumentException($"Cannot add {ShapeString(other._shape)} to {ShapeString(_shape)}.", nameof(other));
        TensorPrimitives.Add(Span, other.Span, Span);
    }

    /// <summary>this *= factor.</summary>
    public void ScaleInPlace(float factor) => TensorPrimitives.Multiply(Span, factor, Span);

    /// <summary>A tensor with the given shape filled with N(0, std²) draws from <paramref name="random"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor RandomNormal(Random random, float std, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(NextGaussian(random) * std);
        return t;
    }

    /// <summary>A tensor with the given shape filled with U(-limit, limit) draws.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor RandomUniform(Random random, float limit, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)((random.NextDouble() * 2 - 1) * limit);
        return t;
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double NextGaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Formats a shape as <c>[a, b, c]</c>.</summary>
    public static string ShapeString(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{ShapeString(_shape)}";

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static int CheckedCount(int[] shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension in shape {ShapeString(shape)}.", nameof(shape));
            count *= d;
            if (count > Array.MaxLength) throw new ArgumentException($"Shape {ShapeString(shape)} has too many elements.", nameof(shape));
        }
        return (int)count;
    }
}
