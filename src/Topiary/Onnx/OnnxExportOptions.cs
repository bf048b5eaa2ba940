// OnnxExportOptions: how OnnxExporter names the graph's input/output and whether pruned weights are written as
// SparseTensorProto (COO) initializers instead of dense tensors with zeros. Immutable; validated by the exporter.
namespace Topiary.Onnx;

/// <summary>Options for <see cref="OnnxExporter.Export(Nn.Module, int[], string, OnnxExportOptions)"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Name of the graph input (default <c>input</c>).</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the graph output (default <c>output</c>); must differ from <see cref="InputName"/>.</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>
    /// When true, every Conv / Gemm weight whose density (non-zeros / elements) is below
    /// <see cref="SparseDensityThreshold"/> is written to <c>graph.sparse_initializer</c> as a SparseTensorProto:
    /// values FLOAT [NNZ], indices INT64 [NNZ] (ascending linear row-major indices), dims = the weight shape.
    /// Default false (dense tensors; pruned entries are zeros).
    /// </summary>
    public bool SparseInitializers { get; init; }

    /// <summary>Density below which a weight is written sparse when <see cref="SparseInitializers"/> is set; in (0, 1], default 0.3: a COO entry costs 12 bytes (4-byte value, 8-byte index) against 4 per dense weight, so sparse pays off below 1/3.</summary>
    public double SparseDensityThreshold { get; init; } = 0.3;
}
