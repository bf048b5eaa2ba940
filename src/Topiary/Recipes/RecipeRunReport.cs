// RecipeRunReport: what RecipeRunner did — the dense reference, the pruned model, the compressed container and
// the ONNX export, each with the numbers measured in the run (test errors on the full test set, parameter counts,
// the storage table from the bytes the encoder wrote), the files written and, per stage, whether it ran or was
// reused on --resume. The CLI writes it as report.json (snake_case).
using Topiary.Compression;
using Topiary.Experiments;

namespace Topiary.Recipes;

/// <summary>One stage of a run.</summary>
/// <param name="Name">reference, prune, compress or export.</param>
/// <param name="Resumed">True when the stage's output was reused from an earlier run (--resume), not recomputed.</param>
/// <param name="Seconds">Wall time of the stage in this run (loading only, when resumed).</param>
public sealed record RecipeStage(string Name, bool Resumed, double Seconds);

/// <summary>Kept weights of one layer after pruning.</summary>
/// <param name="Name">Layer name.</param>
/// <param name="Kind">conv or fc.</param>
/// <param name="Weights">Weight elements (fewer after node pruning).</param>
/// <param name="Kept">Non-zero weights.</param>
/// <param name="KeptFraction">Kept / Weights.</param>
public sealed record RecipeLayerDensity(string Name, string Kind, long Weights, long Kept, double KeptFraction);

/// <summary>The pruning stage's result.</summary>
/// <param name="Method">magnitude/&lt;schedule&gt;, scalpel/&lt;hardware&gt; or energy-aware.</param>
/// <param name="TestError">Test error of the pruned model.</param>
/// <param name="Params">Parameter elements after pruning (node pruning removes some).</param>
/// <param name="NonzeroParams">Non-zero parameter elements.</param>
/// <param name="Compression">Reference parameters / non-zero parameters.</param>
/// <param name="Layers">Per layer.</param>
/// <param name="ModelFile">The pruned model file (masks included).</param>
/// <param name="Details">The method's own report (rounds, Scalpel's choices, energy-aware steps); a JSON element when resumed.</param>
public sealed record RecipePruneResult(string Method, double TestError, long Params, long NonzeroParams, double Compression,
    IReadOnlyList<RecipeLayerDensity> Layers, string ModelFile, object? Details);

/// <summary>The export stage's result.</summary>
/// <param name="Onnx">The ONNX file.</param>
/// <param name="SparseInitializers">Whether sparse weights were written as SparseTensorProto.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Source">Which model was exported: pruned, quantized or container.</param>
public sealed record RecipeExportResult(string Onnx, bool SparseInitializers, long Bytes, string Source);

/// <summary>A whole recipe run.</summary>
/// <param name="Recipe">The recipe's source (file path).</param>
/// <param name="Model">Architecture name.</param>
/// <param name="Dataset">Dataset.</param>
/// <param name="Seed">Seed.</param>
/// <param name="OutputDirectory">Where the files are.</param>
/// <param name="Reference">The dense reference (trained or loaded).</param>
/// <param name="Pruned">The pruned model.</param>
/// <param name="Compressed">The compressed model, when the recipe compresses.</param>
/// <param name="Exported">The ONNX export, when the recipe exports.</param>
/// <param name="Stages">Stages in order.</param>
/// <param name="Files">Every file the run wrote (checkpoints excluded).</param>
/// <param name="TotalSeconds">Wall time of this run.</param>
public sealed record RecipeRunReport(string Recipe, string Model, string Dataset, int Seed, string OutputDirectory, ModelSummary Reference,
    RecipePruneResult Pruned, CompressionResult? Compressed, RecipeExportResult? Exported, IReadOnlyList<RecipeStage> Stages,
    IReadOnlyList<string> Files, double TotalSeconds);
