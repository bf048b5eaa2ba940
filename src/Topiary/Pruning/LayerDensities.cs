// LayerDensities: a per-layer density profile (kept fraction of each Conv2d/Linear weight) applied to a model by
// magnitude, one shot — for speed measurements at a paper's published sparsity (`bench --densities han2015`), not a
// training recipe. A spec is "dense", "han2015" (Han et al. 2015's published kept fractions, PublishedDensities), a
// uniform density ("0.3": every Conv2d and Linear; "conv:0.3" or "fc:0.1": one kind), or a JSON file {"layer": density}. Keys name prunable layers (dotted module paths); when the model's layers are named
// otherwise (an ONNX import, torchvision's features.N) and the profile covers every weight layer, it is matched by
// position instead: the published tables list every weight layer in network order.
using System.Globalization;
using System.Text.Json;
using Topiary.Hardware.Energy;
using Topiary.Nn;

namespace Topiary.Pruning;

/// <summary>A named per-layer density profile.</summary>
/// <param name="Source">Where it came from (for reports): dense, han2015 or the file's path.</param>
/// <param name="Kept">Kept fraction per layer name, in the order given (empty for dense).</param>
/// <param name="Uniform">Kept fraction for every layer of the kinds <paramref name="Kinds"/> (instead of named entries).</param>
/// <param name="Kinds">The layer kinds <paramref name="Uniform"/> applies to.</param>
public sealed record LayerDensities(string Source, IReadOnlyList<KeyValuePair<string, double>> Kept, double? Uniform = null,
    IReadOnlyList<LayerKind>? Kinds = null)
{
    /// <summary>No pruning.</summary>
    public static LayerDensities Dense { get; } = new("dense", []);

    /// <summary>Reads <paramref name="spec"/>: dense, han2015 (published for <paramref name="model"/>) or a JSON file.</summary>
    /// <exception cref="ArgumentException">Unknown spec, no published densities for the model, or a density outside [0, 1].</exception>
    /// <exception cref="InvalidDataException">The file is not a JSON object of numbers.</exception>
    public static LayerDensities Parse(string spec, string model)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.Equals(spec, "dense", StringComparison.OrdinalIgnoreCase)) return Dense;
        if (string.Equals(spec, "han2015", StringComparison.OrdinalIgnoreCase))
            return Checked(new LayerDensities("han2015", [.. PublishedDensities.Han2015(model)]));
        string number = spec.StartsWith("conv:", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("fc:", StringComparison.OrdinalIgnoreCase)
            ? spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..] : spec;
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double uniform) && !File.Exists(spec))
        {
            if (!(uniform >= 0 && uniform <= 1)) throw new ArgumentException($"--densities {spec}: a density must be in [0, 1].");
            LayerKind[] kinds = spec.StartsWith("conv:", StringComparison.OrdinalIgnoreCase) ? [LayerKind.Conv]
                : spec.StartsWith("fc:", StringComparison.OrdinalIgnoreCase) ? [LayerKind.Fc] : [LayerKind.Conv, LayerKind.Fc];
            return new LayerDensities(spec, [], uniform, kinds);
        }
        if (!File.Exists(spec))
            throw new ArgumentException($"--densities '{spec}' is not dense, han2015, a density (0.3, conv:0.3, fc:0.1) or an existing JSON file.");
        Dictionary<string, double>? map;
        try
        {
            map = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(spec));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{spec}: expected a JSON object {{\"layer\": density}}: {e.Message}", e);
        }
        if (map is null) throw new InvalidDataException($"{spec}: expected a JSON object {{\"layer\": density}}, got null.");
        return Checked(new LayerDensities(spec, [.. map]));
    }

    /// <summary>
    /// Pairs every entry with a prunable layer of <paramref name="model"/>: by name when every key names one, else by
    /// position when the profile has exactly one entry per weight layer.
    /// </summary>
    /// <exception cref="ArgumentException">Neither matching works; the message lists the model's layers.</exception>
    public IReadOnlyList<(PrunableLayer Layer, double Kept)> Match(Module model)
    {
        var layers = PrunableLayer.Find(model);
        if (Uniform is double u) return [.. layers.Where(l => Kinds!.Contains(l.Kind)).Select(l => (l, u))];
        if (Kept.All(k => layers.Any(l => l.Name == k.Key)))
            return [.. Kept.Select(k => (layers.First(l => l.Name == k.Key), k.Value))];
        if (Kept.Count == layers.Count)
            return [.. layers.Zip(Kept, (l, k) => (l, k.Value))];
        string missing = Kept.First(k => !layers.Any(l => l.Name == k.Key)).Key;
        throw new ArgumentException(
            $"{Source}: the model has no layer '{missing}', and the profile's {Kept.Count} entries cannot be matched by position to its " +
            $"{layers.Count} weight layers ({string.Join(", ", layers.Select(l => l.Name))}).");
    }

    /// <summary>
    /// Masks every matched layer to its kept fraction by weight magnitude (one shot), in groups of
    /// <paramref name="granularity"/> (default: single weights); returns the pairs applied.
    /// </summary>
    public IReadOnlyList<(PrunableLayer Layer, double Kept)> Apply(Module model, IGranularity? granularity = null)
    {
        var matched = Match(model);
        var pruner = granularity is null ? MagnitudePruner.Elementwise : new MagnitudePruner(granularity);
        foreach (var (layer, kept) in matched)
            pruner.Apply(layer, new SparsityTarget(1 - kept));
        return matched;
    }

    private static LayerDensities Checked(LayerDensities d)
    {
        foreach (var (name, value) in d.Kept)
            if (!(value >= 0 && value <= 1))
                throw new ArgumentException($"{d.Source}: density of '{name}' is {value.ToString(CultureInfo.InvariantCulture)}, outside [0, 1].");
        return d;
    }
}
