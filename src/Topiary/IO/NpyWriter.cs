// NpyWriter: writes float32 and int64 arrays as NumPy .npy files the way numpy.save does: format version 1.0 (2.0 when
// the header does not fit a 16-bit length), descr '<f4' or '<i8', fortran_order False, the header padded with spaces
// and ended by '\n' so the data starts at a multiple of 64 bytes, then the elements little-endian in C order.
// Files are written atomically (AtomicFile: temp file + rename).
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Topiary.IO;

/// <summary>Writes NumPy <c>.npy</c> files.</summary>
public static class NpyWriter
{
    private const int Alignment = 64;

    /// <summary>Writes <paramref name="values"/> (C order) with <paramref name="shape"/> as a float32 (<c>'&lt;f4'</c>) array, atomically.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the product of <paramref name="shape"/> differs from the number of values.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, ReadOnlySpan<float> values, ReadOnlySpan<int> shape) => AtomicFile.WriteAllBytes(path, ToBytes(values, shape));

    /// <summary>Writes <paramref name="values"/> (C order) with <paramref name="shape"/> as an int64 (<c>'&lt;i8'</c>) array, atomically.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the product of <paramref name="shape"/> differs from the number of values.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, ReadOnlySpan<long> values, ReadOnlySpan<int> shape) => AtomicFile.WriteAllBytes(path, ToBytes(values, shape));

    /// <summary>The bytes of a float32 NPY file holding <paramref name="values"/> with <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the product of <paramref name="shape"/> differs from the number of values.</exception>
    public static byte[] ToBytes(ReadOnlySpan<float> values, ReadOnlySpan<int> shape) => ToBytes(NpyDtype.Float32, values, shape);

    /// <summary>The bytes of an int64 NPY file holding <paramref name="values"/> with <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the product of <paramref name="shape"/> differs from the number of values.</exception>
    public static byte[] ToBytes(ReadOnlySpan<long> values, ReadOnlySpan<int> shape) => ToBytes(NpyDtype.Int64, values, shape);

    // The file for values of an element type of dtype's size: the preamble and header, then each value's bytes
    // little-endian (on a big-endian machine every element's bytes are reversed in place).
    private static byte[] ToBytes<T>(NpyDtype dtype, ReadOnlySpan<T> values, ReadOnlySpan<int> shape) where T : unmanaged
    {
        byte[] file = Frame(dtype, values.Length, shape, out int offset);
        var data = file.AsSpan(offset);
        MemoryMarshal.AsBytes(values).CopyTo(data);
        if (!BitConverter.IsLittleEndian)
        {
            int size = dtype.ItemSize();
            for (int i = 0; i < values.Length; i++) data.Slice(i * size, size).Reverse();
        }
        return file;
    }

    // The whole file with its preamble and header written; dataOffset is where its data goes.
    private static byte[] Frame(NpyDtype dtype, int count, ReadOnlySpan<int> shape, out int dataOffset)
    {
        long product = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Shape(shape)} has a negative dimension.", nameof(shape));
            product *= d;
            if (product > Array.MaxLength) throw new ArgumentException($"Shape {Shape(shape)} holds more than {Array.MaxLength} values.", nameof(shape));
        }
        if (product != count)
            throw new ArgumentException($"Shape {Shape(shape)} holds {product} values, but {count} were given.", nameof(shape));

        string dict = NpyHeader.Format(dtype.Descr(), shape);
        int version = dict.Length + 1 + 10 <= ushort.MaxValue ? 1 : 2;
        int preamble = version == 1 ? 10 : 12;
        int padded = (preamble + dict.Length + 1 + Alignment - 1) / Alignment * Alignment - preamble;
        string header = dict.PadRight(padded - 1) + "\n";
        long total = preamble + (long)padded + (long)count * dtype.ItemSize();
        if (total > Array.MaxLength) throw new ArgumentException($"An NPY file of shape {Shape(shape)} would exceed {Array.MaxLength} bytes.", nameof(shape));

        var file = new byte[total];
        NpyReader.Magic.CopyTo(file);
        file[6] = (byte)version;
        file[7] = 0;
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)padded);
        else BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), (uint)padded);
        Encoding.Latin1.GetBytes(header, file.AsSpan(preamble));
        dataOffset = preamble + padded;
        return file;
    }

    private static string Shape(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + (shape.Length == 1 ? ",)" : ")");
}
