// `topiary train`: train a zoo model on MNIST/Fashion-MNIST, save a checkpoint, print a summary. Its hyper-parameter
// flags are the recipe's train keys (TrainingRecipe's settings) over the zoo model's reference recipe.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Cli.Reports;
using Topiary.Models;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>The <c>train</c> command.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = $"Model: {string.Join(", ", ModelZoo.Names)}.", Required = true };
        var dataset = new Option<string>("--dataset") { Description = "Dataset: mnist or fashion-mnist.", DefaultValueFactory = _ => "mnist" };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation and shuffling.", DefaultValueFactory = _ => 1 };
        var limit = new Option<int?>("--train-limit") { Description = "Use only the first N training images." };
        var output = new Option<string?>("--out") { Description = "Write the trained model to this .safetensors file." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Training-state file written after every epoch (default: <out>.ckpt when --out is given)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint if it exists (same model, dataset, seed and recipe)." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("train", "Train a model from the zoo and evaluate it on the test set; the hyper-parameters not given are the model's reference recipe's.")
        {
            model, dataset, seed, limit, output, checkpoint, resume, json, threads,
        };
        var recipe = new SettingFlags<TrainingRecipe>(cmd, null); // the recipe section's keys; defaults: the zoo model's recipe
        return cmd.Runs((parse, ct) =>
        {
            string? outPath = parse.GetValue(output);
            string? checkpointPath = parse.GetValue(checkpoint) ?? (outPath is null ? null : outPath + ".ckpt");
            if (parse.GetValue(resume) && checkpointPath is null)
                throw new ArgumentException("--resume needs --checkpoint PATH or --out PATH (whose checkpoint is PATH.ckpt).");
            OutputGuard.Check([], [("--out", outPath), ("--checkpoint", checkpointPath), ("--json", parse.GetValue(json))]);
            var options = new TrainingRunOptions
            {
                Model = parse.GetValue(model)!,
                Dataset = parse.GetValue(dataset)!,
                Recipe = recipe.Bind(parse, ModelZoo.Get(parse.GetValue(model)!).Recipe), // rejects unknown names before fetching data
                Seed = parse.GetValue(seed),
                TrainLimit = parse.GetValue(limit),
                CheckpointPath = checkpointPath,
                Resume = parse.GetValue(resume),
            };
            var result = Execute(options, ct);
            if (outPath is not null) SaveModel(outPath, result);
            JsonReport.Write(parse.GetValue(json), TrainReport.Of(result, outPath, Distributed()));
            return 0;
        }, threads);
    }

    /// <summary>Runs training with progress bars and prints the per-epoch table.</summary>
    public static TrainingRunResult Execute(TrainingRunOptions options, CancellationToken ct)
    {
        var dataProgress = CliOutput.Messages();
        // Load (and fetch) the data before the progress display starts so fetch messages are readable.
        TrainingRun.LoadDataset(options.Dataset, Data.DatasetSplit.Test, options.CacheDirectory, dataProgress, ct);
        var result = TrainingProgressRenderer.Run($"{options.Model} on {options.Dataset}",
            progress => TrainingRun.Run(options, progress, null, ct));
        CliOutput.Table($"{result.Model} on {result.Dataset} (seed {result.Seed})", ["epoch", "train loss", "test error", "test loss", "train s", "images/s"],
            result.History.Select(e => new[] { $"{e.Epoch}", $"{e.TrainLoss:F4}", $"{e.TestError * 100:F2}%", $"{e.TestLoss:F4}", $"{e.Seconds:F1}", $"{e.ImagesPerSecond:F0}" }));
        AnsiConsole.MarkupLine($"test error [bold]{result.TestError * 100:F2}%[/], {result.Params:N0} parameters, {result.Seconds:F1} s");
        if (Distributed() is { } d)
            AnsiConsole.MarkupLine($"[grey]{d.Ranks} ranks: allreduce {d.AllreduceMsPerStep:F2} ms/step over {d.Steps:N0} steps ({d.AllreduceSeconds:F1} s), {d.FloatsPerStep:N0} floats/step[/]");
        return result;
    }

    /// <summary>Saves the trained model with its provenance in the metadata.</summary>
    public static void SaveModel(string path, TrainingRunResult r)
    {
        ModelFile.Save(path, r.Model, r.Network, new Dictionary<string, string>
        {
            ["dataset"] = r.Dataset,
            ["epochs"] = r.Epochs.ToString(CultureInfo.InvariantCulture),
            ["seed"] = r.Seed.ToString(CultureInfo.InvariantCulture),
            ["test_error"] = r.TestError.ToString("R", CultureInfo.InvariantCulture),
        });
        AnsiConsole.MarkupLine($"saved [bold]{Markup.Escape(path)}[/]");
    }

    /// <summary>The gradient-allreduce figures of this process when it is one of several ranks, else null.</summary>
    public static DistributedSummary? Distributed()
    {
        var c = Topiary.Distributed.DataParallel.Current;
        if (c.Size == 1) return null;
        var s = Topiary.Distributed.DataParallel.Statistics;
        return new DistributedSummary(c.Size, s.Steps, s.AllReduceSeconds, s.MillisecondsPerStep, s.Steps == 0 ? 0 : s.Floats / s.Steps);
    }
}
