// `topiary reproduce han2015 --model lenet-300-100|lenet-5`: Han et al. 2015 end to end.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Experiments;
using Topiary.Models;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce han2015</c> command.</summary>
public static class Han2015Command
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "lenet-300-100 or lenet-5.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of training and pruning.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Work directory for checkpoints, plots and the report (default: runs/han2015-<model>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoints in the work directory." };
        var rounds = new Option<int>("--rounds") { Description = "Prune/retrain rounds.", DefaultValueFactory = _ => 10 };
        var epochs = new Option<int>("--epochs-per-round") { Description = "Retraining epochs per round.", DefaultValueFactory = _ => 3 };
        var finalEpochs = new Option<int>("--final-epochs") { Description = "Extra fine-tuning epochs after the last round.", DefaultValueFactory = _ => 6 };
        var lrScale = new Option<float>("--lr-scale") { Description = "Retraining learning rate as a fraction of the recipe's.", DefaultValueFactory = _ => 0.5f };
        var quick = new Option<bool>("--quick") { Description = "A smoke run: 2 reference epochs on 10k images, 2 rounds of 1 epoch." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("han2015", "Han et al. 2015: iterative magnitude pruning with retraining.")
        {
            model, seed, outDir, resume, rounds, epochs, finalEpochs, lrScale, quick, json, threads,
        };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            string name = ModelZoo.Get(parse.GetValue(model)!).Name;
            bool isQuick = parse.GetValue(quick);
            var options = new Han2015Options
            {
                Model = name,
                Seed = parse.GetValue(seed),
                WorkDirectory = parse.GetValue(outDir) ?? Path.Combine("runs", $"han2015-{name}{(isQuick ? "-quick" : "")}"),
                Resume = parse.GetValue(resume),
                Rounds = isQuick ? 2 : parse.GetValue(rounds),
                EpochsPerRound = isQuick ? 1 : parse.GetValue(epochs),
                LearningRateScale = parse.GetValue(lrScale),
                FinalEpochs = isQuick ? 0 : parse.GetValue(finalEpochs),
                ReferenceEpochs = isQuick ? 2 : null,
                TrainLimit = isQuick ? 10_000 : null,
            };
            Han2015.DefaultTargets(name); // reject unsupported models before any work
            var messages = CliOutput.Messages();
            var report = TrainingProgressRenderer.Run($"han2015 {name}", p => Han2015.Run(options, p, messages, ct));
            Print(report);
            Han2015Outputs.Write(options.WorkDirectory, report);
            JsonReport.Write(Path.Combine(options.WorkDirectory, "report.json"), report);
            JsonReport.Write(parse.GetValue(json), report);
            AnsiConsole.MarkupLine($"outputs in [bold]{Markup.Escape(options.WorkDirectory)}[/]");
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static void Print(Han2015Report r)
    {
        var p = r.Paper;
        var summary = new Table().Title($"Han et al. 2015 on {r.Model} (seed {r.Seed})").AddColumns("", "Topiary", "paper (Caffe)");
        summary.AddRow("reference error", CliOutput.Pct(r.Reference.TestError), CliOutput.Pct(p.ReferenceError));
        summary.AddRow("pruned error", CliOutput.Pct(r.Pruned.TestError), CliOutput.Pct(p.PrunedError));
        summary.AddRow("parameters", $"{r.Reference.Params:N0} → {r.Pruned.NonzeroParams:N0}", $"{p.Params / 1000}K → {p.PrunedParams / 1000}K");
        summary.AddRow("compression", $"{r.Compression:F1}x", $"{p.Compression:F0}x");
        summary.AddRow("time (reference + pruning)", $"{r.ReferenceSeconds:F0} s + {r.PruningSeconds:F0} s", "");
        AnsiConsole.Write(summary);

        var layers = new Table().Title("weights kept per layer").AddColumns("layer", "weights", "kept", "Topiary", "paper", "s = last threshold / dense σ");
        foreach (var l in r.Layers)
        {
            layers.AddRow(l.Name, $"{l.Weights:N0}", $"{l.Kept:N0}", CliOutput.Pct(l.KeptFraction), l.PaperKeptFraction is { } pk ? CliOutput.Pct(pk) : "",
                double.IsNaN(l.EffectiveS) ? "" : l.EffectiveS.ToString("F2", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(layers);

        var rounds = new Table().Title("prune/retrain rounds").AddColumns("round", "error after pruning", "after retraining", "non-zero", "compression");
        foreach (var x in r.Rounds)
            rounds.AddRow($"{x.Round}", CliOutput.Pct(x.PrunedTestError), CliOutput.Pct(x.RetrainedTestError), $"{x.NonZeroParams:N0}", $"{x.Compression:F1}x");
        AnsiConsole.Write(rounds);
        if (r.DeadNeurons is { } d)
        {
            AnsiConsole.MarkupLine($"dead-neuron removal: {d.Removed} units removed ({d.RemovedNoInput} without inputs, " +
                $"{d.RemovedNoOutput} without outputs); parameters {d.ParametersBefore:N0} → {d.ParametersAfter:N0}");
        }
    }
}
