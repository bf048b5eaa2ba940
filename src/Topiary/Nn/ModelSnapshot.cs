// ModelSnapshot: a copy of a model's parameter values, masks and buffers that can be written back (to
// undo a rejected pruning step), and a deep clone of a model (architecture rebuilt from its description,
// then the snapshot written into it).
using Topiary.Nn;
using Topiary.Tensors;

namespace Topiary.Nn;

/// <summary>Saved values, masks and buffers of a model.</summary>
public sealed class ModelSnapshot
{
    private readonly List<(float[] Value, float[]? Mask)> _parameters = [];
    private readonly List<float[]> _buffers = [];

    /// <summary>Copies the state of <paramref name="model"/>.</summary>
    public ModelSnapshot(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var p in model.Parameters()) _parameters.Add(((float[])p.Value.Data.Clone(), (float[]?)p.Mask?.Data.Clone()));
        foreach (var (_, b) in model.NamedBuffers()) _buffers.Add((float[])b.Data.Clone());
    }

    /// <summary>Writes the saved state into <paramref name="model"/> (the same architecture), replacing its masks.</summary>
    /// <exception cref="ArgumentException">The model's parameters or buffers do not match the snapshot.</exception>
    public void Restore(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var ps = model.Parameters().ToArray();
        var bs = model.NamedBuffers().Select(b => b.Buffer).ToArray();
        if (ps.Length != _parameters.Count || bs.Length != _buffers.Count)
            throw new ArgumentException("The model's parameters or buffers do not match the snapshot.", nameof(model));
        for (int i = 0; i < ps.Length; i++)
        {
            var (value, mask) = _parameters[i];
            if (ps[i].Length != value.Length) throw new ArgumentException($"Parameter {i}: {ps[i].Length} values, snapshot has {value.Length}.", nameof(model));
            value.CopyTo(ps[i].Value.Data, 0);
            if (mask is null) ps[i].RemoveMask();
            else ps[i].SetMask(new Tensor((float[])mask.Clone(), ps[i].Value.Shape.ToArray()));
        }
        for (int i = 0; i < bs.Length; i++) _buffers[i].CopyTo(bs[i].Data, 0);
    }

    /// <summary>A deep copy of <paramref name="model"/> (rebuilt from <see cref="ModelArchitecture"/>): values, masks and buffers.</summary>
    /// <exception cref="NotSupportedException">A module type without an architecture description.</exception>
    public static Module Clone(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        // Through text, as ModelFile does: Build reads numbers parsed from JSON text (a float-typed node, e.g. a
        // Dropout's p straight from Describe, is rejected).
        var copy = ModelArchitecture.Build(System.Text.Json.Nodes.JsonNode.Parse(ModelArchitecture.Describe(model).ToJsonString()));
        new ModelSnapshot(model).Restore(copy);
        var src = model.Parameters().ToArray();
        var dst = copy.Parameters().ToArray();
        for (int i = 0; i < src.Length; i++)
        {
            dst[i].LearningRateMultiplier = src[i].LearningRateMultiplier;
            dst[i].WeightDecayMultiplier = src[i].WeightDecayMultiplier;
        }
        return copy;
    }
}
