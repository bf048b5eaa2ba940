// Checkpoint: a model's state in one safetensors file.
//   <param name>        the parameter value (masked entries are zero), e.g. "fc1.weight"
//   <param name>_mask   the 0/1 pruning mask when the parameter has one (torch.nn.utils.prune's weight_mask)
//   <buffer name>       every NamedBuffers tensor (e.g. BatchNorm running statistics)
// Metadata is free-form strings; Save adds "topiary.checkpoint" = "1" (the format version) and callers
// add e.g. "model" = "lenet-5" so a loader can rebuild the architecture. LoadInto validates everything
// (missing, unexpected, wrong shape, bad mask) BEFORE touching the model, so a failed load leaves the
// model unchanged; all problems are listed in one InvalidDataException naming the file.
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Training;

/// <summary>Saves and restores a <see cref="Module"/>'s parameters, masks and buffers (safetensors layout).</summary>
public static class Checkpoint
{
    /// <summary>Suffix of a parameter's mask tensor: <c>fc1.weight</c> → <c>fc1.weight_mask</c>.</summary>
    public const string MaskSuffix = "_mask";

    /// <summary>Metadata key holding the checkpoint format version.</summary>
    public const string VersionKey = "topiary.checkpoint";

    /// <summary>The format version written by <see cref="Save"/>.</summary>
    public const string Version = "1";

    /// <summary>
    /// The tensors a checkpoint of <paramref name="model"/> holds, in order: each parameter, its mask (if any),
    /// then each buffer. The tensors are the model's own (not copies).
    /// </summary>
    /// <exception cref="InvalidOperationException">Two entries would get the same name.</exception>
    public static IReadOnlyList<(string Name, Tensor Tensor)> StateTensors(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var list = new List<(string, Tensor)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name, Tensor tensor, string what)
        {
            if (!names.Add(name))
                throw new InvalidOperationException($"Checkpoint name clash: {what} '{name}' is already used by another parameter, mask or buffer.");
            list.Add((name, tensor));
        }
        foreach (var (name, p) in model.NamedParameters())
        {
            Add(name, p.Value, "parameter");
            if (p.Mask is not null) Add(name + MaskSuffix, p.Mask, "mask");
        }
        foreach (var (name, b) in model.NamedBuffers()) Add(name, b, "buffer");
        return list;
    }

    /// <summary>Writes <paramref name="model"/>'s parameters, masks and buffers to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The target file (conventionally <c>.safetensors</c>).</param>
    /// <param name="model">The model.</param>
    /// <param name="metadata">String metadata, e.g. <c>"model": "lenet-5"</c>; <see cref="VersionKey"/> is added when absent.</param>
    /// <exception cref="InvalidOperationException">Two entries would get the same name.</exception>
    /// <exception cref="IOException">The file could not be written (the previous file, if any, is untouched).</exception>
    public static void Save(string path, Module model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { [VersionKey] = Version };
        if (metadata is not null)
            foreach (var (k, v) in metadata) meta[k] = v;
        SafeTensors.Write(path, meta, StateTensors(model));
    }

    /// <summary>Reads a checkpoint (any safetensors file of F32 tensors).</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CheckpointData Load(string path)
    {
        var file = SafeTensors.Read(path);
        return new CheckpointData(path, file.Metadata, file.Tensors);
    }

    /// <summary>
    /// Copies the tensors of <paramref name="data"/> into <paramref name="model"/>: parameter values, masks
    /// (through <see cref="Parameter.SetMask"/>; a parameter without a <c>_mask</c> tensor loses its mask) and buffers.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// A parameter or buffer is missing, a tensor is unexpected, a shape differs (expected and actual shapes are
    /// named) or a mask holds values other than 0 and 1. The model is not modified in that case.
    /// </exception>
    public static void LoadInto(Module model, CheckpointData data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var problems = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var parameters = model.NamedParameters().ToList();
        var buffers = model.NamedBuffers().ToList();

        void Check(string name, Tensor expected, string what)
        {
            var t = data.Find(name);
            if (t is null) { problems.Add($"missing {what} '{name}' (shape {Tensor.ShapeString(expected.Shape)})"); return; }
            used.Add(name);
            if (!t.SameShape(expected))
                problems.Add($"{what} '{name}' has shape {Tensor.ShapeString(t.Shape)}, the model expects {Tensor.ShapeString(expected.Shape)}");
        }

        foreach (var (name, p) in parameters)
        {
            Check(name, p.Value, "parameter");
            var mask = data.Find(name + MaskSuffix);
            if (mask is null) continue;
            used.Add(name + MaskSuffix);
            if (!mask.SameShape(p.Value))
                problems.Add($"mask '{name}{MaskSuffix}' has shape {Tensor.ShapeString(mask.Shape)}, the model expects {Tensor.ShapeString(p.Value.Shape)}");
            else
            {
                int bad = Array.FindIndex(mask.Data, m => m != 0f && m != 1f);
                if (bad >= 0) problems.Add($"mask '{name}{MaskSuffix}' holds {mask.Data[bad]} at index {bad}; masks must be 0 or 1");
            }
        }
        foreach (var (name, b) in buffers) Check(name, b, "buffer");
        foreach (var (name, _) in data.Tensors)
            if (!used.Contains(name)) problems.Add($"unexpected tensor '{name}' (no such parameter, mask or buffer in the model)");

        if (problems.Count > 0)
        {
            const int max = 20;
            string list = string.Join("; ", problems.Take(max)) + (problems.Count > max ? $"; and {problems.Count - max} more" : "");
            throw new InvalidDataException($"{data.Source}: checkpoint does not match the model: {list}.");
        }

        foreach (var (name, p) in parameters)
        {
            p.Value.CopyFrom(data[name]);
            var mask = data.Find(name + MaskSuffix);
            if (mask is null) p.RemoveMask();
            else p.SetMask(mask.Clone());
        }
        foreach (var (name, b) in buffers) b.CopyFrom(data[name]);
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="model"/> and returns its metadata.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or does not match the model (the model is then unchanged).</exception>
    public static IReadOnlyDictionary<string, string> LoadInto(Module model, string path)
    {
        var data = Load(path);
        LoadInto(model, data);
        return data.Metadata;
    }
}
