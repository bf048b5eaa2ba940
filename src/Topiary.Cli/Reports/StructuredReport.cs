// StructuredReport: what `topiary reproduce structured --json` writes — the model, the channel-pruning settings, the
// dense and pruned models (error, MACs, parameters, files), the speed-ups and median latencies of both in Topiary and
// ONNX Runtime at batch 1 and 64, and the channel-pruning result's layers, rounds and what could not be pruned.
using Topiary.Pruning.Channels;

namespace Topiary.Cli.Reports;

/// <summary>The <c>reproduce structured</c> command's JSON report.</summary>
/// <param name="Model">The zoo model.</param>
/// <param name="Dataset">Dataset trained, fine-tuned and evaluated on.</param>
/// <param name="Criterion">Channel ranking, lower case (<c>l1</c>, <c>l2</c>, <c>bnscale</c>, <c>taylor</c>, <c>random</c>).</param>
/// <param name="Target">The MACs-reduction target with its scope and rounding.</param>
/// <param name="Rounds">Prune → fine-tune rounds.</param>
/// <param name="EpochsPerRound">Fine-tuning epochs per round.</param>
/// <param name="FinalEpochs">Extra fine-tuning epochs after the last round.</param>
/// <param name="Dense">The dense model.</param>
/// <param name="Pruned">The channel-pruned model.</param>
/// <param name="MacsReduction">Dense MACs ÷ pruned MACs.</param>
/// <param name="OrtSpeedupBatch1">ONNX Runtime: dense median ÷ pruned median at batch 1.</param>
/// <param name="OrtSpeedupBatch64">The same at batch 64.</param>
/// <param name="TopiarySpeedupBatch1">Topiary (Module.Forward): dense median ÷ pruned median at batch 1.</param>
/// <param name="TopiarySpeedupBatch64">The same at batch 64.</param>
/// <param name="Threads">Threads of the timing.</param>
/// <param name="LatencyUs"><c>batch1</c> / <c>batch64</c> → contender (<c>topiary_dense</c>, …) → median µs per call.</param>
/// <param name="Layers">Output channels per layer before and after.</param>
/// <param name="History">The rounds.</param>
/// <param name="Unprunable">Channels that could not be pruned, and why.</param>
/// <param name="Unsupported">Layers the dependency analysis does not support.</param>
public sealed record StructuredReport(string Model, string Dataset, string Criterion, ChannelTarget Target, int Rounds, int EpochsPerRound,
    int FinalEpochs, StructuredModel Dense, StructuredModel Pruned, double MacsReduction, double OrtSpeedupBatch1, double OrtSpeedupBatch64,
    double TopiarySpeedupBatch1, double TopiarySpeedupBatch64, int Threads, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> LatencyUs,
    IReadOnlyList<LayerChannels> Layers, IReadOnlyList<ChannelRound> History, IReadOnlyList<UnprunableChannels> Unprunable,
    IReadOnlyList<UnsupportedLayer> Unsupported);

/// <summary>One model of <see cref="StructuredReport"/>, dense or pruned.</summary>
/// <param name="TestError">Test error; null (absent) when not measured.</param>
/// <param name="Macs">Forward MACs per example.</param>
/// <param name="Params">Parameters.</param>
/// <param name="ModelFile">Its model file.</param>
/// <param name="Onnx">Its ONNX export.</param>
public sealed record StructuredModel(double? TestError, long Macs, long Params, string ModelFile, string Onnx);
