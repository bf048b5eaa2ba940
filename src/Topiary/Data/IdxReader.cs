// IdxReader: parses IDX files (the MNIST / Fashion-MNIST container), plain or gzip-compressed.
// Format: 4-byte magic 0x00 0x00 DTYPE NDIMS, then NDIMS big-endian uint32 dimensions, then the
// elements row-major. Only DTYPE 0x08 (unsigned byte) is supported: labels are 0x00000801 (1 dim),
// images 0x00000803 (3 dims: count, rows, columns). Gzip input is detected by its 1f 8b header.
// Every defect (wrong magic, unsupported dtype, wrong dimension count, truncated data, trailing
// bytes, label/image count mismatch) throws InvalidDataException naming the file and the field.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Topiary.Data;

/// <summary>The decoded content of an IDX file of unsigned bytes.</summary>
public sealed class IdxData
{
    internal IdxData(string source, int[] dimensions, byte[] data)
    {
        Source = source;
        _dimensions = dimensions;
        Data = data;
    }

    private readonly int[] _dimensions;

    /// <summary>The file (or description) the data came from, used in error messages.</summary>
    public string Source { get; }

    /// <summary>The dimensions, outermost first (e.g. <c>[60000, 28, 28]</c>).</summary>
    public ReadOnlySpan<int> Dimensions => _dimensions;

    /// <summary>The elements, row-major; length is the product of <see cref="Dimensions"/>.</summary>
    public byte[] Data { get; }

    /// <summary>The outermost dimension (number of items).</summary>
    public int Count => _dimensions[0];
}

/// <summary>Reads IDX files (MNIST format), plain or gzip-compressed.</summary>
public static class IdxReader
{
    /// <summary>Magic number of a label file: unsigned bytes, one dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Magic number of an image file: unsigned bytes, three dimensions.</summary>
    public const int ImagesMagic = 0x00000803;

    private const byte UnsignedByte = 0x08;

    /// <summary>Reads a label file (magic <c>0x00000801</c>): one byte per item.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid 1-dimensional IDX file of unsigned bytes.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] ReadLabels(string path) => Read(path, expectedRank: 1).Data;

    /// <summary>Reads an image file (magic <c>0x00000803</c>): dimensions <c>[count, rows, columns]</c>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid 3-dimensional IDX file of unsigned bytes.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxData ReadImages(string path) => Read(path, expectedRank: 3);

    /// <summary>Reads an image file and its label file and checks that they hold the same number of items.</summary>
    /// <exception cref="InvalidDataException">Either file is invalid, or the label count differs from the image count.</exception>
    public static (IdxData Images, byte[] Labels) ReadPair(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
            throw new InvalidDataException(
                $"{labelsPath}: label count {labels.Length} does not match the image count {images.Count} of {imagesPath}.");
        return (images, labels);
    }

    /// <summary>Reads and validates an IDX file of unsigned bytes.</summary>
    /// <param name="path">The file; gzip-compressed content is detected and decompressed.</param>
    /// <param name="expectedRank">When set, the required number of dimensions (1 for labels, 3 for images).</param>
    /// <exception cref="InvalidDataException">The content is not a valid IDX file (the message names the file and field).</exception>
    public static IdxData Read(string path, int? expectedRank = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(ReadAllBytes(path), path, expectedRank);
    }

    /// <summary>Reads the whole file, decompressing it when it starts with the gzip header <c>1f 8b</c>.</summary>
    /// <exception cref="InvalidDataException">The gzip stream is corrupt.</exception>
    public static byte[] ReadAllBytes(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        return IsGzip(raw) ? Gunzip(raw, path) : raw;
    }

    /// <summary>True when <paramref name="bytes"/> starts with the gzip magic <c>1f 8b</c>.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>Parses IDX content already in memory (not compressed).</summary>
    /// <param name="bytes">The file content. The element bytes are copied out.</param>
    /// <param name="source">The file name used in error messages.</param>
    /// <param name="expectedRank">When set, the required number of dimensions.</param>
    /// <exception cref="InvalidDataException">The content is not a valid IDX file of unsigned bytes.</exception>
    public static IdxData Parse(ReadOnlySpan<byte> bytes, string source, int? expectedRank = null)
    {
        if (bytes.Length < 4)
            throw new InvalidDataException($"{source}: file is {bytes.Length} bytes, too short for the 4-byte IDX magic number.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException(
                $"{source}: wrong magic number 0x{magic:X8}; an IDX file starts with two zero bytes (expected {ExpectedMagic(expectedRank)}).");
        byte dtype = bytes[2];
        if (dtype != UnsignedByte)
            throw new InvalidDataException(
                $"{source}: unsupported dtype 0x{dtype:X2} ({DtypeName(dtype)}) in magic number 0x{magic:X8}; only 0x08 (unsigned byte) is supported.");
        int rank = bytes[3];
        if (expectedRank is int want && rank != want)
            throw new InvalidDataException(
                $"{source}: wrong magic number 0x{magic:X8}: dimension count {rank}, expected {want} ({ExpectedMagic(want)}).");
        if (rank == 0)
            throw new InvalidDataException($"{source}: dimension count is 0 in magic number 0x{magic:X8}; expected at least 1.");

        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new InvalidDataException(
                $"{source}: truncated header: {rank} dimensions need {headerLength} bytes, the file has {bytes.Length}.");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 + 4 * i)..]);
            if (d > int.MaxValue)
                throw new InvalidDataException($"{source}: dimension {i} is {d}, larger than {int.MaxValue}.");
            dims[i] = (int)d;
            count *= d;
            if (count > Array.MaxLength)
                throw new InvalidDataException($"{source}: dimensions [{string.Join(", ", dims[..(i + 1)])}...] hold more than {Array.MaxLength} elements.");
        }

        long actual = bytes.Length - headerLength;
        if (actual < count)
            throw new InvalidDataException(
                $"{source}: truncated data: dimensions [{string.Join(", ", dims)}] need {count} bytes after the {headerLength}-byte header, found {actual}.");
        if (actual > count)
            throw new InvalidDataException(
                $"{source}: {actual - count} trailing bytes after the {count} data bytes of dimensions [{string.Join(", ", dims)}].");
        return new IdxData(source, dims, bytes[headerLength..].ToArray());
    }

    private static byte[] Gunzip(byte[] compressed, string source)
    {
        try
        {
            using var input = new MemoryStream(compressed, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream(capacity: compressed.Length * 4);
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{source}: corrupt gzip stream: {e.Message}", e);
        }
    }

    private static string ExpectedMagic(int? rank) => rank switch
    {
        1 => "0x00000801 for labels",
        3 => "0x00000803 for images",
        null => "0x000008NN",
        _ => $"0x000008{rank:X2}",
    };

    private static string DtypeName(byte dtype) => dtype switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown",
    };
}
