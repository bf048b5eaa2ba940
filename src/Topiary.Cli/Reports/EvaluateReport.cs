// EvaluateReport: what `topiary evaluate --json` writes — a model file's error and loss on a test set, its parameter
// counts, and how long the evaluation took.
namespace Topiary.Cli.Reports;

/// <summary>The <c>evaluate</c> command's JSON report.</summary>
/// <param name="Model">The model's name (zoo name, or <c>onnx:FILE</c> for an imported model).</param>
/// <param name="Dataset">The dataset evaluated on (e.g. <c>mnist</c>).</param>
/// <param name="ModelFile">The model file as given (<c>--model-file</c>).</param>
/// <param name="Images">Test images evaluated.</param>
/// <param name="TestError">Top-1 error on them, a fraction (0.0148 = 1.48%).</param>
/// <param name="TestLoss">Mean cross-entropy loss on them (nats).</param>
/// <param name="Params">Parameters of the model (weights and biases, pruned ones included).</param>
/// <param name="NonzeroParams">Parameters whose value is not zero.</param>
/// <param name="Runtime">What ran: <c>model</c> (the module's forward) or <c>codes</c> (a .tpz's layers from their codes and codebooks).</param>
/// <param name="PlanWeightBytes">Bytes the codes plan holds for its weights (null when the model ran).</param>
/// <param name="Seconds">Wall-clock seconds of the evaluation (data loading excluded).</param>
public sealed record EvaluateReport(
    string Model, string Dataset, string ModelFile, int Images, double TestError, double TestLoss, long Params, long NonzeroParams, double Seconds,
    string Runtime = "model", long? PlanWeightBytes = null);
