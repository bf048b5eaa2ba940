// ExportReport: what `topiary export --json` writes — which model file went to which ONNX file, and its parameter counts.
namespace Topiary.Cli.Reports;

/// <summary>The <c>export</c> command's JSON report.</summary>
/// <param name="Model">The model's name (zoo name, or <c>onnx:FILE</c> for an imported model).</param>
/// <param name="ModelFile">The model file exported (<c>--model-file</c>).</param>
/// <param name="Onnx">The ONNX file written (<c>--out</c>).</param>
/// <param name="Params">Parameters of the model (weights and biases, pruned ones included).</param>
/// <param name="NonzeroParams">Parameters whose value is not zero.</param>
public sealed record ExportReport(string Model, string ModelFile, string Onnx, long Params, long NonzeroParams);
