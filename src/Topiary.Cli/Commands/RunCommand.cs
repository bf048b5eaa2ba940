// `topiary run --recipe FILE [--out DIR] [--resume] [--json r.json]`: one YAML recipe drives a whole run —
// data, the dense reference (trained or model_file), pruning (magnitude, scalpel or energy-aware), Deep
// Compression into a .tpz container, ONNX export — through Topiary.Recipes.RecipeRunner. Writes the model
// files, the stage records and report.json into DIR (default runs/<recipe name>); --resume reuses finished
// stages and continues an interrupted one from its checkpoint.
using System.CommandLine;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Recipes;

namespace Topiary.Cli.Commands;

/// <summary>The <c>run</c> command.</summary>
public static class RunCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var recipeFile = new Option<string>("--recipe") { Description = "The YAML recipe (see recipes/).", Required = true };
        var outDir = new Option<string?>("--out") { Description = "Output directory (default: runs/<recipe file name>)." };
        var resume = new Option<bool>("--resume") { Description = "Reuse finished stages; continue an interrupted one from its checkpoint." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("run", "Run a whole YAML recipe: train, prune, compress, export; report.json in the output directory.")
        {
            recipeFile, outDir, resume, json, threads,
        };
        return cmd.Runs((parse, ct) =>
        {
            string path = parse.GetValue(recipeFile)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such recipe file.", path);
            string dir = parse.GetValue(outDir) ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(path));
            Recipe recipe = RecipeLoader.Load(path);
            OutputGuard.Check([("--recipe", path), ("the recipe's model_file", recipe.ModelFile)],
            [
                ("--json", parse.GetValue(json)), ("--out (report.json)", Path.Combine(dir, "report.json")),
                .. new[] { RecipeRunner.ReferenceFile, RecipeRunner.PrunedFile, RecipeRunner.ContainerFile, RecipeRunner.QuantizedFile, RecipeRunner.RecipeCopyFile }
                    .Select(f => ($"--out ({f})", (string?)Path.Combine(dir, f))),
                ("the recipe's export onnx", recipe.Export is { } export ? Path.GetFullPath(export.Onnx, Path.GetFullPath(dir)) : null),
            ]);
            var options = new RecipeRunOptions { OutputDirectory = dir, Resume = parse.GetValue(resume), Source = path };
            var messages = CliOutput.Messages();
            var report = TrainingProgressRenderer.Run($"run {Path.GetFileName(path)}", p => RecipeRunner.Run(recipe, options, p, messages, ct));
            Print(report);
            JsonReport.WriteRun(report.OutputDirectory, parse.GetValue(json), report, "report.json");
            return 0;
        }, threads);
    }

    private static void Print(RecipeRunReport r)
    {
        var t = new Table().Title($"{Markup.Escape(r.Model)} on {Markup.Escape(r.Dataset)} (seed {r.Seed}): {Markup.Escape(r.Pruned.Method)}")
            .AddColumns("stage", "test error", "parameters", "non-zero", "size", "");
        t.AddRow("reference", CliOutput.Pct(r.Reference.TestError), $"{r.Reference.Params:N0}", $"{r.Reference.NonzeroParams:N0}", "", Reused(r, "reference"));
        t.AddRow("pruned", CliOutput.Pct(r.Pruned.TestError), $"{r.Pruned.Params:N0}", $"{r.Pruned.NonzeroParams:N0}", $"[bold]{r.Pruned.Compression:F1}x[/] fewer", Reused(r, "prune"));
        if (r.Compressed is { } c)
        {
            double? error = c.ContainerError ?? c.FineTunedError ?? c.QuantizedError;
            t.AddRow(c.ContainerError is null ? "quantized" : "container (decoded)", error is double e ? CliOutput.Pct(e) : "", "", "",
                $"{c.BytesOriginal / 1000:F0} KB → {c.BytesCompressed / 1000:F1} KB ([bold]{c.Compression:F1}x[/])", Reused(r, "compress"));
        }
        AnsiConsole.Write(t);
        CliOutput.Table("weights kept per layer", ["layer", "kind", "weights", "kept", "kept %"],
            r.Pruned.Layers.Select(l => new[] { Markup.Escape(l.Name), l.Kind, $"{l.Weights:N0}", $"{l.Kept:N0}", CliOutput.Pct(l.KeptFraction) }));
        if (r.Exported is { } x)
            AnsiConsole.MarkupLine($"ONNX ({x.Source}{(x.SparseInitializers ? ", sparse initializers" : "")}): [bold]{Markup.Escape(x.Onnx)}[/] ({x.Bytes:N0} bytes)");
        AnsiConsole.MarkupLine($"time: {string.Join(", ", r.Stages.Select(s => $"{s.Name} {s.Seconds:F0} s{(s.Resumed ? " (reused)" : "")}"))}; total {r.TotalSeconds:F0} s");
    }

    private static string Reused(RecipeRunReport r, string stage) => r.Stages.Any(s => s.Name == stage && s.Resumed) ? "[grey]reused[/]" : "";
}
