// QuickRow: one measured value of the quick mode, optionally with a ratio against a reference
// measured in the same run (e.g. 0.87 of the FMA peak, 14x the scalar twin).
namespace Topiary.Benchmarks.Quick;

/// <summary>One result line: <c>Value Unit</c>, and optionally <c>Ratio</c> of <c>RatioOf</c>.</summary>
/// <param name="Section">Name of the section that produced the row.</param>
/// <param name="Name">What was measured (e.g. "sgemm 512x512x512 1 thread").</param>
/// <param name="Value">The measured value.</param>
/// <param name="Unit">Unit of <paramref name="Value"/> (e.g. "GFLOP/s", "GB/s").</param>
/// <param name="Ratio">Value divided by the reference value, when there is one.</param>
/// <param name="RatioOf">What the ratio is relative to (e.g. "1-core FMA peak").</param>
/// <param name="Note">A warning printed beside the row.</param>
public sealed record QuickRow(string Section, string Name, double Value, string Unit, double? Ratio = null, string? RatioOf = null, string? Note = null)
{
    /// <summary>True when the row claims more than a measured peak: impossible, so a measurement error (printed and in JSON).</summary>
    public bool AbovePeak => Ratio > 1.0 && RatioOf?.Contains("peak", StringComparison.OrdinalIgnoreCase) == true
        && !RatioOf.StartsWith("1-thread peak", StringComparison.Ordinal);
}
