// CompressReport: what `topiary compress --json` writes — Deep Compression's stages 2–3 on a model file: sizes per
// stage and per layer, the test error before and of the decoded container, the error after each stage, the container.
using Topiary.Compression;
using Topiary.Experiments;

namespace Topiary.Cli.Reports;

/// <summary>The <c>compress</c> command's JSON report.</summary>
/// <param name="Model">The model's zoo name.</param>
/// <param name="BytesOriginal">Dense float32 bytes of the model (4 per parameter).</param>
/// <param name="BytesCompressed">Bytes of the .tpz container.</param>
/// <param name="Compression">BytesOriginal / BytesCompressed.</param>
/// <param name="Stages">Storage per stage (dense, pruning, quantization, huffman, container): name, bytes, compression.</param>
/// <param name="Layers">Storage per layer and stage.</param>
/// <param name="Reference">Test error of the input model (fraction).</param>
/// <param name="Compressed">Test error of the decoded container (fraction).</param>
/// <param name="Errors">Test error after each stage: input, quantization, trained quantization (with fine-tuning), container (decoded).</param>
/// <param name="Container">The .tpz written (<c>--out</c>).</param>
public sealed record CompressReport(string Model, double BytesOriginal, double BytesCompressed, double Compression, IReadOnlyList<StageStorage> Stages,
    IReadOnlyList<LayerStorage> Layers, ErrorSummary Reference, ErrorSummary Compressed, IReadOnlyList<StageError> Errors, string Container);
