// NpyArray: what NpyReader returns — the shape, the dtype as the file declared it (descr string, format version),
// and the values in row-major (C) order as float32 for the model; int64 arrays also keep their exact values.
namespace Topiary.IO;

/// <summary>An array read from an NPY file.</summary>
public sealed class NpyArray
{
    internal NpyArray(string source, int version, string descr, NpyDtype dtype, int[] shape, float[] values, long[]? int64Values)
    {
        Source = source;
        Version = version;
        Descr = descr;
        Dtype = dtype;
        _shape = shape;
        Values = values;
        Int64Values = int64Values;
    }

    private readonly int[] _shape;

    /// <summary>The file (or description) the array came from, used in error messages.</summary>
    public string Source { get; }

    /// <summary>The format's major version: 1, 2 or 3.</summary>
    public int Version { get; }

    /// <summary>The header's <c>'descr'</c> exactly as written (e.g. <c>'&gt;f8'</c>).</summary>
    public string Descr { get; }

    /// <summary>The element type the file stores.</summary>
    public NpyDtype Dtype { get; }

    /// <summary>The header's <c>'shape'</c>, outermost first; empty for a 0-dimensional (scalar) array.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Rank (number of dimensions).</summary>
    public int Rank => _shape.Length;

    /// <summary>
    /// The elements in C order as float32: exact for float32 and uint8, rounded to nearest for float64, and for int64
    /// values beyond ±2^24 (use <see cref="Int64Values"/> for those).
    /// </summary>
    public float[] Values { get; }

    /// <summary>The exact elements of an int64 array; null for the other dtypes.</summary>
    public long[]? Int64Values { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public int Count => Values.Length;
}
