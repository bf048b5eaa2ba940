// CompressedModel: a whole zoo model as a .tpz container — metadata (architecture name and provenance),
// one QuantizedLayer section per weight-shared layer (Deep Compression, Encode) or one GroupSparseLayer
// section per group-pruned layer (Mao et al. 2017, EncodeGrouped), and a DenseTensor section for every other
// parameter and buffer (biases, BatchNorm statistics). Decoding rebuilds the architecture from the zoo and requires
// every parameter exactly once with exactly the architecture's shape, so the decoded model is the
// quantized model bit for bit (masks restored from the codes).
using System.Text.Json;
using Topiary.Compression.Codecs;
using Topiary.Compression.Grouped;
using Topiary.Compression.Quantization;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Compression.Container;

/// <summary>Result of encoding a model.</summary>
/// <param name="Bytes">The container.</param>
/// <param name="Layers">Per quantized layer encoding facts.</param>
/// <param name="DenseParameters">Elements stored as float32 (biases, unquantized parameters, buffers).</param>
public sealed record EncodedModel(byte[] Bytes, IReadOnlyList<EncodedLayer> Layers, long DenseParameters);

/// <summary>One group-sparse layer of a container: the encoder's output and the section payload that frames it.</summary>
/// <param name="Parameter">Parameter name (e.g. <c>fc1.weight</c>).</param>
/// <param name="Layer">The encoder's output (bit stream and counts).</param>
/// <param name="PayloadBytes">Bytes of the section payload (framing + stream).</param>
public sealed record GroupSection(string Parameter, GroupEncodedLayer Layer, long PayloadBytes);

/// <summary>Result of encoding a group-pruned model.</summary>
/// <param name="Bytes">The container.</param>
/// <param name="Layers">Per group-sparse layer.</param>
/// <param name="DenseParameters">Elements stored as float32 (biases, parameters without a granularity, buffers).</param>
public sealed record GroupEncodedModel(byte[] Bytes, IReadOnlyList<GroupSection> Layers, long DenseParameters)
{
    /// <summary>Bytes the container spends on the group-sparse weight sections' payloads.</summary>
    public long WeightPayloadBytes => Layers.Sum(l => l.PayloadBytes);
}

/// <summary>A decoded container with the codes of its weight-shared layers.</summary>
/// <param name="Model">The decoded model (weights equal to their codebook values, masks restored).</param>
/// <param name="Codes">Every QuantizedLayer section's codes and codebook, by parameter name (e.g. <c>fc1.weight</c>).</param>
public sealed record CompressedFile(LoadedModel Model, IReadOnlyDictionary<string, QuantizedLayerCodes> Codes);

/// <summary>Encodes and decodes compressed zoo models.</summary>
public static class CompressedModel
{
    /// <summary>Encodes <paramref name="model"/> (zoo architecture <paramref name="modelName"/>) with its codebooks.</summary>
    /// <param name="modelName">Zoo name, stored so the decoder can rebuild the architecture.</param>
    /// <param name="model">The quantized model (its quantized weights must equal their codebooks' reconstruction).</param>
    /// <param name="codebooks">Weight sharing of the quantized layers.</param>
    /// <param name="indexBits">Relative-index width per layer.</param>
    /// <param name="metadata">Extra string metadata.</param>
    public static EncodedModel Encode(string modelName, Module model, IReadOnlyList<LayerCodebook> codebooks, Func<LayerCodebook, int> indexBits,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(codebooks);
        ArgumentNullException.ThrowIfNull(indexBits);
        var byWeight = codebooks.ToDictionary(c => c.Layer.Weight);
        var layers = new List<EncodedLayer>();
        var (bytes, dense) = Assemble(modelName, model, metadata, (name, p) =>
        {
            if (!byWeight.TryGetValue(p, out var cb)) return null;
            var (payload, info) = QuantizedLayerCodec.Encode(name, cb, indexBits(cb), SparseOrder.RowMajor);
            layers.Add(info);
            return new TpzSection(TpzSectionKind.QuantizedLayer, name, payload);
        });
        return new EncodedModel(bytes, layers, dense);
    }

