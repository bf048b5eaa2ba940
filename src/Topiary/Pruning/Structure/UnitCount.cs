// UnitCount: units of one weight layer before and after a structural change (UnitRemover, node pruning).
namespace Topiary.Pruning.Structure;

/// <summary>Units of one weight layer before and after a structural change.</summary>
/// <param name="Layer">Dotted module name (e.g. <c>fc1</c>).</param>
/// <param name="Kind">"Linear" or "Conv2d".</param>
/// <param name="Before">Output neurons/channels before.</param>
/// <param name="After">Output neurons/channels after.</param>
public sealed record UnitCount(string Layer, string Kind, int Before, int After)
{
    /// <summary>After / Before.</summary>
    public double KeptFraction => Before == 0 ? 0 : (double)After / Before;
}
