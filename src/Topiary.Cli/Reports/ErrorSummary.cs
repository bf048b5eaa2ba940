// ErrorSummary: a model's test error inside a report (the prune and compress reports' "reference" and "compressed").
namespace Topiary.Cli.Reports;

/// <summary>A test error.</summary>
/// <param name="TestError">Top-1 test error, a fraction.</param>
public sealed record ErrorSummary(double TestError);
