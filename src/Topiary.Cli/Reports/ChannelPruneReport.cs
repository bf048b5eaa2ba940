// ChannelPruneReport: what `topiary prune --structure channel --json` writes — the model, the criterion and target,
// the channel-pruning result (MACs and parameters before/after, channels per layer, rounds, what could not be pruned)
// and the files written.
using Topiary.Pruning.Channels;

namespace Topiary.Cli.Reports;

/// <summary>The <c>prune --structure channel</c> command's JSON report.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Dataset">Dataset fine-tuned and evaluated on; null (absent) when the run needed no data.</param>
/// <param name="Structure">Always <c>channel</c>.</param>
/// <param name="Criterion">Channel ranking: <c>l1</c>, <c>l2</c>, <c>bnscale</c>, <c>taylor</c> or <c>random</c>.</param>
/// <param name="Target">The channel-sparsity or MACs-reduction target with its scope, max ratio and rounding.</param>
/// <param name="Result">MACs and parameters before/after, per-layer channels, rounds, unprunable and unsupported layers.</param>
/// <param name="ModelFile">The pruned model written (<c>--out</c>).</param>
/// <param name="Onnx">The ONNX export (<c>--export</c>); null (absent) otherwise.</param>
public sealed record ChannelPruneReport(string Model, string? Dataset, string Structure, string Criterion, ChannelTarget Target,
    ChannelPruningResult Result, string ModelFile, string? Onnx);
