// `topiary compress` / `topiary decompress`: Deep Compression's stages 2–3 on a saved (pruned) model —
// k-means weight sharing, centroid fine-tuning, relative indices + Huffman into a .tpz container — and
// back from a container to a safetensors model file. `topiary evaluate` runs .tpz files directly.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Reports;
using Topiary.Compression;
using Topiary.Compression.Quantization;
using Topiary.Data;
using Topiary.Experiments;
using Topiary.Models;
using Topiary.Recipes;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>The <c>compress</c> and <c>decompress</c> commands.</summary>
public static class CompressCommand
{
    /// <summary>Builds <c>compress</c>.</summary>
    public static Command Build()
    {
        var file = new Option<string>("--model-file") { Description = "A (pruned) model file.", Required = true };
        var output = new Option<string>("--out") { Description = "The .tpz container to write.", Required = true };
        var bits = new Option<string?>("--bits") { Description = "Weight bits, e.g. conv=8,fc=5 or fc1=6 (default: the paper's)." };
        var indexBits = new Option<string?>("--index-bits") { Description = "Relative-index bits, e.g. conv=8,fc=5 (default: the best width per layer)." };
        var seed = new Option<int>("--seed") { Description = "Seed of k-means and fine-tuning.", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("compress", "Weight sharing + Huffman coding of a model into a .tpz container.")
        {
            file, output, bits, indexBits, seed, json, threads,
        };
        var spec = new SettingFlags<CompressSpec>(cmd, new CompressSpec(), "huffman"); // the recipe's compress keys; a container always
        return cmd.Runs((parse, ct) =>
        {
            string input = parse.GetValue(file)!, outPath = parse.GetValue(output)!;
            OutputGuard.Check([("--model-file", input)], [("--out", outPath), ("--json", parse.GetValue(json))]);
            var c = spec.Bind(parse, new CompressSpec());
            var loaded = ModelFile.Load(input);
            c = c with
            {
                Bits = parse.GetValue(bits) is { } b ? Spec(BitsRule.Parse(b, BitsRule.Paper(loaded.Name))) : null,
                IndexBits = parse.GetValue(indexBits) is { } ib ? Spec(BitsRule.Parse(ib, BitsRule.Default)) : null,
            };
            var train = CommonOptions.Data(loaded, null, ct, DatasetSplit.Train); // the pixels the model was trained on
            var test = CommonOptions.Data(loaded, null, ct);
            double inputError = TrainingRun.Evaluate(loaded.Network, test, ct).Error;
            var metadata = new Dictionary<string, string> { ["dataset"] = CommonOptions.DatasetOf(loaded, null) };
            if (loaded.Metadata.TryGetValue(ModelFile.InputTransformKey, out string? transform)) metadata[ModelFile.InputTransformKey] = transform;
            var messages = CliOutput.Messages();
            var (result, _, encoded) = Rendering.TrainingProgressRenderer.Run($"compress {loaded.Name}",
                p => ModelCompressor.Run(loaded.Name, loaded.Network, ModelZoo.Get(loaded.Name).Recipe, train, test,
                    RecipeSchedules.Compression(c, loaded.Name, parse.GetValue(seed)), outPath, metadata, p, messages, ct));
            double error = result.ContainerError!.Value;
            var errors = new List<StageError> { new("input", inputError), new("quantization", result.QuantizedError) };
            if (result.FineTunedError is { } fineTuned) errors.Add(new("trained quantization", fineTuned));
            errors.Add(new("container (decoded)", error));
            var account = StorageAccount.From(encoded);
            var table = new Table().Title($"{loaded.Name} → {Markup.Escape(outPath)}").AddColumns("stage", "KB", "compression");
            foreach (var s in account.Stages) table.AddRow(s.Name, (s.Bytes / 1000).ToString("F1", CultureInfo.InvariantCulture), $"{s.Compression:F1}x");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"test error {inputError * 100:F2}% → [bold]{error * 100:F2}%[/] (decoded container)");
            double original = 4.0 * loaded.Network.ParameterCount();
            JsonReport.Write(parse.GetValue(json), new CompressReport(loaded.Name, original, encoded.Bytes.Length, original / encoded.Bytes.Length,
                account.Stages, account.Layers, new ErrorSummary(inputError), new ErrorSummary(error), errors, outPath));
            return 0;
        }, threads);
    }

    // A parsed --bits / --index-bits rule as the recipe's bits value (every width explicit).
    private static BitsSpec Spec(BitsRule rule) => new(rule.ConvBits, rule.FcBits, new RecipeMap<int>(rule.LayerBits));

    /// <summary>Builds <c>decompress</c>.</summary>
    public static Command BuildDecompress()
    {
        var file = new Option<string>("--model-file") { Description = "A .tpz container.", Required = true };
        var output = new Option<string>("--out") { Description = "The .safetensors model file to write.", Required = true };
        var json = CommonOptions.Json();
        var cmd = new Command("decompress", "Decode a .tpz container into a safetensors model file (masks included).") { file, output, json };
        return cmd.Runs((parse, ct) =>
        {
            string input = parse.GetValue(file)!, outPath = parse.GetValue(output)!;
            OutputGuard.Check([("--model-file", input)], [("--out", outPath), ("--json", parse.GetValue(json))]);
            var loaded = Compression.Container.CompressedModel.Load(input);
            ModelFile.Save(outPath, loaded.Name, loaded.Network, loaded.Metadata);
            long nonzero = Pruning.PruningState.NonZeroParameters(loaded.Network);
            AnsiConsole.MarkupLine($"decoded {loaded.Name}: {nonzero:N0} non-zero parameters → [bold]{Markup.Escape(outPath)}[/]");
            JsonReport.Write(parse.GetValue(json), new DecompressReport(loaded.Name, input, outPath, nonzero));
            return 0;
        });
    }
}
