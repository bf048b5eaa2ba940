// OnnxExportOptions: what OnnxExporter writes around the network — the names of the graph inputs/outputs, their
// shapes (symbolic batch "N" by default, a fixed batch, or the full shapes of an imported file), the operator set,
// and whether pruned weights are SparseTensorProto (COO) initializers instead of dense tensors with zeros.
// Immutable; validated by the exporter (ArgumentException naming the option).
// Names: null means "the model's own": a top-level Graph keeps its Inputs/Outputs names; any other model is
// "input"/"output" (or "input_0", "input_1", ... when it has several). A name set here always wins.
namespace Topiary.Onnx;

/// <summary>Options for <see cref="OnnxExporter"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Lowest operator-set version the exporter writes.</summary>
    public const int MinOpset = 13;

    /// <summary>Highest operator-set version the exporter writes.</summary>
    public const int MaxOpset = 21;

    /// <summary>
    /// Name of the (single) graph input, or null for the model's own: a top-level <see cref="Nn.Graph"/>'s input name,
    /// else <c>input</c>. Only for one-input models; use <see cref="InputNames"/> for several.
    /// </summary>
    public string? InputName { get; init; }

    /// <summary>
    /// Name of the (single) graph output, or null for the model's own: a top-level <see cref="Nn.Graph"/>'s output name,
    /// else <c>output</c>. Only for one-output models; use <see cref="OutputNames"/> for several.
    /// </summary>
    public string? OutputName { get; init; }

    /// <summary>Names of all graph inputs in the model's input order (overrides the model's own); null for the defaults. Not together with <see cref="InputName"/>.</summary>
    public IReadOnlyList<string>? InputNames { get; init; }

    /// <summary>Names of all graph outputs in the model's output order (overrides the model's own); null for the defaults. Not together with <see cref="OutputName"/>.</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }

    /// <summary>
    /// Full input shapes including the batch axis, one per input, with <c>-1</c> for a symbolic dimension (named
    /// <c>N</c> on axis 0, <c>&lt;input&gt;_d&lt;axis&gt;</c> elsewhere). Lets a re-export keep an imported file's
    /// shapes exactly, e.g. a fixed <c>[1, 3, 224, 224]</c>. Null (default): <c>[N, ...shape without batch]</c> from the
    /// Export arguments. When both are given they must agree. Not together with <see cref="BatchSize"/>.
    /// </summary>
    public IReadOnlyList<int[]>? InputShapes { get; init; }

    /// <summary>A fixed batch size written as the first dimension of every input (positive), or null (default) for the symbolic <c>N</c>.</summary>
    public int? BatchSize { get; init; }

    /// <summary>
    /// Default-domain operator-set version, <see cref="MinOpset"/>..<see cref="MaxOpset"/> (default 13). The IR version
    /// written is the one of the ONNX release that introduced it (<see cref="OnnxExporter.IrVersionFor(int)"/>). Newer
    /// opsets select newer operator forms where they exist (HardSwish from 14, ReduceMean axes as an input from 18).
    /// </summary>
    public int Opset { get; init; } = OnnxExporter.OpsetVersion;

    /// <summary>
    /// When true, every Conv / Gemm weight whose density (non-zeros / elements) is below
    /// <see cref="SparseDensityThreshold"/> is written to <c>graph.sparse_initializer</c> as a SparseTensorProto:
    /// values FLOAT [NNZ], indices INT64 [NNZ] (ascending linear row-major indices), dims = the weight shape.
    /// Default false (dense tensors; pruned entries are zeros).
    /// </summary>
    public bool SparseInitializers { get; init; }

    /// <summary>
    /// Options that re-export an imported model as its file described it: the file's input names and full input shapes
    /// (fixed dimensions stay fixed, symbolic ones symbolic), its output names, and its opset (clamped to
    /// <see cref="MinOpset"/>..<see cref="MaxOpset"/>). Symbolic dimensions other than the batch are probed at 1 and 2
    /// (see <see cref="OnnxExporter"/>); a model that cannot run at those sizes needs fixed <see cref="InputShapes"/>.
    /// </summary>
    /// <param name="info">What <see cref="OnnxImporter"/> reported about the file.</param>
    public static OnnxExportOptions Matching(OnnxImportInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new OnnxExportOptions
        {
            InputNames = info.Inputs.Select(i => i.Name).ToArray(),
            InputShapes = info.Inputs.Select(i => (int[])i.Shape.Clone()).ToArray(),
            OutputNames = info.Outputs.ToArray(),
            Opset = (int)Math.Clamp(info.OpsetVersion, MinOpset, MaxOpset),
        };
    }

    /// <summary>Density below which a weight is written sparse when <see cref="SparseInitializers"/> is set; in (0, 1], default 0.3: a COO entry costs 12 bytes (4-byte value, 8-byte index) against 4 per dense weight, so sparse pays off below 1/3.</summary>
    public double SparseDensityThreshold { get; init; } = 0.3;
}
