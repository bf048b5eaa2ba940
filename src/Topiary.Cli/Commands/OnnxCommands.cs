// `topiary import` / `topiary export`: ONNX in and out. Import turns an ONNX graph into a Topiary model file
// (architecture + weights + the input transform the model expects), so every other command — evaluate,
// sensitivity, prune — works on it; export writes a model file (zoo or imported, pruned or not) as ONNX — an
// imported one under its file's input/output names, input shapes and opset (recorded at import).
using System.CommandLine;
using Spectre.Console;
using Topiary.Cli.Reports;
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Onnx;

namespace Topiary.Cli.Commands;

/// <summary>The <c>import</c> and <c>export</c> commands.</summary>
public static class OnnxCommands
{
    /// <summary>Builds <c>import</c>.</summary>
    public static Command BuildImport()
    {
        var file = new Argument<string>("onnx-file") { Description = "The ONNX model to import." };
        var output = new Option<string?>("--out") { Description = "Model file to write (default: <onnx-file>.safetensors)." };
        var transform = new Option<string?>("--input-transform")
        {
            Description = $"Normalisation the model was trained with: {string.Join(", ", ImageTransform.PresetNames)} " +
                "(default: imagenet for an input of three colour channels, else mnist-normalize).",
        };
        var dataset = new Option<string>("--dataset") { Description = "Dataset the model classifies.", DefaultValueFactory = _ => "mnist" };
        var verify = new Option<bool>("--verify")
        {
            Description = "Run ONNX Runtime on the file and Topiary on the imported model with the same input; exit 1 when an output differs by more than 1e-4·max|output|.",
        };
        var verifyInput = new Option<string[]>("--input")
        {
            Description = "With --verify: .npy arrays to feed instead of seeded random values (one per graph input, full shape with the batch axis).",
            AllowMultipleArgumentsPerToken = true,
        };
        var seed = new Option<int>("--seed") { Description = "With --verify: seed of the random input.", DefaultValueFactory = _ => 1 };
        var inputShape = new Option<string[]>("--input-shape")
        {
            Description = "Per-example shape for an input with symbolic dimensions, as NAME=3,224,224 (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var json = CommonOptions.Json();
        var cmd = new Command("import", "Import an ONNX model into a Topiary model file (and optionally verify it against ONNX Runtime).")
        {
            file, output, transform, dataset, verify, verifyInput, seed, inputShape, json,
        };
        return cmd.Runs((parse, ct) =>
        {
            string input = parse.GetValue(file)!;
            string outPath = parse.GetValue(output) ?? Path.ChangeExtension(input, ".safetensors");
            var arrays = parse.GetValue(verifyInput) ?? [];
            OutputGuard.Check([("onnx-file", input), .. arrays.Select(a => ("--input", (string?)a))], [("--out", outPath), ("--json", parse.GetValue(json))]);
            string? givenTransform = parse.GetValue(transform);
            if (givenTransform is not null) ImageTransform.Preset(givenTransform);
            if (!File.Exists(input)) throw new FileNotFoundException($"{input}: no such ONNX file.", input);
            var options = new OnnxImportOptions { InputShapes = ParseInputShapes(parse.GetValue(inputShape) ?? []) };
            var (model, info) = OnnxImporter.Import(input, options);
            string transformName = givenTransform ?? PredictModel.OnnxDefaultTransform(info.InputShape);

            IReadOnlyList<OnnxVerifyOutput>? verified = null;
            if (parse.GetValue(verify))
            {
                var feeds = arrays.Length > 0
                    ? arrays.Select(ReadArray).ToArray()
                    : OnnxVerify.SeededInputs(info, parse.GetValue(seed));
                verified = OnnxVerify.Compare(input, model, info, feeds);
            }
            bool passed = verified is null || verified.All(v => v.Passed);
            string name = "onnx:" + Path.GetFileNameWithoutExtension(input);
            if (passed)
            {
                var metadata = new Dictionary<string, string> { ["dataset"] = parse.GetValue(dataset)!, [ModelFile.InputTransformKey] = transformName };
                foreach (var (key, value) in OnnxInterface.Metadata(info, input)) metadata[key] = value;
                if (info.InputShape is { } shape) metadata[ModelFile.InputShapeKey] = ModelInputShape.Format(shape); // read by `topiary predict`
                ModelFile.Save(outPath, name, model, metadata);
            }
            CliOutput.Table($"imported {Markup.Escape(input)}", ["layer", "module", "parameters"], model.NamedChildren().Take(200).Select(c =>
                new[] { Markup.Escape(c.Name), Markup.Escape(c.Module.ToString() ?? ""), $"{c.Module.ParameterCount():N0}" }));
            if (verified is not null)
            {
                CliOutput.Table("ONNX Runtime vs Topiary", ["output", "shape", "max |diff|", "max |output|", "tolerance", "result"], verified.Select(r => new[]
                {
                    Markup.Escape(r.Output), Markup.Escape(Tensors.Tensor.ShapeString(r.Shape)), $"{r.MaxAbsDifference:G3}", $"{r.MaxAbsReference:G4}", $"{r.Tolerance:G3}",
                    r.Passed ? "[green]ok[/]" : "[red]differs[/]",
                }));
            }
            if (passed)
                AnsiConsole.MarkupLine($"saved [bold]{Markup.Escape(outPath)}[/] ({model.ParameterCount():N0} parameters, input transform {transformName})");
            JsonReport.Write(parse.GetValue(json), new ImportReport(name, input, passed ? outPath : null, model.ParameterCount(), info.ProducerName,
                info.OpsetVersion, info.Inputs, info.Outputs, transformName, info.EndsWithSoftmax, verified));
            if (!passed)
            {
                var worst = verified!.First(r => !r.Passed);
                Console.Error.WriteLine($"error: {input}: output '{worst.Output}' differs from ONNX Runtime by {worst.MaxAbsDifference:G3} (tolerance {worst.Tolerance:G3}); nothing was saved.");
                return CliApp.Failure;
            }
            return 0;
        });
    }

    private static Tensors.Tensor ReadArray(string path)
    {
        var npy = IO.NpyReader.Read(path);
        return new Tensors.Tensor(npy.Values, npy.Shape.ToArray());
    }

    // "name=3,224,224" → {name: [3, 224, 224]}.
    private static Dictionary<string, int[]> ParseInputShapes(string[] values)
    {
        var result = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            int eq = v.LastIndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--input-shape '{v}': expected NAME=D1,D2,... (the per-example shape without the batch).");
            var dims = v[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries);
            var shape = new int[dims.Length];
            for (int i = 0; i < dims.Length; i++)
                if (!int.TryParse(dims[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out shape[i]) || shape[i] < 1)
                    throw new ArgumentException($"--input-shape '{v}': dimension '{dims[i]}' is not a positive integer.");
            result[v[..eq]] = shape;
        }
        return result;
    }

    /// <summary>Builds <c>export</c>.</summary>
    public static Command BuildExport()
    {
        var file = CommonOptions.ModelFileFlag("The model file to export.");
        var output = new Option<string>("--out") { Description = "The ONNX file to write.", Required = true };
        var sparse = new Option<bool>("--sparse-initializers")
        {
            Description = "Write Conv/Gemm weights with density below 0.3 as SparseTensorProto (COO) initializers instead of dense zeros.",
        };
        var cmd = new Command("export", "Export a model file as ONNX (pruned weights as zeros, or sparse initializers).") { file, output, sparse };
        return cmd.Reports((parse, json, ct) =>
        {
            string input = parse.GetValue(file)!, outPath = parse.GetValue(output)!;
            OutputGuard.Check([("--model-file", input)], [("--out", outPath), ("--json", json)]);
            var loaded = ModelFile.Load(input);
            Export(loaded.Network, loaded, input, outPath, ModelZoo.Names.Contains(loaded.Name) ? ModelZoo.Get(loaded.Name).InputShape : [1, 28, 28],
                parse.GetValue(sparse));
            long nonzero = Pruning.PruningState.NonZeroParameters(loaded.Network);
            AnsiConsole.MarkupLine($"exported {Markup.Escape(loaded.Name)} ({nonzero:N0} non-zero of {loaded.Network.ParameterCount():N0} parameters) → [bold]{Markup.Escape(outPath)}[/]");
            return new ExportReport(loaded.Name, input, outPath, loaded.Network.ParameterCount(), nonzero);
        }, threads: false);
    }

    /// <summary>
    /// Exports <paramref name="model"/> (the network of <paramref name="loaded"/>, read from <paramref name="file"/>, or a
    /// pruned copy of it) to <paramref name="outPath"/> under the interface its ONNX file had when it was imported (<see cref="OnnxInterface"/>);
    /// a model without one takes <paramref name="inputShape"/> (per example) and the default names.
    /// </summary>
    public static void Export(Module model, LoadedModel loaded, string file, string outPath, int[] inputShape, bool sparseInitializers = false)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var options = OnnxInterface.ExportOptions(loaded.Metadata, file) with { SparseInitializers = sparseInitializers };
        if (options.InputShapes is not null) OnnxExporter.Export(model, outPath, options);
        else OnnxExporter.Export(model, inputShape, outPath, options);
    }
}
