// OnnxTensors: conversion between ONNX TensorProto and Topiary tensors / int64 lists.
//   float32 tensors: read from raw_data (little-endian IEEE 754, row-major) or float_data; written as raw_data.
//   int64 tensors:   read from raw_data (little-endian) or int64_data (used for Reshape shapes); written as raw_data.
// Element counts are checked against dims; a mismatch or an unsupported data type / unread external data
// throws InvalidDataException naming the file and the tensor.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

internal static class OnnxTensors
{
    public static int[] Dims(TensorProto t, string file)
    {
        var dims = new int[t.Dims.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            long d = t.Dims[i];
            if (d < 0 || d > int.MaxValue)
                throw new InvalidDataException($"{file}: tensor '{t.Name}' has invalid dimension {d}.");
            dims[i] = (int)d;
        }
        return dims;
    }

    private static long Count(int[] dims)
    {
        long n = 1;
        foreach (int d in dims) n *= d;
        return n;
    }

    private static void CheckInline(TensorProto t, string file)
    {
        if (OnnxExternalData.IsExternal(t))
            throw new InvalidDataException($"{file}: tensor '{t.Name}' stores its data in an external file that was not read (OnnxExternalData.Load reads it beside the model file).");
    }

    /// <summary>Reads a FLOAT tensor into a Topiary tensor of the same shape (a scalar becomes shape [1]).</summary>
    public static Tensor ToTensor(TensorProto t, string file)
    {
        CheckInline(t, file);
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"{file}: tensor '{t.Name}' has data type {DataTypeName(t.DataType)}; only FLOAT is supported.");
        int[] dims = Dims(t, file);
        long n = Count(dims);
        if (n > Array.MaxLength) throw new InvalidDataException($"{file}: tensor '{t.Name}' is too large ({n} elements).");
        var data = new float[n];
        if (!t.RawData.IsEmpty)
        {
            if (t.RawData.Length != n * 4)
                throw new InvalidDataException($"{file}: tensor '{t.Name}' raw_data has {t.RawData.Length} bytes; shape {Tensor.ShapeString(dims)} needs {n * 4}.");
            var src = t.RawData.Span;
            if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(src).CopyTo(data);
            else for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(i * 4)..]);
        }
        else if (t.FloatData.Count == n) t.FloatData.CopyTo(data, 0);
        else if (n != 0)
            throw new InvalidDataException($"{file}: tensor '{t.Name}' has {t.FloatData.Count} float_data values; shape {Tensor.ShapeString(dims)} needs {n}.");
        return new Tensor(data, dims.Length == 0 ? [1] : dims);
    }

    /// <summary>Reads an INT64 (or INT32) tensor as a flat list.</summary>
    public static long[] ToInt64(TensorProto t, string file)
    {
        CheckInline(t, file);
        int[] dims = Dims(t, file);
        long n = Count(dims);
        return t.DataType switch
        {
            (int)TensorProto.Types.DataType.Int64 => Integers(t, file, n, 8, "INT64", "int64_data", t.Int64Data),
            (int)TensorProto.Types.DataType.Int32 => Integers(t, file, n, 4, "INT32", "int32_data", t.Int32Data.Select(v => (long)v).ToArray()),
            _ => throw new InvalidDataException($"{file}: tensor '{t.Name}' has data type {DataTypeName(t.DataType)}; INT64 expected."),
        };
    }

    // The n integers of t, each `width` bytes little-endian in raw_data, else the typed field (`field`, already widened).
    private static long[] Integers(TensorProto t, string file, long n, int width, string type, string field, IReadOnlyCollection<long> typed)
    {
        if (t.RawData.IsEmpty)
        {
            if (typed.Count != n)
                throw new InvalidDataException($"{file}: tensor '{t.Name}' has {typed.Count} {field} values; {n} expected.");
            return [.. typed];
        }
        if (t.RawData.Length != n * width)
            throw new InvalidDataException($"{file}: tensor '{t.Name}' raw_data has {t.RawData.Length} bytes; {n} {type} values need {n * width}.");
        var result = new long[n];
        var src = t.RawData.Span;
        for (int i = 0; i < result.Length; i++)
            result[i] = width == 8 ? BinaryPrimitives.ReadInt64LittleEndian(src[(i * 8)..]) : BinaryPrimitives.ReadInt32LittleEndian(src[(i * 4)..]);
        return result;
    }

    /// <summary>A FLOAT initializer named <paramref name="name"/> holding <paramref name="values"/> with shape <paramref name="dims"/>.</summary>
    public static TensorProto FromFloats(string name, ReadOnlySpan<float> values, ReadOnlySpan<int> dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        foreach (int d in dims) t.Dims.Add(d);
        var bytes = new byte[values.Length * 4];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(bytes);
        else for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    /// <summary>An INT64 vector initializer named <paramref name="name"/> (raw_data, little-endian).</summary>
    public static TensorProto FromInt64s(string name, IReadOnlyList<long> values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Count);
        var bytes = new byte[values.Count * 8];
        for (int i = 0; i < values.Count; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    public static string DataTypeName(int dataType) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType)
            ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant()
            : dataType.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
