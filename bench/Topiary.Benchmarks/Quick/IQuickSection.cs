// IQuickSection: one part of the quick ratio mode (`-- quick`). A section measures something in
// a few seconds and returns rows; sections run in list order (QuickMode.Sections) and may read
// what earlier sections published in the QuickContext (e.g. the FMA peak for "% of peak").
// To add a section (e.g. training throughput): implement this interface in its own file and
// append an instance to QuickMode.Sections.
namespace Topiary.Benchmarks.Quick;

/// <summary>A measurable part of the quick benchmark run.</summary>
public interface IQuickSection
{
    /// <summary>Short, stable name used in the table and JSON (e.g. "fma-peak").</summary>
    string Name { get; }

    /// <summary>Measures and returns the rows; may publish values to <paramref name="context"/>.</summary>
    IReadOnlyList<QuickRow> Run(QuickContext context);
}
