// OnnxExporter: writes any supported Topiary module tree — layers in Sequential / Residual / Concat containers and
// general Graphs (nested, multi-input, multi-output) — as an ONNX model (default domain, opset 13 by default,
// OnnxExportOptions.Opset up to 21; the IR version of the ONNX release that introduced the opset).
// Contract:
//   - The nodes come from OnnxEmitter (the recursion) and OnnxLayerEmitters.*.cs (the module → operator mapping).
//     Node names are module paths; initializers carry the parameter / buffer names (conv1.weight, bn1.running_mean,
//     a graph constant's own name) as float32 raw_data; masked weights are written with the mask applied (zeros),
//     or — with OnnxExportOptions.SparseInitializers — Conv/Gemm weights sparser than the threshold as
//     SparseTensorProto initializers (OnnxSparseTensors).
//   - Inputs and outputs: one per Graph input/output (one for any other module; a GraphOp has OutputCount outputs).
//     Names: those set in the options, else a top-level Graph's own Inputs/Outputs names, else "input"/"output"
//     ("input_0", ... when there are several). Input shapes: float32 [N, ...shape without batch] with the symbolic
//     batch "N"; a fixed batch with OnnxExportOptions.BatchSize; or the full shapes of OnnxExportOptions.InputShapes
//     (-1 = symbolic), e.g. an imported file's [1, 3, 224, 224] kept as is.
//   - Output shapes come from running the model (evaluation mode) on zeros: once with every symbolic input dimension
//     at 1, which also checks that the shapes fit, and, when there are symbolic dimensions, once at 2. An output
//     dimension equal in both runs is written as a value; one that goes 1 → 2 with only the batch symbolic is "N";
//     any other varying dimension is left unknown.
//   - Deterministic: the same model and options give byte-identical files. Written atomically (AtomicFile): an
//     error leaves no file behind.
// Errors: unsupported module → NotSupportedException naming the module path and type; bad shape, name or option →
// ArgumentException (ArgumentOutOfRangeException for numeric options) naming it; IOException from writing.
using Google.Protobuf;
using Topiary.IO;
using Topiary.Nn;
using Topiary.Onnx.Proto;
using Topiary.Tensors;

namespace Topiary.Onnx;

/// <summary>Exports Topiary models (layer chains, Residual / Concat blocks, general Graphs) as ONNX models runnable by ONNX Runtime.</summary>
public static class OnnxExporter
{
    /// <summary>Default-domain operator set version written by default.</summary>
    public const int OpsetVersion = 13;

    // Shape entries: a symbolic dimension (inputs: "N" on axis 0, "<input>_d<axis>" elsewhere; outputs: unknown), and
    // an output dimension that follows the batch ("N").
    private const int Symbolic = -1;
    private const int BatchSymbol = int.MinValue;

    /// <summary>
    /// The IR version written with <paramref name="opset"/>: the one of the ONNX release that introduced that opset
    /// (13–14 → 7, 15–18 → 8, 19–20 → 9, 21 → 10).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opset"/> is outside <see cref="OnnxExportOptions.MinOpset"/>..<see cref="OnnxExportOptions.MaxOpset"/>.</exception>
    public static long IrVersionFor(int opset) => opset switch
    {
        13 or 14 => 7,
        >= 15 and <= 18 => 8,
        19 or 20 => 9,
        21 => 10,
        _ => throw new ArgumentOutOfRangeException(nameof(opset), opset,
            $"The exporter writes opsets {OnnxExportOptions.MinOpset}..{OnnxExportOptions.MaxOpset}."),
    };

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> as an ONNX model with one input of shape
    /// <c>[N, ...inputShapeWithoutBatch]</c> (dense initializers, opset 13).
    /// </summary>
    /// <param name="model">A supported module tree (see the file header).</param>
    /// <param name="inputShapeWithoutBatch">Shape of one example, e.g. <c>[1, 28, 28]</c>.</param>
    /// <param name="path">Target file; replaced atomically.</param>
    /// <param name="inputName">Name of the graph input; null for the model's own (a Graph's input name, else <c>input</c>).</param>
    /// <param name="outputName">Name of the graph output; null for the model's own (a Graph's output name, else <c>output</c>).</param>
    /// <exception cref="ArgumentException">An argument is empty, the input shape has a dimension below 1 or does not fit the model, or names collide.</exception>
    /// <exception cref="NotSupportedException">The model contains a module that cannot be exported; the message names its path and type.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Export(Module model, int[] inputShapeWithoutBatch, string path, string? inputName = null, string? outputName = null) =>
        Export(model, inputShapeWithoutBatch, path, new OnnxExportOptions { InputName = inputName, OutputName = outputName });

