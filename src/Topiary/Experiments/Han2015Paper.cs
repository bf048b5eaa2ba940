// Han2015Paper: the published numbers of Han, Pool, Tran, Dally (NIPS 2015), Table 1 and the
// per-layer tables, for printing beside ours. Errors are fractions; kept fractions per layer.
namespace Topiary.Experiments;

/// <summary>A row of Han et al. 2015's results.</summary>
/// <param name="ReferenceError">Top-1 error of the dense reference.</param>
/// <param name="PrunedError">Top-1 error after pruning and retraining.</param>
/// <param name="Params">Dense parameters.</param>
/// <param name="PrunedParams">Parameters left.</param>
/// <param name="Compression">Reported compression rate.</param>
/// <param name="KeptFraction">Weights kept per layer.</param>
public sealed record PaperResult(double ReferenceError, double PrunedError, long Params, long PrunedParams, double Compression,
    IReadOnlyDictionary<string, double> KeptFraction);

/// <summary>Published results of Han et al. 2015 (Caffe).</summary>
public static class Han2015Paper
{
    /// <summary>Results by zoo model name.</summary>
    public static IReadOnlyDictionary<string, PaperResult> Results { get; } = new Dictionary<string, PaperResult>(StringComparer.Ordinal)
    {
        ["lenet-300-100"] = new(0.0164, 0.0159, 267_000, 22_000, 12,
            new Dictionary<string, double> { ["fc1"] = 0.08, ["fc2"] = 0.09, ["fc3"] = 0.26 }),
        ["lenet-5"] = new(0.0080, 0.0077, 431_000, 36_000, 12,
            new Dictionary<string, double> { ["conv1"] = 0.66, ["conv2"] = 0.12, ["fc1"] = 0.08, ["fc2"] = 0.19 }),
    };
}
