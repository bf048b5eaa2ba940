// PredictModel: the model `topiary predict` runs — a model file (safetensors or .tpz, through ModelFile.Load) or an ONNX
// file (by its .onnx extension, imported on the fly with OnnxImporter) — with what it expects as input: the per-example
// shape (ModelInputShape for model files; the ONNX graph's static input shape, else the first layer's, for .onnx) and
// the default normalisation (the model file's 'input_transform' metadata, Caffe's x/256 when absent; for .onnx the
// same default as `topiary import`: imagenet for three colour channels, else mnist-normalize).
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Onnx;

namespace Topiary.Cli.Commands;

/// <summary>A model loaded for prediction.</summary>
/// <param name="Name">Display name (the zoo name, or <c>onnx:&lt;file name&gt;</c>).</param>
/// <param name="Network">The network.</param>
/// <param name="InputShape">Shape of one input example (-1 for unknown dimensions), or null when unknown.</param>
/// <param name="Transform">The normalisation used when the user gives none.</param>
public sealed record PredictModel(string Name, Module Network, int[]? InputShape, ImageTransform Transform)
{
    /// <summary>
    /// The input transform assumed for an ONNX file, which records none (<c>topiary import</c>'s default):
    /// <c>imagenet</c> when one example has three colour channels (<c>[3, H, W]</c> or <c>[H, W, 3]</c>: torchvision's
    /// and the ONNX zoo's convention), else <c>mnist-normalize</c>.
    /// </summary>
    public static string OnnxDefaultTransform(IReadOnlyList<int>? inputShape) =>
        inputShape is { Count: 3 } s && (s[0] == 3 || s[2] == 3) ? "imagenet" : "mnist-normalize";

    /// <summary>Loads <paramref name="path"/>: an ONNX model when it ends in <c>.onnx</c>, else a model file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt (the message names it and the field).</exception>
    /// <exception cref="NotSupportedException">The ONNX graph uses something Topiary cannot represent.</exception>
    public static PredictModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file.", path);
        if (Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var (model, info) = OnnxImporter.Import(path);
            int[]? shape = info.InputShape?.ToArray() ?? ModelInputShape.FromFirstLayer(model);
            return new PredictModel("onnx:" + Path.GetFileNameWithoutExtension(path), model, shape, ImageTransform.Preset(OnnxDefaultTransform(shape)));
        }
        var loaded = ModelFile.Load(path);
        ImageTransform transform;
        try
        {
            transform = ModelFile.ImageInputTransform(loaded.Metadata);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: metadata field '{ModelFile.InputTransformKey}': {e.Message}", e);
        }
        return new PredictModel(loaded.Name, loaded.Network, ModelInputShape.Of(loaded.Name, loaded.Metadata, loaded.Network, path), transform);
    }
}
