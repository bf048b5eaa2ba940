// OnnxConstant: a tensor the importer knows at import time — an initializer, a Constant node, or anything computed
// from them and from static shapes (constant folding). Values are held as doubles whatever the ONNX element type
// (int64 values beyond 2^53 only occur as "to the end" sentinels, which saturate correctly), with the ONNX data type
// kept for Cast and for telling weights from shape lists. Shape lists computed from activations (Shape of a tensor
// whose first axis is the batch) mark the entries that stand for the batch size: Batch where an entry IS the batch size,
// Unknown where it was computed from it; a Reshape can only use those as "copy the batch axis".
using System.Buffers.Binary;
using Topiary.Onnx.Proto;
using Topiary.Tensors;
using DT = Topiary.Onnx.Proto.TensorProto.Types.DataType;

namespace Topiary.Onnx;

/// <summary>What an entry of a folded shape list stands for.</summary>
internal enum DimMark : byte
{
    /// <summary>A number known at import.</summary>
    Known = 0,

    /// <summary>The batch size (dynamic).</summary>
    Batch = 1,

    /// <summary>Computed from the batch size; not known at import.</summary>
    Unknown = 2,
}

internal sealed class OnnxConstant
{
    private double[]? _data;
    private readonly float[]? _floats;

    public OnnxConstant(int dataType, int[] shape, double[] data, DimMark[]? marks = null)
    {
        DataType = dataType;
        Shape = shape;
        _data = data;
        Marks = marks is not null && marks.Any(m => m != DimMark.Known) ? marks : null;
    }

    // A FLOAT tensor kept as floats (weights are most of a file; doubles would double the import's memory).
    private OnnxConstant(int[] shape, float[] floats)
    {
        DataType = (int)DT.Float;
        Shape = shape;
        _floats = floats;
    }

    /// <summary>The ONNX element type (TensorProto.DataType).</summary>
    public int DataType { get; }

    public int[] Shape { get; }

    /// <summary>The values as doubles (computed on first use for FLOAT tensors read from the file).</summary>
    public double[] Data => _data ??= _floats!.Select(v => (double)v).ToArray();

    /// <summary>Per-entry marks (null when every entry is known).</summary>
    public DimMark[]? Marks { get; }

    public int Length => _floats?.Length ?? _data!.Length;

    public bool IsFloat => DataType is (int)DT.Float or (int)DT.Double
        or (int)DT.Float16 or (int)DT.Bfloat16;

    public DimMark Mark(int i) => Marks?[i] ?? DimMark.Known;

    /// <summary>A float32 Topiary tensor of the same shape (a scalar keeps rank 0).</summary>
    public Tensor ToTensor()
    {
        if (_floats is not null) return new Tensor(_floats, Shape); // shares the array: constants are never written to
        var t = new Tensor(Shape);
        for (int i = 0; i < Data.Length; i++) t.Data[i] = (float)Data[i];
        return t;
    }