    /// <summary>
    /// Encodes <paramref name="model"/> (zoo architecture <paramref name="modelName"/>) with every weight in
    /// <paramref name="granularities"/> as a GroupSparseLayer section (its current masked values, grouped by its
    /// granularity, coded with <paramref name="coding"/>); every other parameter and buffer is stored dense.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown model, or a granularity the container cannot name or that rejects the weight's shape.</exception>
    public static GroupEncodedModel EncodeGrouped(string modelName, Module model, IReadOnlyDictionary<Parameter, IGranularity> granularities,
        GroupCodingOptions coding, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(granularities);
        ArgumentNullException.ThrowIfNull(coding);
        var layers = new List<GroupSection>();
        var (bytes, dense) = Assemble(modelName, model, metadata, (name, p) =>
        {
            if (!granularities.TryGetValue(p, out var g)) return null;
            var encoded = GroupSparseEncoder.Encode(name, p.Value.Span, p.Mask is null ? default : p.Mask.Span, p.Value.Shape.ToArray(), g, coding);
            var payload = GroupSparseLayerCodec.Encode(encoded, g);
            layers.Add(new GroupSection(name, encoded, payload.Length));
            return new TpzSection(TpzSectionKind.GroupSparseLayer, name, payload);
        });
        return new GroupEncodedModel(bytes, layers, dense);
    }

    // Metadata section, then every parameter (encodeWeight's section, or DenseTensor when it returns null), then every buffer.
    private static (byte[] Bytes, long DenseElements) Assemble(string modelName, Module model, IReadOnlyDictionary<string, string>? metadata,
        Func<string, Parameter, TpzSection?> encodeWeight)
    {
        ModelZoo.Get(modelName);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        meta[ModelFile.ModelKey] = modelName;
        var sections = new List<TpzSection> { new(TpzSectionKind.Metadata, "metadata", JsonSerializer.SerializeToUtf8Bytes(meta)) };
        long dense = 0;
        foreach (var (name, p) in model.NamedParameters())
        {
            if (encodeWeight(name, p) is { } section)
            {
                sections.Add(section);
                continue;
            }
            sections.Add(new TpzSection(TpzSectionKind.DenseTensor, name, DenseTensorCodec.Encode(p.Value)));
            dense += p.Length;
        }
        foreach (var (name, b) in model.NamedBuffers())
        {
            sections.Add(new TpzSection(TpzSectionKind.DenseTensor, name, DenseTensorCodec.Encode(b)));
            dense += b.Length;
        }
        return (TpzContainer.ToBytes(sections), dense);
    }

    /// <summary>True when the file at <paramref name="path"/> starts with the .tpz magic.</summary>
    public static bool IsContainer(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return f.Read(head) == 4 && TpzFormat.HasMagic(head);
    }

    /// <summary>Decodes a container file into its zoo model (weights, masks, buffers) and metadata.</summary>
    /// <exception cref="InvalidDataException">Corrupt container, unknown architecture, or sections that do not match it.</exception>
    public static LoadedModel Load(string path) => Decode(TpzContainer.Read(path), path);

    /// <summary>
    /// Decodes a container file and keeps every QuantizedLayer section's codes and codebook (by parameter name, e.g.
    /// <c>fc1.weight</c>) beside the decoded model, so an inference plan can run those layers from their codes.
    /// </summary>
    /// <exception cref="InvalidDataException">See <see cref="Load"/>.</exception>
    public static CompressedFile LoadWithCodes(string path) => DecodeWithCodes(TpzContainer.Read(path), path);

    /// <summary>Decodes parsed sections; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">See <see cref="Load"/>.</exception>
    public static LoadedModel Decode(IReadOnlyList<TpzSection> sections, string source) => DecodeWithCodes(sections, source).Model;

