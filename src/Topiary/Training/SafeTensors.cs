// SafeTensors: reads and writes float32 tensors in the safetensors layout (Hugging Face):
//   [8 bytes] N = header length, unsigned little-endian
//   [N bytes] UTF-8 JSON: { "__metadata__": {string: string}, "<name>": {"dtype": "F32", "shape": [..],
//             "data_offsets": [begin, end]}, ... }, padded with spaces so that 8 + N is a multiple of 8
//   [rest]    the tensor bytes, little-endian; offsets are relative to the start of this buffer.
// Writing: tensors are laid out contiguously in the given order, through AtomicFile (no half-written
// file). Reading: the header may list tensors in any order (files from other tools); the offsets define
// the layout and must tile the buffer exactly (no overlap, no gap, no trailing bytes). Tensors are
// returned in data-offset order. Every defect throws InvalidDataException naming the file and field.
// Only dtype F32 is supported; other dtypes are rejected by name.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Topiary.IO;
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>The content of a safetensors file: string metadata and named float32 tensors.</summary>
public sealed class SafeTensorsFile
{
    /// <summary>Creates the content.</summary>
    public SafeTensorsFile(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tensors);
        Metadata = metadata;
        Tensors = tensors;
    }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in the order of their data in the file.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> Tensors { get; }
}

