// `topiary import` / `topiary export`: ONNX in and out. Import turns an ONNX graph into a Topiary model file
// (architecture + weights + the input transform the model expects), so every other command — evaluate,
// sensitivity, prune — works on it; export writes a model file (zoo or imported, pruned or not) as ONNX.
using System.CommandLine;
using Spectre.Console;
using Topiary.Data;
using Topiary.Models;
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
        var transform = new Option<string>("--input-transform")
        {
            Description = $"Pixel scaling the model was trained with: {string.Join(", ", PixelTransform.Names)}.",
            DefaultValueFactory = _ => "mnist-normalize",
        };
        var dataset = new Option<string>("--dataset") { Description = "Dataset the model classifies.", DefaultValueFactory = _ => "mnist" };
        var json = CommonOptions.Json();
        var cmd = new Command("import", "Import an ONNX model into a Topiary model file.") { file, output, transform, dataset, json };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            string input = parse.GetValue(file)!;
            string outPath = parse.GetValue(output) ?? Path.ChangeExtension(input, ".safetensors");
            OutputGuard.Check([("onnx-file", input)], [("--out", outPath), ("--json", parse.GetValue(json))]);
            string transformName = parse.GetValue(transform)!;
            PixelTransform.ByName(transformName);
            if (!File.Exists(input)) throw new FileNotFoundException($"{input}: no such ONNX file.", input);
            var (model, info) = OnnxImporter.Import(input);
            string name = "onnx:" + Path.GetFileNameWithoutExtension(input);
            var metadata = new Dictionary<string, string>
            {
                ["dataset"] = parse.GetValue(dataset)!,
                [ModelFile.InputTransformKey] = transformName,
                ["onnx.source"] = Path.GetFileName(input),
                ["onnx.producer"] = $"{info.ProducerName} {info.ProducerVersion}".Trim(),
                ["onnx.opset"] = info.OpsetVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (info.InputShape is { } shape) metadata[ModelFile.InputShapeKey] = ModelInputShape.Format(shape); // read by `topiary predict`
            ModelFile.Save(outPath, name, model, metadata);
            var t = new Table().Title($"imported {Markup.Escape(input)}").AddColumns("layer", "module", "parameters");
            foreach (var (n, m) in model.NamedChildren())
                t.AddRow(Markup.Escape(n), Markup.Escape(m.ToString() ?? ""), $"{m.ParameterCount():N0}");
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine($"saved [bold]{Markup.Escape(outPath)}[/] ({model.ParameterCount():N0} parameters, input transform {transformName})");
            JsonReport.Write(parse.GetValue(json), new
            {
                Model = name,
                Source = input,
                ModelFile = outPath,
                Params = model.ParameterCount(),
                info.ProducerName,
                info.OpsetVersion,
                InputTransform = transformName,
                EndsWithSoftmax = info.EndsWithSoftmax,
            });
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    /// <summary>Builds <c>export</c>.</summary>
    public static Command BuildExport()
    {
        var file = new Option<string>("--model-file") { Description = "The model file to export.", Required = true };
        var output = new Option<string>("--out") { Description = "The ONNX file to write.", Required = true };
        var sparse = new Option<bool>("--sparse-initializers")
        {
            Description = "Write Conv/Gemm weights with density below 0.3 as SparseTensorProto (COO) initializers instead of dense zeros.",
        };
        var json = CommonOptions.Json();
        var cmd = new Command("export", "Export a model file as ONNX (pruned weights as zeros, or sparse initializers).") { file, output, sparse, json };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            string input = parse.GetValue(file)!, outPath = parse.GetValue(output)!;
            OutputGuard.Check([("--model-file", input)], [("--out", outPath), ("--json", parse.GetValue(json))]);
            var loaded = ModelFile.Load(input);
            int[] inputShape = ModelZoo.Names.Contains(loaded.Name) ? ModelZoo.Get(loaded.Name).InputShape : [1, 28, 28];
            OnnxExporter.Export(loaded.Network, inputShape, outPath, new OnnxExportOptions { SparseInitializers = parse.GetValue(sparse) });
            long nonzero = Pruning.PruningState.NonZeroParameters(loaded.Network);
            AnsiConsole.MarkupLine($"exported {Markup.Escape(loaded.Name)} ({nonzero:N0} non-zero of {loaded.Network.ParameterCount():N0} parameters) → [bold]{Markup.Escape(outPath)}[/]");
            JsonReport.Write(parse.GetValue(json), new { Model = loaded.Name, ModelFile = input, Onnx = outPath, Params = loaded.Network.ParameterCount(), NonzeroParams = nonzero });
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }
}
