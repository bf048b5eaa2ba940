// PublishedDensities: per-layer weight densities (kept fractions) published by Han, Pool, Tran, Dally
// (NIPS 2015) for the networks the shape zoo holds — AlexNet and VGG-16 (Table 4/5 of the paper) plus the
// LeNets (Experiments.Han2015Paper) — keyed by the zoo's layer names.
namespace Topiary.Hardware.Energy;

/// <summary>Published per-layer weight densities.</summary>
public static class PublishedDensities
{
    private static readonly Dictionary<string, IReadOnlyDictionary<string, double>> Han2015Extra = new(StringComparer.OrdinalIgnoreCase)
    {
        ["alexnet"] = Zip(["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"],
            [0.84, 0.38, 0.35, 0.37, 0.37, 0.09, 0.09, 0.25]),
        ["vgg16"] = Zip(
            ["conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3", "conv4_1", "conv4_2", "conv4_3",
             "conv5_1", "conv5_2", "conv5_3", "fc6", "fc7", "fc8"],
            [0.58, 0.22, 0.34, 0.36, 0.53, 0.24, 0.42, 0.32, 0.27, 0.34, 0.35, 0.29, 0.36, 0.04, 0.04, 0.23]),
    };

    /// <summary>Models with Han 2015 per-layer densities.</summary>
    public static IReadOnlyList<string> Han2015Models { get; } =
        Han2015Extra.Keys.Concat(Experiments.Han2015Paper.Results.Keys).ToArray();

    /// <summary>Han et al. 2015's kept fraction per layer of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">No published densities for that model; the message lists those that have them.</exception>
    public static IReadOnlyDictionary<string, double> Han2015(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Han2015Extra.TryGetValue(model, out var d)) return d;
        foreach (var (name, result) in Experiments.Han2015Paper.Results)
            if (string.Equals(name, model, StringComparison.OrdinalIgnoreCase)) return result.KeptFraction;
        throw new ArgumentException(
            $"Han et al. 2015 published no per-layer densities for '{model}'; available for: {string.Join(", ", Han2015Models)}.", nameof(model));
    }

    private static Dictionary<string, double> Zip(string[] names, double[] values) =>
        names.Zip(values).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
}
