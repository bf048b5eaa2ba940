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
    private const int DefaultRounds = 10, DefaultEpochsPerRound = 3, DefaultFinalEpochs = 6;
    private const float DefaultLrScale = 0.5f;

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "lenet-300-100 or lenet-5.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of training and pruning.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Work directory for checkpoints, plots and the report (default: runs/han2015-<model>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoints in the work directory." };
        var rounds = new Option<int>("--rounds") { Description = "Prune/retrain rounds.", DefaultValueFactory = _ => DefaultRounds };
        var epochs = new Option<int>("--epochs-per-round") { Description = "Retraining epochs per round.", DefaultValueFactory = _ => DefaultEpochsPerRound };
        var finalEpochs = new Option<int>("--final-epochs") { Description = "Extra fine-tuning epochs after the last round.", DefaultValueFactory = _ => DefaultFinalEpochs };
        var lrScale = new Option<float>("--lr-scale") { Description = "Retraining learning rate as a fraction of the recipe's.", DefaultValueFactory = _ => DefaultLrScale };
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
            var options = Options(parse.GetValue(model)!, parse.GetValue(outDir), parse.GetValue(quick), parse.GetValue(resume), parse.GetValue(seed),
                parse.GetValue(rounds), parse.GetValue(epochs), parse.GetValue(finalEpochs), parse.GetValue(lrScale));
            Execute(options, parse.GetValue(json), ct);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    /// <summary>The experiment's options as the command builds them (<paramref name="quick"/>: 2 reference epochs on 10k images,
    /// 2 rounds of 1 epoch, no final epochs); <paramref name="workDirectory"/> null = runs/han2015-&lt;model&gt;[-quick].</summary>
    /// <exception cref="ArgumentException">A model the reproduction does not support.</exception>
    public static Han2015Options Options(string model, string? workDirectory, bool quick, bool resume, int seed = 1,
        int rounds = DefaultRounds, int epochsPerRound = DefaultEpochsPerRound, int finalEpochs = DefaultFinalEpochs, float lrScale = DefaultLrScale)
    {
        string name = ModelZoo.Get(model).Name;
        Han2015.DefaultTargets(name); // reject unsupported models before any work
        return new Han2015Options
        {
            Model = name,
            Seed = seed,
            WorkDirectory = workDirectory ?? Path.Combine("runs", $"han2015-{name}{(quick ? "-quick" : "")}"),
            Resume = resume,
            Rounds = quick ? 2 : rounds,
            EpochsPerRound = quick ? 1 : epochsPerRound,
            LearningRateScale = lrScale,
            FinalEpochs = quick ? 0 : finalEpochs,
            ReferenceEpochs = quick ? 2 : null,
            TrainLimit = quick ? 10_000 : null,
        };
    }

    /// <summary>Runs the experiment with progress bars, prints its tables, writes the plots and report.json into the work
    /// directory (and the report to <paramref name="json"/> when given); returns the report.</summary>
    public static Han2015Report Execute(Han2015Options options, string? json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var messages = CliOutput.Messages();
        var report = TrainingProgressRenderer.Run($"han2015 {options.Model}", p => Han2015.Run(options, p, messages, cancellationToken));
        Print(report);
        Han2015Outputs.Write(options.WorkDirectory, report);
        JsonReport.WriteRun(options.WorkDirectory, json, report);
        return report;
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
