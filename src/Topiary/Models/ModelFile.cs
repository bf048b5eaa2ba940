// ModelFile: a zoo model saved as a checkpoint whose metadata names the architecture
// ("model": "lenet-5"), so any command can rebuild and load it from the file alone.
using Topiary.Nn;
using Topiary.Training;

namespace Topiary.Models;

/// <summary>A loaded model file.</summary>
/// <param name="Name">Zoo name of the architecture.</param>
/// <param name="Network">The model with the file's weights, masks and buffers.</param>
/// <param name="Metadata">All metadata stored in the file.</param>
public sealed record LoadedModel(string Name, Module Network, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Saves and loads zoo models as safetensors checkpoints.</summary>
public static class ModelFile
{
    /// <summary>Metadata key holding the zoo model name (or, for other models, a descriptive name).</summary>
    public const string ModelKey = "model";

    /// <summary>Metadata key holding the JSON architecture description (<see cref="ModelArchitecture"/>).</summary>
    public const string ArchitectureKey = "architecture";

    /// <summary>Metadata key naming the input pixel transform the model expects (see <see cref="Data.ImageTransform.Preset"/>).</summary>
    public const string InputTransformKey = "input_transform";

    /// <summary>Metadata key holding the shape of one input example, comma-separated (e.g. <c>1,28,28</c>); see <see cref="ModelInputShape"/>.</summary>
    public const string InputShapeKey = "input_shape";

    /// <summary>
    /// The one-value pixel scaling a model file's metadata asks for (<see cref="InputTransformKey"/>), as the
    /// one-channel datasets (MNIST, Fashion-MNIST) are read for it; Caffe's x/256 when absent.
    /// </summary>
    /// <exception cref="ArgumentException">The metadata names an unknown transform, or a colour one (one mean per R, G, B channel).</exception>
    public static Data.PixelTransform InputTransform(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(InputTransformKey, out var name)) return Data.PixelTransform.Caffe;
        if (Data.ImageTransform.IsColourPreset(name))
            throw new ArgumentException($"Metadata field '{InputTransformKey}' is '{name}', a normalisation of three colour channels; the datasets here have one channel " +
                $"(one-channel transforms: {string.Join(", ", Data.PixelTransform.Names)}).");
        return Data.PixelTransform.ByName(name);
    }

    /// <summary>The normalisation a model file's metadata asks for (<see cref="InputTransformKey"/>, any <see cref="Data.ImageTransform.Preset"/>); Caffe's x/256 when absent.</summary>
    /// <exception cref="ArgumentException">The metadata names an unknown transform.</exception>
    public static Data.ImageTransform ImageInputTransform(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.TryGetValue(InputTransformKey, out var name) ? Data.ImageTransform.Preset(name) : Data.ImageTransform.FromPixelTransform(Data.PixelTransform.Caffe);
    }

    /// <summary>Saves <paramref name="network"/> (architecture <paramref name="modelName"/>) atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, string modelName, Module network, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null) foreach (var (k, v) in metadata) all[k] = v;
        all[ModelKey] = modelName;
        all[ArchitectureKey] = ModelArchitecture.Describe(network).ToJsonString();
        Checkpoint.Save(path, network, all);
    }

    /// <summary>Loads a model file (a safetensors checkpoint or a .tpz compressed container), rebuilding the architecture named in its metadata.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Corrupt file, missing or unknown model name, or tensors that do not fit the architecture.</exception>
    public static LoadedModel Load(string path)
    {
        if (File.Exists(path) && Compression.Container.CompressedModel.IsContainer(path))
            return Compression.Container.CompressedModel.Load(path);
        var data = Checkpoint.Load(path);
        if (!data.Metadata.TryGetValue(ModelKey, out var name))
            throw new InvalidDataException($"{path}: metadata field '{ModelKey}' is missing; expected one of {string.Join(", ", ModelZoo.Names)} or an architecture.");
        data.Metadata.TryGetValue(ArchitectureKey, out var architecture);
        if (ModelZoo.Names.Contains(name))
        {
            // Zoo models are rebuilt by their factory (which also sets Caffe's learning-rate multipliers), unless the
            // file holds a physically different (e.g. shrunk) network, which its architecture then describes.
            var zoo = ModelZoo.Get(name).Factory(0);
            try
            {
                Checkpoint.LoadInto(zoo, data);
                return new LoadedModel(name, zoo, data.Metadata);
            }
            catch (InvalidDataException) when (architecture is not null)
            {
            }
        }
        if (architecture is null)
            throw new InvalidDataException($"{path}: metadata field '{ModelKey}' is '{name}', which is not a zoo model ({string.Join(", ", ModelZoo.Names)}), and there is no '{ArchitectureKey}'.");
        Module network;
        try
        {
            // The file must hold every parameter and buffer, so the layers cannot need more values than its tensors.
            long values = data.Tensors.Sum(t => (long)t.Tensor.Length);
            network = ModelArchitecture.Build(System.Text.Json.Nodes.JsonNode.Parse(architecture), values);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path}: metadata field '{ArchitectureKey}' is not valid JSON: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        Checkpoint.LoadInto(network, data);
        return new LoadedModel(name, network, data.Metadata);
    }
}
