// DecompressReport: what `topiary decompress --json` writes — the container read, the model file written and the
// decoded model's non-zero parameters.
namespace Topiary.Cli.Reports;

/// <summary>The <c>decompress</c> command's JSON report.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Input">The <c>.tpz</c> container read (<c>--model-file</c>).</param>
/// <param name="Output">The safetensors model file written (<c>--out</c>).</param>
/// <param name="NonzeroParams">Non-zero parameters of the decoded model.</param>
public sealed record DecompressReport(string Model, string Input, string Output, long NonzeroParams);
