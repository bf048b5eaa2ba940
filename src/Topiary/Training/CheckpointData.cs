// CheckpointData: what Checkpoint.Load returns -- the string metadata and the named tensors of a
// checkpoint file (in file order), with lookup by name. Source names the file in error messages.
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>The content of a checkpoint: metadata (e.g. <c>"model": "lenet-5"</c>) and named tensors.</summary>
public sealed class CheckpointData
{
    private readonly Dictionary<string, Tensor> _byName;

    /// <summary>Creates checkpoint content.</summary>
    /// <param name="source">The file (or description) the data came from, used in error messages.</param>
    /// <param name="metadata">String metadata.</param>
    /// <param name="tensors">Named tensors; names must be unique.</param>
    /// <exception cref="ArgumentException">A name is duplicated.</exception>
    public CheckpointData(string source, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tensors);
        Source = source;
        Metadata = metadata;
        Tensors = tensors;
        _byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
            if (!_byName.TryAdd(name, tensor)) throw new ArgumentException($"{source}: duplicate tensor name '{name}'.", nameof(tensors));
    }

    /// <summary>The file (or description) the data came from.</summary>
    public string Source { get; }

    /// <summary>String metadata (<c>__metadata__</c> of the safetensors file).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> Tensors { get; }

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public Tensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public Tensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Source}: no tensor named '{name}'.");

    /// <summary>True when a tensor called <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);
}
