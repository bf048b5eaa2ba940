// BitsRule: code width per layer for weight sharing. Defaults follow Deep Compression: 8 bits for
// convolutional and 5 for fully connected layers, 6 everywhere for LeNet-300-100.
// Spec strings: comma-separated "key=bits" entries; key "conv" or "fc" (case-insensitive) sets a kind,
// any other key names one layer (dotted module path, ordinal) and wins over its kind: "fc1=6,conv=8".
// Bits are integers in [1, 16]. Errors are ArgumentException naming the offending entry.
using System.Globalization;
using Topiary.Nn;
using Topiary.Pruning;

namespace Topiary.Compression.Quantization;

/// <summary>Chooses the code width of every quantized layer: per kind, with per-layer overrides.</summary>
public sealed class BitsRule
{
    private readonly Dictionary<string, int> _layers;

    /// <summary>Creates a rule.</summary>
    /// <param name="convBits">Bits of Conv2d layers.</param>
    /// <param name="fcBits">Bits of Linear layers.</param>
    /// <param name="layerBits">Per-layer overrides by dotted layer name.</param>
    /// <exception cref="ArgumentOutOfRangeException">A width outside [<see cref="LayerCodebook.MinBits"/>, <see cref="LayerCodebook.MaxBits"/>].</exception>
    public BitsRule(int convBits, int fcBits, IReadOnlyDictionary<string, int>? layerBits = null)
    {
        CheckBits(convBits, nameof(convBits));
        CheckBits(fcBits, nameof(fcBits));
        _layers = new Dictionary<string, int>(StringComparer.Ordinal);
        if (layerBits is not null)
        {
            foreach (var (name, bits) in layerBits)
            {
                CheckBits(bits, nameof(layerBits));
                _layers[name] = bits;
            }
        }
        ConvBits = convBits;
        FcBits = fcBits;
    }

    /// <summary>Bits of Conv2d layers without an override.</summary>
    public int ConvBits { get; }

    /// <summary>Bits of Linear layers without an override.</summary>
    public int FcBits { get; }

    /// <summary>Per-layer overrides.</summary>
    public IReadOnlyDictionary<string, int> LayerBits => _layers;

    /// <summary>The paper's rule without overrides: conv 8, FC 5.</summary>
    public static BitsRule Default { get; } = new(8, 5);

    /// <summary>
    /// Deep Compression's widths for zoo model <paramref name="modelName"/>: 6 bits everywhere for
    /// <c>lenet-300-100</c>, otherwise 8 for conv and 5 for FC layers.
    /// </summary>
    public static BitsRule Paper(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        return string.Equals(modelName, "lenet-300-100", StringComparison.OrdinalIgnoreCase) ? new BitsRule(6, 6) : Default;
    }

    /// <summary>The width of <paramref name="layer"/>: its override, else its kind's width.</summary>
    public int For(PrunableLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (_layers.TryGetValue(layer.Name, out int bits)) return bits;
        return layer.Kind == LayerKind.Conv ? ConvBits : FcBits;
    }

    /// <summary>Throws when an override names no layer in <paramref name="layers"/>.</summary>
    /// <exception cref="ArgumentException">Unknown layer name (the message lists the known ones).</exception>
    public void Validate(IReadOnlyList<PrunableLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var name in _layers.Keys.Order(StringComparer.Ordinal))
        {
            if (!layers.Any(l => l.Name == name))
                throw new ArgumentException($"Bits entry '{name}={_layers[name]}' names no layer. Layers: {string.Join(", ", layers.Select(l => l.Name))}.", nameof(layers));
        }
    }

    /// <summary>
    /// Parses <c>"conv=8,fc=5"</c>, <c>"fc1=6,conv=8"</c> and the like. Kinds not mentioned keep the width of
    /// <paramref name="defaults"/> (default <see cref="Default"/>: conv 8, FC 5), whose overrides are kept too.
    /// </summary>
    /// <exception cref="ArgumentException">An empty spec or entry, an entry without '=', an empty key, a width that is not an
    /// integer in [1, 16], or a key given twice; the message quotes the entry.</exception>
    public static BitsRule Parse(string spec, BitsRule? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        defaults ??= Default;
        if (string.IsNullOrWhiteSpace(spec))
            throw new ArgumentException("Bits spec is empty; expected entries like 'conv=8,fc=5' or 'fc1=6'.", nameof(spec));
        int conv = defaults.ConvBits, fc = defaults.FcBits;
        var layers = new Dictionary<string, int>(defaults._layers, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in spec.Split(','))
        {
            string entry = raw.Trim();
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (entry.Length == 0)
                throw new ArgumentException($"Bits spec '{spec}' has an empty entry.", nameof(spec));
            if (eq < 0)
                throw new ArgumentException($"Bits entry '{entry}' has no '='; expected 'key=bits' (key: conv, fc or a layer name).", nameof(spec));
            string key = entry[..eq].Trim(), value = entry[(eq + 1)..].Trim();
            if (key.Length == 0)
                throw new ArgumentException($"Bits entry '{entry}' has an empty key; expected conv, fc or a layer name.", nameof(spec));
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int bits) ||
                bits < LayerCodebook.MinBits || bits > LayerCodebook.MaxBits)
                throw new ArgumentException($"Bits entry '{entry}': '{value}' is not an integer in [{LayerCodebook.MinBits}, {LayerCodebook.MaxBits}].", nameof(spec));
            string canonical = key.ToLowerInvariant() is "conv" or "fc" ? key.ToLowerInvariant() : key;
            if (!seen.Add(canonical))
                throw new ArgumentException($"Bits entry '{entry}': '{key}' is given more than once.", nameof(spec));
            switch (canonical)
            {
                case "conv": conv = bits; break;
                case "fc": fc = bits; break;
                default: layers[key] = bits; break;
            }
        }
        return new BitsRule(conv, fc, layers);
    }

    /// <summary>The rule as a spec string <see cref="Parse"/> reads back: <c>conv=8,fc=5[,layer=bits...]</c>.</summary>
    public override string ToString() =>
        string.Join(",", new[] { $"conv={ConvBits}", $"fc={FcBits}" }
            .Concat(_layers.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));

    private static void CheckBits(int bits, string name)
    {
        if (bits < LayerCodebook.MinBits || bits > LayerCodebook.MaxBits)
            throw new ArgumentOutOfRangeException(name, bits, $"Bits must be in [{LayerCodebook.MinBits}, {LayerCodebook.MaxBits}].");
    }
}
