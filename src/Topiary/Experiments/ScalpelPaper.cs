// ScalpelPaper: the published numbers of Yu et al., "Scalpel: Customizing DNN Pruning to the Underlying
// Hardware Parallelism" (ISCA 2017), for printing beside ours: the per-platform means over their networks
// (speedup and model-size reduction of Scalpel and of traditional pruning) and the node-pruned structures.
namespace Topiary.Experiments;

/// <summary>Scalpel's headline result on one platform (mean over the paper's networks).</summary>
/// <param name="Platform">Our profile name: cortex-m4, host (their Intel Core i7-6700) or gpu (their GTX Titan X).</param>
/// <param name="ScalpelSpeedup">Mean speedup of Scalpel over the dense network.</param>
/// <param name="TraditionalSpeedup">Mean speedup of traditional (Han-style) pruning stored as CSR.</param>
/// <param name="SizeReduction">Mean model-size reduction of Scalpel (fraction).</param>
public sealed record ScalpelPaperPlatform(string Platform, double ScalpelSpeedup, double TraditionalSpeedup, double SizeReduction);

/// <summary>Published results of Scalpel.</summary>
public static class ScalpelPaper
{
    /// <summary>Mean results per platform (micro-controller, CPU, GPU).</summary>
    public static IReadOnlyList<ScalpelPaperPlatform> Platforms { get; } =
    [
        new("cortex-m4", 3.54, 1.90, 0.88),
        new("host", 2.61, 1.06, 0.82),
        new("gpu", 1.25, 0.41, 0.53),
    ];

    /// <summary>Units kept by node pruning per layer (paper's LeNet structures), by zoo model.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> NodeStructures { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal)
        {
            ["lenet-300-100"] = new Dictionary<string, int> { ["fc1"] = 161, ["fc2"] = 64 },
            ["lenet-5"] = new Dictionary<string, int> { ["conv1"] = 9, ["conv2"] = 18, ["fc1"] = 65 },
        };
}