    /// <summary>The values as int64s; throws when an entry depends on the batch size.</summary>
    public long[] ToInt64s(Func<string, Exception> unsupported, string what)
    {
        if (Marks is not null) throw unsupported($"{what} depends on the batch size, which is only known when the model runs");
        var r = new long[Data.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ToLong(Data[i]);
        return r;
    }

    public static long ToLong(double v) => v >= long.MaxValue ? long.MaxValue : v <= long.MinValue ? long.MinValue : (long)v;

    public static OnnxConstant FromTensor(Tensor t) => new((int)DT.Float, t.Shape.ToArray(), t.Data.Select(v => (double)v).ToArray());

    public static OnnxConstant Int64(int[] shape, IEnumerable<long> values, DimMark[]? marks = null) =>
        new((int)DT.Int64, shape, values.Select(v => (double)v).ToArray(), marks);

    /// <summary>Reads a TensorProto of any numeric or boolean type.</summary>
    /// <exception cref="InvalidDataException">Malformed tensor (counts, external data).</exception>
    /// <exception cref="NotSupportedException">String or complex tensors.</exception>
    public static OnnxConstant FromProto(TensorProto t, string file)
    {
        if (OnnxExternalData.IsExternal(t))
            throw new InvalidDataException($"{file}: tensor '{t.Name}' stores its data in an external file that was not read (OnnxExternalData.Load reads it beside the model file).");
        int[] dims = OnnxTensors.Dims(t, file);
        long n = 1;
        foreach (int d in dims) n = Math.Min(n * d, long.MaxValue / 2);
        if (n > Array.MaxLength) throw new InvalidDataException($"{file}: tensor '{t.Name}' is too large ({n} elements).");
        var type = (DT)t.DataType;
        int size = type switch
        {
            DT.Float or DT.Int32 or DT.Uint32 => 4,
            DT.Double or DT.Int64 or DT.Uint64 => 8,
            DT.Int16 or DT.Uint16 or DT.Float16 or DT.Bfloat16 => 2,
            DT.Int8 or DT.Uint8 or DT.Bool => 1,
            _ => throw new NotSupportedException($"{file}: tensor '{t.Name}' has data type {OnnxTensors.DataTypeName(t.DataType)}; numeric and boolean tensors are supported."),
        };
        if (type == DT.Float)
        {
            var floats = new float[n];
            if (!t.RawData.IsEmpty)
            {
                if (t.RawData.Length != n * 4)
                    throw new InvalidDataException($"{file}: tensor '{t.Name}' raw_data has {t.RawData.Length} bytes; shape {Tensor.ShapeString(dims)} of FLOAT needs {n * 4}.");
                if (BitConverter.IsLittleEndian) System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).CopyTo(floats);
                else for (int i = 0; i < floats.Length; i++) floats[i] = BinaryPrimitives.ReadSingleLittleEndian(t.RawData.Span[(i * 4)..]);
            }
            else if (t.FloatData.Count == n) t.FloatData.CopyTo(floats, 0);
            else throw new InvalidDataException($"{file}: tensor '{t.Name}' holds {t.FloatData.Count} values; shape {Tensor.ShapeString(dims)} needs {n}.");
            return new OnnxConstant(dims, floats);
        }
        var data = new double[n];
        if (!t.RawData.IsEmpty)
        {
            if (t.RawData.Length != n * size)
                throw new InvalidDataException($"{file}: tensor '{t.Name}' raw_data has {t.RawData.Length} bytes; shape {Tensor.ShapeString(dims)} of {OnnxTensors.DataTypeName(t.DataType)} needs {n * size}.");
            var s = t.RawData.Span;
            for (int i = 0; i < data.Length; i++)
            {
                var b = s.Slice(i * size, size);
                data[i] = type switch
                {
                    DT.Float => BinaryPrimitives.ReadSingleLittleEndian(b),
                    DT.Double => BinaryPrimitives.ReadDoubleLittleEndian(b),
                    DT.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                    DT.Uint64 => BinaryPrimitives.ReadUInt64LittleEndian(b),
                    DT.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                    DT.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
                    DT.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
                    DT.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
                    DT.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
                    DT.Bfloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
                    DT.Int8 => (sbyte)b[0],
                    _ => b[0],
                };
            }
        }
        else
        {
            IReadOnlyList<double> values = type switch
            {
                DT.Float => t.FloatData.Select(v => (double)v).ToArray(),
                DT.Double => t.DoubleData.ToArray(),
                DT.Int64 => t.Int64Data.Select(v => (double)v).ToArray(),
                DT.Uint64 or DT.Uint32 => throw new NotSupportedException($"{file}: tensor '{t.Name}' stores {OnnxTensors.DataTypeName(t.DataType)} values in uint64_data, which is not supported (use raw_data)."),
                DT.Float16 => t.Int32Data.Select(v => (double)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(),
                DT.Bfloat16 => t.Int32Data.Select(v => (double)BitConverter.Int32BitsToSingle(v << 16)).ToArray(),
                _ => t.Int32Data.Select(v => (double)v).ToArray(),
            };
            if (values.Count != n)
                throw new InvalidDataException($"{file}: tensor '{t.Name}' holds {values.Count} values; shape {Tensor.ShapeString(dims)} needs {n}.");
            for (int i = 0; i < data.Length; i++) data[i] = values[i];
        }
        return new OnnxConstant(t.DataType, dims, data);
    }
}