/// <summary>Reader and writer for the safetensors format (float32 tensors only).</summary>
public static class SafeTensors
{
    /// <summary>The header key that holds the string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted when reading (100 MB, the reference implementation's limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>
    /// Writes <paramref name="tensors"/> (in the given order, contiguous) and <paramref name="metadata"/> to
    /// <paramref name="path"/> atomically.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, duplicated, or equal to <c>__metadata__</c>.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, string>? metadata, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] header = BuildHeader(metadata, tensors, out var list);
        AtomicFile.Write(path, stream => WriteBody(stream, header, list));
    }

    /// <summary>Writes the safetensors bytes to <paramref name="stream"/> (not atomic; see the path overload).</summary>
    /// <exception cref="ArgumentException">A name is empty, duplicated, or equal to <c>__metadata__</c>.</exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, string>? metadata, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] header = BuildHeader(metadata, tensors, out var list);
        WriteBody(stream, header, list);
    }

    /// <summary>Reads and validates a safetensors file of float32 tensors.</summary>
    /// <exception cref="InvalidDataException">The file is malformed (the message names the file and the field).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads and validates safetensors content from a seekable <paramref name="stream"/> (from its current position to its end).</summary>
    /// <param name="stream">A readable, seekable stream.</param>
    /// <param name="source">The name used in error messages.</param>
    /// <exception cref="InvalidDataException">The content is malformed.</exception>
    public static SafeTensorsFile Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        if (!stream.CanSeek) throw new ArgumentException("The stream must be seekable.", nameof(stream));
        long fileLength = stream.Length - stream.Position;

        Span<byte> prefix = stackalloc byte[8];
        if (fileLength < 8)
            throw new InvalidDataException($"{source}: file is {fileLength} bytes, too short for the 8-byte header length.");
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw new InvalidDataException($"{source}: header length {headerLength} goes beyond the end of the file ({fileLength - 8} bytes after the length field).");
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException($"{source}: header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes.");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;

        var (metadata, entries) = ParseHeader(header, source);

        // The offsets must tile [0, dataLength) exactly.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End != b.End ? a.End.CompareTo(b.End) : a.Index.CompareTo(b.Index));
        long expected = 0;
        foreach (var e in entries)
        {
            if (e.Begin < expected)
                throw new InvalidDataException($"{source}: tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] overlap the previous tensor, which ends at {expected}.");
            if (e.Begin > expected)
                throw new InvalidDataException($"{source}: tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] leave a gap: the previous tensor ends at {expected}.");
            if (e.End > dataLength)
                throw new InvalidDataException($"{source}: tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] go beyond the end of the data ({dataLength} bytes).");
            expected = e.End;
        }
        if (expected != dataLength)
            throw new InvalidDataException($"{source}: {dataLength - expected} trailing bytes after the last tensor (data ends at {expected}, the data buffer holds {dataLength} bytes).");

        var tensors = new List<(string, Tensor)>(entries.Count);
        foreach (var e in entries)
        {
            var data = new float[e.Count];
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            if (!BitConverter.IsLittleEndian) SwapFloats(data);
            tensors.Add((e.Name, new Tensor(data, e.Shape)));
        }
        return new SafeTensorsFile(metadata, tensors);
    }

    private sealed record Entry(string Name, int[] Shape, int Count, long Begin, long End, int Index);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static (Dictionary<string, string> Metadata, List<Entry> Entries) ParseHeader(byte[] header, string source)
    {
        // JsonDocument checks the JSON structure but not the bytes inside strings; reading such a string later would
        // throw InvalidOperationException, so the whole header is checked to be UTF-8 first.
        try
        {
            StrictUtf8.GetCharCount(header);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{source}: header is not valid UTF-8 (byte {e.Index} of the header).", e);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            try
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{source}: header must be a JSON object, found {root.ValueKind}.");
                var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                var entries = new List<Entry>();
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in root.EnumerateObject())
                {
                    string name = property.Name;
                    if (!names.Add(name))
                        throw new InvalidDataException($"{source}: duplicate name '{name}' in the header.");
                    if (name == MetadataKey)
                    {
                        ParseMetadata(property.Value, metadata, source);
                        continue;
                    }
                    entries.Add(ParseEntry(name, property.Value, source, entries.Count));
                }
                return (metadata, entries);
            }
            catch (InvalidOperationException e)
            {
                // A string whose escapes do not decode (e.g. a lone surrogate "\ud800").
                throw new InvalidDataException($"{source}: header holds a JSON string that cannot be read: {e.Message}", e);
            }
        }
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{source}: {MetadataKey} must be an object of strings, found {value.ValueKind}.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{source}: {MetadataKey}.{item.Name} must be a string, found {item.Value.ValueKind}.");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new InvalidDataException($"{source}: duplicate key '{item.Name}' in {MetadataKey}.");
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, string source, int index)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{source}: tensor '{name}' must be an object with dtype, shape and data_offsets, found {value.ValueKind}.");
        if (!value.TryGetProperty("dtype", out var dtype))
            throw new InvalidDataException($"{source}: tensor '{name}' has no dtype.");
        if (!value.TryGetProperty("shape", out var shape))
            throw new InvalidDataException($"{source}: tensor '{name}' has no shape.");
        if (!value.TryGetProperty("data_offsets", out var offsets))
            throw new InvalidDataException($"{source}: tensor '{name}' has no data_offsets.");

        if (dtype.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{source}: tensor '{name}' dtype must be a string, found {dtype.ValueKind}.");
        string dtypeName = dtype.GetString()!;
        if (dtypeName != "F32")
            throw new InvalidDataException($"{source}: tensor '{name}' has dtype {dtypeName}; only F32 is supported.");

        if (shape.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{source}: tensor '{name}' shape must be an array, found {shape.ValueKind}.");
        var dims = new int[shape.GetArrayLength()];
        long count = 1;
        int axis = 0;
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim))
                throw new InvalidDataException($"{source}: tensor '{name}' shape[{axis}] is not an integer ({d.GetRawText()}).");
            if (dim < 0)
                throw new InvalidDataException($"{source}: tensor '{name}' shape[{axis}] is negative ({dim}).");
            if (dim > int.MaxValue || (count *= dim) > Array.MaxLength)
                throw new InvalidDataException($"{source}: tensor '{name}' shape {shape.GetRawText()} holds more than {Array.MaxLength} elements.");
            dims[axis++] = (int)dim;
        }

        if (offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"{source}: tensor '{name}' data_offsets must be an array [begin, end], found {offsets.GetRawText()}.");
        long begin = Offset(offsets[0], name, "begin", source), end = Offset(offsets[1], name, "end", source);
        if (end < begin)
            throw new InvalidDataException($"{source}: tensor '{name}' data_offsets [{begin}, {end}] end before they begin.");
        long bytes = count * sizeof(float);
        if (end - begin != bytes)
            throw new InvalidDataException(
                $"{source}: tensor '{name}' data_offsets [{begin}, {end}] span {end - begin} bytes, but shape {Tensor.ShapeString(dims)} of F32 needs {bytes}.");
        return new Entry(name, dims, (int)count, begin, end, index);
    }

    private static long Offset(JsonElement value, string name, string which, string source)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long offset) || offset < 0)
            throw new InvalidDataException($"{source}: tensor '{name}' data_offsets {which} is not a non-negative integer ({value.GetRawText()}).");
        return offset;
    }

    private static byte[] BuildHeader(
        IReadOnlyDictionary<string, string>? metadata, IEnumerable<(string Name, Tensor Tensor)> tensors, out List<(string Name, Tensor Tensor)> list)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(value, $"metadata[{key}]");
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in list)
            {
                if (string.IsNullOrEmpty(name)) throw new ArgumentException("Tensor names must not be empty.", nameof(tensors));
                if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
                if (!names.Add(name)) throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(tensors));
                ArgumentNullException.ThrowIfNull(tensor, $"tensor '{name}'");
                long end = offset + (long)tensor.Length * sizeof(float);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data starts at an 8-byte boundary (8 + header length ≡ 0 mod 8).
        int length = (int)buffer.Length;
        int padded = (length + 7) / 8 * 8;
        for (int i = length; i < padded; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteBody(Stream stream, byte[] header, List<(string Name, Tensor Tensor)> tensors)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (_, tensor) in tensors)
        {
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(tensor.Data.AsSpan()));
            }
            else
            {
                var copy = (float[])tensor.Data.Clone();
                SwapFloats(copy);
                stream.Write(MemoryMarshal.AsBytes(copy.AsSpan()));
            }
        }
    }

    private static void SwapFloats(float[] data)
    {
        var ints = MemoryMarshal.Cast<float, uint>(data.AsSpan());
        BinaryPrimitives.ReverseEndianness(ints, ints);
    }

    /// <summary>The header JSON of a safetensors file as text (for diagnostics and tests).</summary>
    /// <exception cref="InvalidDataException">The length field is invalid.</exception>
    internal static string ReadHeaderText(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: too short.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"{path}: header length {n} beyond the file.");
        return Encoding.UTF8.GetString(bytes, 8, (int)n);
    }
}
