// `topiary reproduce structured`: structured pruning of a zoo network end to end, measured as a user would —
// dense reference (trained here, or --dense FILE) → channel pruning to the target with fine-tuning → physical removal →
// ONNX export of both models → latency of dense and pruned in Topiary (Module.Forward) and ONNX Runtime (pre-bound
// outputs, same thread count) at batch 1 and 64, timed interleaved in one run. Every stage checkpoints into --work,
// so an interrupted run continues where it stopped.
using System.CommandLine;
using Spectre.Console;
using Topiary.Cli.Bench;
using Topiary.Cli.Reports;
using Topiary.Cli.Rendering;
using Topiary.Data;
using Topiary.Models;
using Topiary.Onnx;
using Topiary.Pruning.Channels;
using Topiary.Tensors;
using Topiary.Training;
using Topiary.Settings;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce structured</c> command.</summary>
public static class StructuredCommand
{
    private static readonly string[] Models = ["resnet-20", "mobilenet-v2", "squeezenet"];

    // The batch sizes timed.
    private static readonly int[] Batches = [1, 64];

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "resnet-20, mobilenet-v2 or squeezenet.", Required = true };
        model.AcceptOnlyFromAmong(Models);
        var dataset = new Option<string>("--dataset") { Description = "mnist or fashion-mnist.", DefaultValueFactory = _ => "fashion-mnist" };
        dataset.AcceptOnlyFromAmong([.. TrainingRun.DatasetNames]);
        var dense = new Option<string?>("--dense") { Description = "A trained dense model file (default: train one with the zoo recipe)." };
        var criterion = new Option<string>("--criterion") { Description = "l1, l2, bn-scale, taylor or random.", DefaultValueFactory = _ => "l1" };
        var macs = new Option<double>("--macs-reduction") { Description = "Target: forward MACs fall by this factor.", DefaultValueFactory = _ => 2.0 };
        var rounds = new Option<int>("--rounds") { Description = "Prune → fine-tune rounds (cubic ramp to the target).", DefaultValueFactory = _ => 3 };
        var epochs = new Option<int>("--epochs-per-round") { Description = "Fine-tuning epochs per round.", DefaultValueFactory = _ => 2 };
        var finalEpochs = new Option<int>("--final-epochs") { Description = "Extra fine-tuning epochs after the last round." };
        var lrScale = new Option<float>("--lr-scale") { Description = "Fine-tuning learning rate as a fraction of the recipe's.", DefaultValueFactory = _ => 0.1f };
        var roundTo = new Option<int>("--round-to") { Description = "Kept channel counts are multiples of N.", DefaultValueFactory = _ => 1 };
        var ranking = new Option<string>("--ranking") { Description = "global or layer.", DefaultValueFactory = _ => "global" };
        ranking.AcceptOnlyFromAmong("global", "layer");
        var seed = new Option<int>("--seed") { Description = "Seed of training, data order and the random criterion.", DefaultValueFactory = _ => 1 };
        var work = new Option<string?>("--work") { Description = "Directory for models, ONNX files and checkpoints (default: ./structured-<model>)." };
        var seconds = new Option<double>("--bench-seconds") { Description = "Timing per contender and batch size.", DefaultValueFactory = _ => 2.0 };
        var cmd = new Command("structured", "Channel-prune a zoo network (dependency groups, physical removal, fine-tuning), export it and time it against the dense model in Topiary and ONNX Runtime.")
        {
            model, dataset, dense, criterion, macs, rounds, epochs, finalEpochs, lrScale, roundTo, ranking, seed, work, seconds,
        };
        return cmd.Reports((parse, json, ct) =>
        {
            string name = parse.GetValue(model)!;
            string data = parse.GetValue(dataset)!;
            string dir = Path.GetFullPath(parse.GetValue(work) ?? $"structured-{name}");
            string? densePath = parse.GetValue(dense);
            OutputGuard.Check([("--dense", densePath)], [("--json", json)]);
            Directory.CreateDirectory(dir);
            var options = new ChannelPruningOptions
            {
                Criterion = (ChannelCriterion)SettingText.ParseEnum("criterion", parse.GetValue(criterion)!, typeof(ChannelCriterion)),
                Target = new ChannelTarget { MacsReduction = parse.GetValue(macs), RoundTo = parse.GetValue(roundTo), Global = parse.GetValue(ranking) == "global" },
                Rounds = parse.GetValue(rounds),
                EpochsPerRound = parse.GetValue(epochs),
                FinalEpochs = parse.GetValue(finalEpochs),
                LearningRateScale = parse.GetValue(lrScale),
                Seed = parse.GetValue(seed),
                CheckpointPath = Path.Combine(dir, "prune.ckpt"),
                Resume = true,
            };
            options.Validate();
            return Run(name, data, densePath, dir, options, parse.GetValue(seconds), parse.GetValue<int?>("--threads") ?? Environment.ProcessorCount, ct);
        });
    }

    private static StructuredReport Run(string name, string dataset, string? densePath, string dir, ChannelPruningOptions options, double seconds, int threads, CancellationToken ct)
    {
        var shape = ModelZoo.Get(name).InputShape.ToArray();
        densePath ??= TrainDense(name, dataset, options.Seed, dir, ct);
        var test = TrainingRun.LoadDataset(dataset, DatasetSplit.Test, cancellationToken: ct);
        var train = TrainingRun.LoadDataset(dataset, DatasetSplit.Train, cancellationToken: ct);
        var denseModel = ModelFile.Load(densePath).Network;
        var toPrune = ModelFile.Load(densePath).Network;
        var result = TrainingProgressRenderer.Run($"prune channels of {name}",
            p => ChannelPruning.Run(toPrune, [shape], name, options, new ChannelPruningData(ModelZoo.Get(name).Recipe, train, test), p, ct));
        var pruned = result.Model;
        string prunedPath = Path.Combine(dir, "pruned.safetensors");
        ModelFile.Save(prunedPath, name, pruned, new Dictionary<string, string> { ["dataset"] = dataset, ["pruned"] = "channel" });
        OnnxExporter.Export(denseModel, shape, Path.Combine(dir, "dense.onnx"));
        OnnxExporter.Export(pruned, shape, Path.Combine(dir, "pruned.onnx"));

        var latency = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        foreach (int batch in Batches)
        {
            var x = new Tensor([batch, .. shape]);
            var rng = new Random(batch);
            for (int i = 0; i < x.Length; i++) x.Data[i] = (float)rng.NextDouble();
            using var race = new LatencyRace(x, shape, threads);
            race.AddForward("topiary_dense", denseModel);
            race.AddForward("topiary_pruned", pruned);
            race.AddOrt("ort_dense", denseModel);   // checks ORT's outputs against Topiary's before timing
            race.AddOrt("ort_pruned", pruned);
            latency[$"batch{batch}"] = race.Run(seconds).ToDictionary(r => r.Name, r => r.Latency.MedianUs);
        }
        var report = new StructuredReport(name, dataset, options.Criterion.ToString().ToLowerInvariant(), options.Target, options.Rounds, options.EpochsPerRound,
            options.FinalEpochs, new(result.DenseTestError, result.DenseMacs, result.DenseParams, densePath, Path.Combine(dir, "dense.onnx")),
            new(result.TestError, result.Macs, result.Params, prunedPath, Path.Combine(dir, "pruned.onnx")), result.MacsReduction,
            Speedup(latency, 1, "ort"), Speedup(latency, 64, "ort"), Speedup(latency, 1, "topiary"), Speedup(latency, 64, "topiary"), threads, latency,
            result.Layers, result.Rounds, result.Unprunable, result.Unsupported);
        Render(report);
        return report;
    }

    // Dense median ÷ pruned median of a runtime (topiary, ort) at a batch size.
    private static double Speedup(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> latency, int batch, string runtime) =>
        latency[$"batch{batch}"][$"{runtime}_dense"] / latency[$"batch{batch}"][$"{runtime}_pruned"];

    private static string TrainDense(string name, string dataset, int seed, string dir, CancellationToken ct)
    {
        string path = Path.Combine(dir, "dense.safetensors");
        if (File.Exists(path)) return path;
        var trained = TrainCommand.Execute(new TrainingRunOptions
        {
            Model = name,
            Dataset = dataset,
            Seed = seed,
            CheckpointPath = path + ".ckpt",
            Resume = true,
        }, ct);
        TrainCommand.SaveModel(path, trained);
        return path;
    }

    private static void Render(StructuredReport r)
    {
        CliOutput.Table($"{r.Model}: dense vs channel-pruned ({r.Threads} threads, median µs per call)",
            ["batch", "Topiary dense", "Topiary pruned", "speed-up", "ORT dense", "ORT pruned", "speed-up"], Batches.Select(batch =>
            {
                string F(string k) => $"{r.LatencyUs[$"batch{batch}"][k]:F0}";
                string S(string rt) => $"{Speedup(r.LatencyUs, batch, rt):F2}x";
                return new[] { $"{batch}", F("topiary_dense"), F("topiary_pruned"), S("topiary"), F("ort_dense"), F("ort_pruned"), S("ort") };
            }));
        string error = r.Dense.TestError is { } d && r.Pruned.TestError is { } e ? $"test error {CliOutput.Pct(d)} → [bold]{CliOutput.Pct(e)}[/]; " : "";
        AnsiConsole.MarkupLine($"{error}MACs {r.Dense.Macs:N0} → {r.Pruned.Macs:N0} ([bold]{r.MacsReduction:F2}x[/]); parameters {r.Dense.Params:N0} → {r.Pruned.Params:N0}");
    }
}
