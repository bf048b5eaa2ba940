// OnnxExternalData: loads the tensors an ONNX file keeps in side files (the ONNX "external data" format, which
// PyTorch's torch.export-based exporter writes by default as <model>.onnx.data, and onnx.save_model(...,
// save_as_external_data=True) for any model) into their raw_data, so the rest of the importer reads them as inline
// tensors. A tensor is external when data_location is EXTERNAL or external_data has entries; its entries are
//   location  (required) the side file, a relative POSIX path from the model file's folder;
//   offset    (optional) where the tensor's bytes start, default 0;
//   length    (optional) how many bytes, default the rest of the file;
//   checksum  (optional) SHA-1 of those bytes, lower- or upper-case hex, checked when present.
// Covered: the graph's initializers, the values and indices of its sparse initializers, and Constant-style tensor
// attributes (the subset of onnx.proto Topiary reads). Safety: the location must stay inside the model's folder (no
// absolute path, no "..", no symbolic link leading out), and offset/length are checked against the side file's real
// size before anything is allocated; the byte count must match the tensor's shape and element type. Every defect is an
// InvalidDataException naming the model file, the tensor and the field.
using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using Topiary.Onnx.Proto;

namespace Topiary.Onnx;

/// <summary>Reads the external data of an ONNX model's tensors into the tensors.</summary>
internal static class OnnxExternalData
{
    /// <summary>True when <paramref name="tensor"/> keeps its data in a side file.</summary>
    public static bool IsExternal(TensorProto tensor) =>
        tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0;

    /// <summary>
    /// Moves the data of every external tensor of <paramref name="model"/> into its raw_data (data_location DEFAULT,
    /// external_data cleared), reading the side files relative to the folder of <paramref name="modelPath"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A location, offset, length or checksum is invalid, a side file is missing or too short, or the byte count does not match the tensor's shape.</exception>
    public static void Load(ModelProto model, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var external = Tensors(model.Graph).Where(IsExternal).ToList();
        if (external.Count == 0) return;
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var files = new Dictionary<string, (SafeFileHandle Handle, long Size)>(StringComparer.Ordinal); // by location
        try
        {
            foreach (var tensor in external)
                Read(tensor, modelPath, folder, files);
        }
        finally
        {
            foreach (var (handle, _) in files.Values) handle.Dispose();
        }
    }

    private static IEnumerable<TensorProto> Tensors(GraphProto? graph)
    {
        if (graph is null) yield break;
        foreach (var t in graph.Initializer) yield return t;
        foreach (var s in graph.SparseInitializer)
        {
            if (s.Values is not null) yield return s.Values;
            if (s.Indices is not null) yield return s.Indices;
        }
        foreach (var node in graph.Node)
            foreach (var attribute in node.Attribute)
                if (attribute.T is not null) yield return attribute.T;
    }

    private static void Read(TensorProto tensor, string modelPath, string folder, Dictionary<string, (SafeFileHandle Handle, long Size)> files)
    {
        string Where(string field) => $"{modelPath}: tensor '{tensor.Name}', external_data '{field}'";
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in tensor.ExternalData)
            if (!entries.TryAdd(entry.Key, entry.Value))
                throw new InvalidDataException($"{Where(entry.Key)}: given twice.");
        if (!entries.TryGetValue("location", out string? location) || location.Length == 0)
            throw new InvalidDataException($"{Where("location")}: missing; an external tensor needs the relative path of the file holding its data.");
        long offset = Number(entries, "offset", 0, Where("offset"));

        // Each side file is resolved, checked and opened once, however many tensors it holds.
        if (!files.TryGetValue(location, out var file))
        {
            string path = Resolve(location, folder, Where("location"));
            try
            {
                var opened = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                files[location] = file = (opened, RandomAccess.GetLength(opened));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"{Where("location")}: cannot read '{location}' ({e.Message}).", e);
            }
        }
        var (handle, size) = file;
        if (offset > size)
            throw new InvalidDataException($"{Where("offset")}: {offset} is beyond the end of '{location}' ({size} bytes).");
        long length = Number(entries, "length", size - offset, Where("length"));
        if (length > size - offset)
            throw new InvalidDataException($"{Where("length")}: {length} bytes from offset {offset} run past the end of '{location}' ({size} bytes).");
        long expected = ExpectedBytes(tensor);
        if (expected >= 0 && length != expected)
            throw new InvalidDataException($"{Where("length")}: {length} bytes, but shape [{string.Join(", ", tensor.Dims)}] of data type {tensor.DataType} needs {expected}.");
        if (length > Array.MaxLength)
            throw new InvalidDataException($"{Where("length")}: {length} bytes is more than one tensor can hold here.");

        var bytes = new byte[length];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = RandomAccess.Read(handle, bytes.AsSpan(read), offset + read);
            if (n == 0) throw new InvalidDataException($"{Where("length")}: '{location}' ended after {read} of {length} bytes.");
            read += n;
        }
        if (entries.TryGetValue("checksum", out string? checksum))
        {
            string actual = Convert.ToHexStringLower(SHA1.HashData(bytes));
            if (!string.Equals(actual, checksum, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{Where("checksum")}: the bytes read have SHA-1 {actual}, the file says {checksum}.");
        }
        tensor.RawData = ByteString.CopyFrom(bytes);
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
    }

    // The side file's full path, which must lie inside the model's folder (after following a symbolic link).
    private static string Resolve(string location, string folder, string where)
    {
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
            throw new InvalidDataException($"{where}: '{location}' must be a relative path inside the model's folder (no absolute path, no '..').");
        string path = Path.GetFullPath(Path.Combine(folder, location));
        string root = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        if (!path.StartsWith(root, StringComparison.Ordinal))
            throw new InvalidDataException($"{where}: '{location}' leads out of the model's folder.");
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new InvalidDataException($"{where}: '{location}' does not exist in {folder} (an external data file must be kept next to its model).");
        if (file.LinkTarget is not null)
        {
            string? target = file.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (target is null || !target.StartsWith(root, StringComparison.Ordinal))
                throw new InvalidDataException($"{where}: '{location}' is a symbolic link leading out of the model's folder.");
        }
        return path;
    }

    private static long Number(Dictionary<string, string> entries, string key, long absent, string where)
    {
        if (!entries.TryGetValue(key, out string? text)) return absent;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidDataException($"{where}: '{text}' is not a non-negative integer.");
    }

    // Bytes the tensor's shape and element type need, or -1 for a type without a fixed width (STRING, UNDEFINED, …).
    private static long ExpectedBytes(TensorProto tensor)
    {
        int width = (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Bool => 1,
            TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Float16
                or TensorProto.Types.DataType.Bfloat16 => 2,
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
            TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Double
                or TensorProto.Types.DataType.Complex64 => 8,
            TensorProto.Types.DataType.Complex128 => 16,
            _ => 0,
        };
        if (width == 0) return -1;
        long count = 1;
        foreach (long d in tensor.Dims)
        {
            if (d < 0 || (d > 0 && count > long.MaxValue / 16 / d)) return -1; // invalid or absurd dims: the tensor reader reports them
            count *= d;
        }
        return count * width;
    }
}