    /// <summary>Decodes parsed sections, keeping the quantized layers' codes; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">See <see cref="Load"/>.</exception>
    public static CompressedFile DecodeWithCodes(IReadOnlyList<TpzSection> sections, string source)
    {
        ArgumentNullException.ThrowIfNull(sections);
        if (sections.Count == 0 || sections[0].Kind != TpzSectionKind.Metadata)
            throw new InvalidDataException($"{source}: the first section must be the metadata.");
        Dictionary<string, string> meta;
        try
        {
            meta = JsonSerializer.Deserialize<Dictionary<string, string>>(sections[0].Payload)
                ?? throw new InvalidDataException($"{source}: metadata is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: metadata is not a JSON object of strings: {e.Message}", e);
        }
        if (!meta.TryGetValue(ModelFile.ModelKey, out var modelName) || !ModelZoo.Names.Contains(modelName))
            throw new InvalidDataException($"{source}: metadata field '{ModelFile.ModelKey}' is '{modelName ?? "(missing)"}'; expected one of {string.Join(", ", ModelZoo.Names)}.");
        var model = ModelZoo.Create(modelName, 0);
        var parameters = model.NamedParameters().ToDictionary(x => x.Name, x => x.Parameter, StringComparer.Ordinal);
        var buffers = model.NamedBuffers().ToDictionary(x => x.Name, x => x.Buffer, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var codes = new Dictionary<string, QuantizedLayerCodes>(StringComparer.Ordinal);
        foreach (var s in sections.Skip(1))
        {
            string where = $"{source}: section '{s.Name}'";
            if (!seen.Add(s.Name)) throw new InvalidDataException($"{where} appears twice.");
            if (s.Kind == TpzSectionKind.QuantizedLayer)
            {
                if (!parameters.TryGetValue(s.Name, out var p)) throw new InvalidDataException($"{where}: no such parameter in {modelName}.");
                var layer = codes[s.Name] = QuantizedLayerCodec.DecodeCodes(s.Payload, p.Value.Shape, where);
                var (weight, mask) = QuantizedLayerCodec.Expand(layer);
                p.RemoveMask();
                p.Value.CopyFrom(weight);
                p.SetMask(mask);
            }
            else if (s.Kind == TpzSectionKind.GroupSparseLayer)
            {
                if (!parameters.TryGetValue(s.Name, out var p)) throw new InvalidDataException($"{where}: no such parameter in {modelName}.");
                var (layer, _) = GroupSparseLayerCodec.Decode(s.Payload, p.Value.Shape, where);
                p.RemoveMask();
                layer.Values.CopyTo(p.Value.Data, 0);
                p.SetMask(new Tensors.Tensor(layer.Mask, p.Value.Shape.ToArray()));
            }
            else if (s.Kind == TpzSectionKind.DenseTensor)
            {
                var target = parameters.TryGetValue(s.Name, out var p) ? p.Value
                    : buffers.TryGetValue(s.Name, out var b) ? b
                    : throw new InvalidDataException($"{where}: no such parameter or buffer in {modelName}.");
                var t = DenseTensorCodec.Decode(s.Payload, where);
                if (!t.SameShape(target))
                    throw new InvalidDataException($"{where}: shape {Tensors.Tensor.ShapeString(t.Shape)} does not match the architecture's {Tensors.Tensor.ShapeString(target.Shape)}.");
                target.CopyFrom(t);
            }
            else throw new InvalidDataException($"{where}: unexpected {s.Kind} section.");
        }
        var missing = parameters.Keys.Concat(buffers.Keys).Where(n => !seen.Contains(n)).ToArray();
        if (missing.Length > 0) throw new InvalidDataException($"{source}: missing sections for {string.Join(", ", missing)}.");
        return new CompressedFile(new LoadedModel(modelName, model, meta), codes);
    }
}
