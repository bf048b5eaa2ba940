// NpyReader: reads NumPy .npy files (format versions 1.0, 2.0 and 3.0; see numpy.lib.format).
// Layout: the magic "\x93NUMPY", major and minor version bytes, the header length (uint16 little-endian in 1.0, uint32
// in 2.0 and 3.0), the header dict (latin-1 text in 1.0/2.0, UTF-8 in 3.0; see NpyHeader), then the elements in C order.
// Supported: dtypes float32, float64, uint8 and int64, little- or big-endian (converted); C order only.
// Safety: every size comes from the file, so each one is checked against the file's real length BEFORE anything is
// allocated — the header length against the bytes that follow it (and at most MaxHeaderLength), the shape's element
// count times the item size against the bytes after the header (which must match exactly: a short or long data
// section is refused). Every defect throws InvalidDataException naming the file and the field ("magic", "version",
// "header length", "header 'shape'", "header 'descr'", "header 'fortran_order'", "data length").
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Topiary.IO;

/// <summary>Reads NumPy <c>.npy</c> files.</summary>
public static class NpyReader
{
    /// <summary>The 6-byte magic every NPY file starts with: <c>\x93NUMPY</c>.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest header the reader accepts, in bytes (real headers are well under 1 KB).</summary>
    public const int MaxHeaderLength = 1 << 20;

    private const int ChunkBytes = 1 << 16;

    /// <summary>True when <paramref name="bytes"/> starts with the NPY magic.</summary>
    public static bool IsNpy(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    /// <summary>Reads the array stored in <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid NPY file of a supported dtype in C order (the message names the file and field).</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        return Read(stream, path);
    }

    /// <summary>Reads an NPY array from <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The whole file content.</param>
    /// <param name="source">Name used in error messages.</param>
    /// <exception cref="InvalidDataException">The content is not a valid NPY file of a supported dtype in C order.</exception>
    public static NpyArray Parse(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, source);
    }

    /// <summary>Reads an NPY array from a seekable <paramref name="stream"/> that holds exactly one file from its current position to its end.</summary>
    /// <exception cref="InvalidDataException">The content is not a valid NPY file of a supported dtype in C order.</exception>
    public static NpyArray Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        long length = stream.Length - stream.Position;
        Span<byte> preamble = stackalloc byte[12];
        if (length < 8)
            throw new InvalidDataException($"{source}: magic: the file is {length} bytes, too short for the 8-byte NPY magic and version.");
        Fill(stream, preamble[..8], source, "magic");
        if (!preamble.StartsWith(Magic))
            throw new InvalidDataException($"{source}: magic: expected \\x93NUMPY, found {Hex(preamble[..6])}; not an NPY file.");
        int major = preamble[6], minor = preamble[7];
        if (major is not (1 or 2 or 3) || minor != 0)
            throw new InvalidDataException($"{source}: version: format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are).");
        int lengthBytes = major == 1 ? 2 : 4;
        if (length < 8 + lengthBytes)
            throw new InvalidDataException($"{source}: header length: the file ends after {length} bytes, inside the {lengthBytes}-byte header length field.");
        Fill(stream, preamble.Slice(8, lengthBytes), source, "header length");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        long dataStart = 8 + lengthBytes + headerLength;
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException($"{source}: header length: {headerLength} bytes is larger than the {MaxHeaderLength} bytes the reader accepts.");
        if (dataStart > length)
            throw new InvalidDataException($"{source}: header length: {headerLength} bytes, but only {length - 8 - lengthBytes} bytes follow the length field.");

        var headerBytes = new byte[headerLength];
        Fill(stream, headerBytes, source, "header");
        string text;
        try
        {
            text = major == 3 ? new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{source}: header: not valid UTF-8 (a version 3.0 header is UTF-8): {e.Message}", e);
        }
        var header = NpyHeader.Parse(text, source);

        const long maxCount = long.MaxValue / 8; // elements whose byte size still fits in a long
        long count = header.Shape.Contains(0) ? 0 : 1;
        foreach (int d in header.Shape)
        {
            if (count == 0) break;
            if (count > maxCount / d)
                throw new InvalidDataException($"{source}: header 'shape': {Shape(header.Shape)} holds more elements than any file can.");
            count *= d;
        }
        long dataLength = length - dataStart;
        long expected = count * header.Dtype.ItemSize();
        if (dataLength != expected)
            throw new InvalidDataException(
                $"{source}: data length: shape {Shape(header.Shape)} of dtype '{header.Descr}' needs {expected} bytes after the {dataStart}-byte header, the file has {dataLength}.");
        if (count > Array.MaxLength)
            throw new InvalidDataException($"{source}: header 'shape': {Shape(header.Shape)} holds {count} elements, more than the {Array.MaxLength} an array can.");

        var values = new float[count];
        long[]? longs = header.Dtype == NpyDtype.Int64 ? new long[count] : null;
        ReadElements(stream, header, values, longs, source);
        return new NpyArray(source, major, header.Descr, header.Dtype, header.Shape, values, longs);
    }

    private static void ReadElements(Stream stream, NpyHeader header, float[] values, long[]? longs, string source)
    {
        int item = header.Dtype.ItemSize();
        bool swap = header.BigEndian == BitConverter.IsLittleEndian && item > 1;
        if (header.Dtype == NpyDtype.Float32 && !swap)
        {
            Fill(stream, MemoryMarshal.AsBytes(values.AsSpan()), source, "data");
            return;
        }
        var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(item, (long)values.Length * item))];
        int perChunk = buffer.Length / item;
        for (int start = 0; start < values.Length; start += perChunk)
        {
            int n = Math.Min(perChunk, values.Length - start);
            var bytes = buffer.AsSpan(0, n * item);
            Fill(stream, bytes, source, "data");
            var dest = values.AsSpan(start, n);
            switch (header.Dtype)
            {
                case NpyDtype.Float32:
                    for (int i = 0; i < n; i++) dest[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(MemoryMarshal.Read<int>(bytes[(4 * i)..])));
                    break;
                case NpyDtype.Float64:
                    for (int i = 0; i < n; i++)
                    {
                        long bits = MemoryMarshal.Read<long>(bytes[(8 * i)..]);
                        dest[i] = (float)BitConverter.Int64BitsToDouble(swap ? BinaryPrimitives.ReverseEndianness(bits) : bits);
                    }
                    break;
                case NpyDtype.UInt8:
                    for (int i = 0; i < n; i++) dest[i] = bytes[i];
                    break;
                default:
                    var exact = longs.AsSpan(start, n);
                    for (int i = 0; i < n; i++)
                    {
                        long v = MemoryMarshal.Read<long>(bytes[(8 * i)..]);
                        exact[i] = swap ? BinaryPrimitives.ReverseEndianness(v) : v;
                        dest[i] = exact[i];
                    }
                    break;
            }
        }
    }

    // Reads exactly destination.Length bytes; the sizes were checked against the stream's length, so running out means
    // the file changed while being read.
    private static void Fill(Stream stream, Span<byte> destination, string source, string field)
    {
        try
        {
            stream.ReadExactly(destination);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source}: {field}: the file ended early (was it truncated while being read?).", e);
        }
    }

    private static string Shape(int[] shape) => "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");

    private static string Hex(ReadOnlySpan<byte> bytes) => string.Join(" ", bytes.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
