// ExportSpec: the export section of a recipe — the run's final model (the decoded container when the recipe
// compresses, else the pruned model) written as ONNX by Topiary.Onnx.OnnxExporter, optionally with sparse
// (SparseTensorProto) initializers for weights below the exporter's density threshold.
using Topiary.Settings;

namespace Topiary.Recipes;

/// <summary>ONNX export of the run's final model (YAML section <c>export</c>).</summary>
public sealed record ExportSpec
{
    /// <summary>The ONNX file; relative paths are under the run's output directory. YAML <c>onnx</c>, default <c>model.onnx</c>.</summary>
    [Setting("onnx", "The ONNX file (relative: under the output directory).")]
    public string Onnx { get; init; } = "model.onnx";

    /// <summary>Write sparse weights as SparseTensorProto initializers. YAML <c>sparse_initializers</c>, default false.</summary>
    [Setting("sparse_initializers", "Write sparse weights as SparseTensorProto initializers.")]
    public bool SparseInitializers { get; init; }
}
