// DeepCompressionPaper: published numbers of Han, Mao, Dally (ICLR 2016), Table 1, for the MNIST nets.
namespace Topiary.Experiments;

/// <summary>A row of Deep Compression's Table 1.</summary>
public sealed record DeepCompressionPaperResult(double ReferenceError, double CompressedError, double BytesOriginal, double BytesCompressed,
    double Pruning, double Quantization, double Huffman);

/// <summary>Published Deep Compression results.</summary>
public static class DeepCompressionPaper
{
    /// <summary>By zoo model name.</summary>
    public static IReadOnlyDictionary<string, DeepCompressionPaperResult> Results { get; } = new Dictionary<string, DeepCompressionPaperResult>(StringComparer.Ordinal)
    {
        ["lenet-300-100"] = new(0.0164, 0.0158, 1070e3, 27e3, 12, 32, 40),
        ["lenet-5"] = new(0.0080, 0.0074, 1720e3, 44e3, 12, 33, 39),
    };
}
