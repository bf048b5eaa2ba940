// PublishedActivationDensities: input-activation densities (non-zero fraction of each weight layer's input)
// MEASURED ON IMAGENET and published for the networks the shape zoo holds, keyed by the zoo's layer names.
//   AlexNet conv1–conv5: Eyeriss chip measurement (Chen, Krishna, Emer, Sze, JSSC 2017, performance breakdown of
//     AlexNet's CONV layers, "zeros in ifmaps"): 0.01%, 38.7%, 72.5%, 79.3%, 77.6% zeros.
//   AlexNet fc6–fc8: EIE (Han et al., ISCA 2016, benchmark table, "Act%"): 35.1%, 35.3%, 37.5% non-zero (EIE
//     measured them on the pruned network; used here for the dense one too).
// Only networks with a figure for EVERY weight layer have a table (VGG-16's conv layers have none in these sources);
// callers fall back to ActivationDensities.Assumed or an explicit value.
namespace Topiary.Hardware.Energy;

/// <summary>ImageNet-measured input-activation densities from published sources.</summary>
public static class PublishedActivationDensities
{
    private static readonly Dictionary<string, (IReadOnlyDictionary<string, double> Densities, string Source)> Tables =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["alexnet"] = (Zip(["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"],
                    [1 - 0.0001, 1 - 0.387, 1 - 0.725, 1 - 0.793, 1 - 0.776, 0.351, 0.353, 0.375]),
                "ImageNet, published: conv1-5 Eyeriss JSSC 2017 (zeros in ifmaps 0.01/38.7/72.5/79.3/77.6%), fc6-8 EIE ISCA 2016 (35.1/35.3/37.5% non-zero)"),
        };

    /// <summary>Models with a complete published table.</summary>
    public static IReadOnlyList<string> Models { get; } = Tables.Keys.ToArray();

    /// <summary>True when <paramref name="model"/> has a complete published table.</summary>
    public static bool Has(string model) => Tables.ContainsKey(model ?? throw new ArgumentNullException(nameof(model)));

    /// <summary>The published density of every layer of <paramref name="model"/>, with a one-line source.</summary>
    /// <exception cref="ArgumentException">No published table for <paramref name="model"/>; the message lists those that have one.</exception>
    public static (IReadOnlyDictionary<string, double> Densities, string Source) For(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Tables.TryGetValue(model, out var t)) return t;
        throw new ArgumentException(
            $"No published ImageNet activation densities for '{model}'; available for: {string.Join(", ", Models)}.", nameof(model));
    }

    private static Dictionary<string, double> Zip(string[] names, double[] values) =>
        names.Zip(values).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
}
