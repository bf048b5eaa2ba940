// Builders for small synthetic IDX files and package tarballs used by the Data tests.
using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;

namespace Topiary.Tests.Data;

internal static class IdxTestFiles
{
    /// <summary>IDX bytes: magic 0x0000 dtype rank, big-endian dims, then <paramref name="data"/>.</summary>
    public static byte[] Idx(byte dtype, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = dtype;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    /// <summary>An image file of <paramref name="count"/> images of rows x cols, pixel = (i*7 + k) mod 256.</summary>
    public static byte[] Images(int count, int rows = 28, int cols = 28)
    {
        var data = new byte[count * rows * cols];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 7 + i / (rows * cols));
        return Idx(0x08, [count, rows, cols], data);
    }

    /// <summary>A label file with labels i mod 10.</summary>
    public static byte[] Labels(int count)
    {
        var data = new byte[count];
        for (int i = 0; i < count; i++) data[i] = (byte)(i % 10);
        return Idx(0x08, [count], data);
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return output.ToArray();
    }

    /// <summary>A .tgz holding the given (entry name, content) pairs, like `npm pack` produces.</summary>
    public static byte[] Tarball(IEnumerable<(string Name, byte[] Content)> entries)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }
}