    /// <summary>Writes a one-input <paramref name="model"/> to <paramref name="path"/> as an ONNX model, as configured by <paramref name="options"/>.</summary>
    /// <param name="model">A supported module tree (see the file header).</param>
    /// <param name="inputShapeWithoutBatch">Shape of one example, e.g. <c>[1, 28, 28]</c>.</param>
    /// <param name="path">Target file; replaced atomically.</param>
    /// <param name="options">Names, shapes, opset and the sparse-initializer setting.</param>
    /// <exception cref="ArgumentException">
    /// An argument or name is empty, names collide, the input shape has a dimension below 1, does not fit the model or
    /// disagrees with <see cref="OnnxExportOptions.InputShapes"/>, or an option is invalid.
    /// </exception>
    /// <exception cref="NotSupportedException">The model contains a module that cannot be exported; the message names its path and type.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Export(Module model, int[] inputShapeWithoutBatch, string path, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(inputShapeWithoutBatch);
        Export(model, [inputShapeWithoutBatch], path, options);
    }

    /// <summary>
    /// Writes <paramref name="model"/> — typically a <see cref="Graph"/> with several inputs — to <paramref name="path"/>,
    /// input i of shape <c>[N, ...inputShapesWithoutBatch[i]]</c>.
    /// </summary>
    /// <param name="model">A supported module tree (see the file header).</param>
    /// <param name="inputShapesWithoutBatch">Shape of one example of each input, in the model's input order.</param>
    /// <param name="path">Target file; replaced atomically.</param>
    /// <param name="options">Names, shapes, opset and the sparse-initializer setting; null for the defaults.</param>
    /// <exception cref="ArgumentException">
    /// An argument or name is empty, names collide, the number of shapes is not the model's number of inputs, a shape
    /// has a dimension below 1, does not fit the model or disagrees with <see cref="OnnxExportOptions.InputShapes"/>, or
    /// an option is invalid.
    /// </exception>
    /// <exception cref="NotSupportedException">The model contains a module that cannot be exported; the message names its path and type.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Export(Module model, IReadOnlyList<int[]> inputShapesWithoutBatch, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputShapesWithoutBatch);
        Write(model, inputShapesWithoutBatch, path, options ?? new OnnxExportOptions());
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> with the full input shapes of <see cref="OnnxExportOptions.InputShapes"/>.</summary>
    /// <param name="model">A supported module tree (see the file header).</param>
    /// <param name="path">Target file; replaced atomically.</param>
    /// <param name="options">Options with <see cref="OnnxExportOptions.InputShapes"/> set.</param>
    /// <exception cref="ArgumentException"><see cref="OnnxExportOptions.InputShapes"/> is not set, or as for the other overloads.</exception>
    /// <exception cref="NotSupportedException">The model contains a module that cannot be exported; the message names its path and type.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Export(Module model, string path, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.InputShapes is null)
            throw new ArgumentException("OnnxExportOptions.InputShapes must be set when no input shapes are passed.", nameof(options));
        Write(model, null, path, options);
    }

    /// <summary>The ONNX model Export writes for <paramref name="model"/> (shapes resolved, nodes emitted).</summary>
    internal static ModelProto Build(Module model, IReadOnlyList<int[]>? shapesWithoutBatch, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        long irVersion = IrVersionFor(options.Opset);
        if (!(options.SparseDensityThreshold > 0 && options.SparseDensityThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.SparseDensityThreshold, "SparseDensityThreshold must be in (0, 1].");
        if (options.BatchSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be positive.");

        int[][] shapes = FullShapes(shapesWithoutBatch, options);
        int inputCount = model is Graph g ? g.Inputs.Count : model is GraphOp ? shapes.Length : 1;
        if (shapes.Length != inputCount)
            throw new ArgumentException($"The model has {inputCount} input(s); {shapes.Length} input shape(s) given.", nameof(shapesWithoutBatch));
        int outputCount = model is GraphOp op ? op.OutputCount : 1;
        string[] inputNames = Names(options.InputName, options.InputNames, (model as Graph)?.Inputs, inputCount, "input", "InputName");
        string[] outputNames = Names(options.OutputName, options.OutputNames, (model as Graph)?.Outputs, outputCount, "output", "OutputName");
        var all = inputNames.Concat(outputNames).ToList();
        if (all.Distinct(StringComparer.Ordinal).Count() != all.Count)
            throw new ArgumentException($"Input and output names must all differ: {string.Join(", ", all)} (set OnnxExportOptions.InputNames/OutputNames).", nameof(options));

        int[][] outputShapes = OutputShapes(model, shapes, inputNames);

        var graph = new GraphProto { Name = "topiary" };
        var emitter = new OnnxEmitter(graph, options);
        foreach (string name in all) emitter.Claim(name);
        for (int i = 0; i < inputCount; i++) graph.Input.Add(ValueInfo(inputNames[i], shapes[i], isInput: true));
        emitter.Emit(model, inputNames, outputNames, "");
        for (int j = 0; j < outputCount; j++) graph.Output.Add(ValueInfo(outputNames[j], outputShapes[j], isInput: false));

        var proto = new ModelProto
        {
            IrVersion = irVersion,
            ProducerName = "topiary",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        return proto;
    }

    private static void Write(Module model, IReadOnlyList<int[]>? shapesWithoutBatch, string path, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        var proto = Build(model, shapesWithoutBatch, options);
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    // The full input shapes (batch included, -1 = symbolic) from the arguments and options, cross-checked.
    private static int[][] FullShapes(IReadOnlyList<int[]>? withoutBatch, OnnxExportOptions options)
    {
        if (withoutBatch is not null)
        {
            foreach (var s in withoutBatch)
            {
                ArgumentNullException.ThrowIfNull(s, nameof(withoutBatch));
                if (s.Length == 0 || s.Any(d => d < 1))
                    throw new ArgumentException($"Input shape {Tensor.ShapeString(s)} must have at least one dimension, all positive.", "inputShapeWithoutBatch");
            }
        }
        if (options.InputShapes is not { } full)
        {
            int batch = options.BatchSize ?? Symbolic;
            return withoutBatch!.Select(s => (int[])[batch, .. s]).ToArray();
        }
        if (options.BatchSize is not null)
            throw new ArgumentException("Set OnnxExportOptions.BatchSize or InputShapes, not both (InputShapes includes the batch).", nameof(options));
        foreach (var s in full)
        {
            if (s is null || s.Length == 0 || s.Any(d => d < 1 && d != Symbolic))
                throw new ArgumentException($"OnnxExportOptions.InputShapes entry {(s is null ? "null" : Tensor.ShapeString(s))} must have at least one dimension, each positive or -1 (symbolic).", nameof(options));
        }
        if (withoutBatch is not null)
        {
            bool agree = withoutBatch.Count == full.Count;
            for (int i = 0; agree && i < full.Count; i++)
                agree = withoutBatch[i].Length == full[i].Length - 1 && withoutBatch[i].Select((d, k) => full[i][k + 1] == Symbolic || full[i][k + 1] == d).All(x => x);
            if (!agree)
                throw new ArgumentException(
                    $"Input shapes {string.Join(", ", withoutBatch.Select(s => Tensor.ShapeString(s)))} (without batch) disagree with OnnxExportOptions.InputShapes {string.Join(", ", full.Select(s => Tensor.ShapeString(s)))}.",
                    nameof(options));
        }
        return full.Select(s => (int[])s.Clone()).ToArray();
    }

    private static string[] Names(string? single, IReadOnlyList<string>? list, IReadOnlyList<string>? graphNames, int count, string stem, string option)
    {
        string[] names;
        if (single is not null && list is not null)
            throw new ArgumentException($"Set OnnxExportOptions.{option} or {option}s, not both.", "options");
        if (list is not null)
        {
            if (list.Count != count) throw new ArgumentException($"OnnxExportOptions.{option}s has {list.Count} names; the model has {count} {stem}s.", "options");
            names = [.. list];
        }
        else if (single is not null)
        {
            if (count != 1) throw new ArgumentException($"OnnxExportOptions.{option} names one {stem}; the model has {count} (use {option}s).", "options");
            names = [single];
        }
        else if (graphNames is not null) names = [.. graphNames];
        else names = count == 1 ? [stem] : Enumerable.Range(0, count).Select(i => $"{stem}_{i}").ToArray();
        foreach (string n in names)
            if (string.IsNullOrEmpty(n)) throw new ArgumentException($"OnnxExportOptions.{option}: {stem} names must not be empty.", "options");
        return names;
    }

    // Output shapes: values, Symbolic for a dimension that varies otherwise than the batch, BatchSymbol for one that
    // follows it (see the file header).
    private static int[][] OutputShapes(Module model, int[][] shapes, string[] inputNames)
    {
        int[][] first = Probe(model, shapes, 1, inputNames);
        bool anySymbolic = shapes.Any(s => s.Contains(Symbolic));
        if (!anySymbolic) return first;
        int[][] second;
        try
        {
            second = Probe(model, shapes, 2, inputNames);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"The model runs with every symbolic input dimension at 1 but not at 2 ({e.Message}); export it with fixed shapes (OnnxExportOptions.BatchSize or InputShapes).",
                "options", e);
        }
        bool batchOnly = shapes.All(s => !s.Skip(1).Contains(Symbolic));
        var result = new int[first.Length][];
        for (int j = 0; j < first.Length; j++)
        {
            if (first[j].Length != second[j].Length)
                throw new ArgumentException($"Output {j} changes rank with the symbolic input dimensions ({Tensor.ShapeString(first[j])} vs {Tensor.ShapeString(second[j])}); export with fixed shapes.", "options");
            result[j] = first[j].Select((d, k) => d == second[j][k] ? d : batchOnly && d == 1 && second[j][k] == 2 ? BatchSymbol : Symbolic).ToArray();
        }
        return result;
    }

    // Runs the model on zeros with every symbolic dimension at `fill`; returns copies of the output shapes.
    private static int[][] Probe(Module model, int[][] shapes, int fill, string[] inputNames)
    {
        var inputs = shapes.Select(s => new Tensor(s.Select(d => d == Symbolic ? fill : d).ToArray())).ToArray();
        try
        {
            if (model is GraphOp op) return op.Forward(inputs, training: false).Select(t => t.Shape.ToArray()).ToArray();
            return [model.Forward(inputs[0], training: false).Shape.ToArray()];
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"Input shape(s) {string.Join(", ", inputs.Select((t, i) => $"{inputNames[i]} {Tensor.ShapeString(t.Shape)}"))} do not fit the model: {e.Message}",
                "inputShapeWithoutBatch", e);
        }
    }

    // float32 value info. Inputs: -1 on axis 0 is "N", elsewhere "<input>_d<axis>". Outputs: BatchSymbol is "N",
    // -1 is an unknown dimension.
    private static ValueInfoProto ValueInfo(string name, int[] shape, bool isInput)
    {
        var dims = new TensorShapeProto();
        for (int k = 0; k < shape.Length; k++)
        {
            int d = shape[k];
            var dim = new TensorShapeProto.Types.Dimension();
            if (d >= 0) dim.DimValue = d;
            else if (d == BatchSymbol || (isInput && k == 0)) dim.DimParam = "N";
            else if (isInput) dim.DimParam = $"{name}_d{k}";
            dims.Dim.Add(dim);
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = dims } },
        };
    }
}
