// OnnxInterface: the interface of an imported ONNX file — its source, producer, opset, graph inputs (names and full
// shapes, batch first, -1 where symbolic) and output names — recorded as "onnx.*" entries in the metadata of the model
// file `topiary import` writes, and read back when that model (pruned or not) is exported, so the exported file
// computes the same function under the same names, shapes and opset. Inputs and outputs are stored as JSON:
// onnx.inputs = [{"name": "x", "shape": [-1, 3, 224, 224]}, ...], onnx.outputs = ["y", ...].
using System.Globalization;
using System.Text.Json;

namespace Topiary.Onnx;

/// <summary>Records an imported file's interface in model-file metadata and turns it back into export options.</summary>
public static class OnnxInterface
{
    /// <summary>Metadata key holding the graph's inputs as JSON: [{"name": ..., "shape": [-1, 3, 224, 224]}, ...].</summary>
    public const string InputsKey = "onnx.inputs";

    /// <summary>Metadata key holding the graph's output names as a JSON array.</summary>
    public const string OutputsKey = "onnx.outputs";

    /// <summary>Metadata key holding the default opset the graph binds against.</summary>
    public const string OpsetKey = "onnx.opset";

    /// <summary>The "onnx.*" metadata entries of a file imported from <paramref name="path"/> as <paramref name="info"/> describes it.</summary>
    public static Dictionary<string, string> Metadata(OnnxImportInfo info, string path)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["onnx.source"] = Path.GetFileName(path),
            ["onnx.producer"] = $"{info.ProducerName} {info.ProducerVersion}".Trim(),
            [OpsetKey] = info.OpsetVersion.ToString(CultureInfo.InvariantCulture),
            [InputsKey] = JsonSerializer.Serialize(info.Inputs, JsonSerializerOptions.Web),
            [OutputsKey] = JsonSerializer.Serialize(info.Outputs),
        };
    }

    /// <summary>
    /// Export options for a model with <paramref name="metadata"/> (read from <paramref name="file"/>): for an imported
    /// model, the input names and full shapes, output names and opset (clamped to what the exporter writes) its ONNX file
    /// had; default options for any other model.
    /// </summary>
    /// <exception cref="InvalidDataException">The recorded inputs/outputs are not the JSON <see cref="Metadata"/> writes; the message names the file and keys.</exception>
    public static OnnxExportOptions ExportOptions(IReadOnlyDictionary<string, string> metadata, string file)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(InputsKey, out string? inputsJson)) return new OnnxExportOptions();
        OnnxTensorInfo[] inputs;
        string[]? outputs = null;
        try
        {
            inputs = JsonSerializer.Deserialize<OnnxTensorInfo[]>(inputsJson, JsonSerializerOptions.Web) ?? throw new FormatException("not an array");
            if (inputs.Any(i => i?.Name is null || i.Shape is null)) throw new FormatException("an entry lacks \"name\" or \"shape\"");
            if (metadata.TryGetValue(OutputsKey, out string? outputsJson))
                outputs = JsonSerializer.Deserialize<string[]>(outputsJson) ?? throw new FormatException("null outputs");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidDataException($"{file}: metadata '{InputsKey}'/'{OutputsKey}' is not the JSON `topiary import` writes ({e.Message}).", e);
        }
        int opset = metadata.TryGetValue(OpsetKey, out string? opsetText) && int.TryParse(opsetText, NumberStyles.None, CultureInfo.InvariantCulture, out int o)
            ? o : OnnxExporter.OpsetVersion;
        return new OnnxExportOptions
        {
            InputNames = inputs.Select(i => i.Name).ToArray(),
            InputShapes = inputs.Select(i => i.Shape).ToArray(),
            OutputNames = outputs,
            Opset = Math.Clamp(opset, OnnxExportOptions.MinOpset, OnnxExportOptions.MaxOpset),
        };
    }
}
