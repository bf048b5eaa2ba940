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
    /// <summary>Metadata key holding the zoo model name.</summary>
    public const string ModelKey = "model";

    /// <summary>Saves <paramref name="network"/> (architecture <paramref name="modelName"/>) atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, string modelName, Module network, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ModelZoo.Get(modelName);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null) foreach (var (k, v) in metadata) all[k] = v;
        all[ModelKey] = modelName;
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
            throw new InvalidDataException($"{path}: metadata field '{ModelKey}' is missing; expected one of {string.Join(", ", ModelZoo.Names)}.");
        ModelInfo info;
        try
        {
            info = ModelZoo.Get(name);
        }
        catch (ArgumentException)
        {
            throw new InvalidDataException($"{path}: metadata field '{ModelKey}' is '{name}'; expected one of {string.Join(", ", ModelZoo.Names)}.");
        }
        var network = info.Factory(0);
        Checkpoint.LoadInto(network, data);
        return new LoadedModel(info.Name, network, data.Metadata);
    }
}
