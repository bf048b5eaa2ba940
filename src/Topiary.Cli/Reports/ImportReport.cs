// ImportReport: what `topiary import --json` writes — the ONNX file read, the model file written (absent when
// verification failed and nothing was saved), the graph's interface, and with --verify the comparison with ONNX Runtime.
using Topiary.Cli.Commands;
using Topiary.Onnx;

namespace Topiary.Cli.Reports;

/// <summary>The <c>import</c> command's JSON report.</summary>
/// <param name="Model">The imported model's name: <c>onnx:</c> + the ONNX file's name without extension.</param>
/// <param name="Source">The ONNX file as given.</param>
/// <param name="ModelFile">The model file written (<c>--out</c>); absent when verification failed and nothing was saved.</param>
/// <param name="Params">Parameters of the imported model.</param>
/// <param name="ProducerName">The tool that wrote the ONNX file (e.g. <c>pytorch</c>); empty when the file does not say.</param>
/// <param name="OpsetVersion">The default (<c>ai.onnx</c>) operator-set version the graph binds against.</param>
/// <param name="Inputs">Every data input of the graph with its full shape (batch first, −1 where symbolic).</param>
/// <param name="Outputs">Names of the graph outputs, in order.</param>
/// <param name="InputTransform">The pixel scaling recorded for the model (<c>--input-transform</c>, e.g. <c>mnist-normalize</c>).</param>
/// <param name="EndsWithSoftmax">True when the node writing the first output is a Softmax (the outputs are probabilities).</param>
/// <param name="Verify">With <c>--verify</c>: one comparison per output (ONNX Runtime vs Topiary on the same input); else absent.</param>
public sealed record ImportReport(
    string Model,
    string Source,
    string? ModelFile,
    long Params,
    string ProducerName,
    long OpsetVersion,
    IReadOnlyList<OnnxTensorInfo> Inputs,
    IReadOnlyList<string> Outputs,
    string InputTransform,
    bool EndsWithSoftmax,
    IReadOnlyList<OnnxVerifyOutput>? Verify);
