// `topiary prune`: prune a trained model (a file, or a zoo model trained first by a recipe) with a
// schedule — one-shot, iterative prune/retrain (Han et al. 2015) or AGP — from flags or a YAML recipe,
// then save the pruned model (masks included) and report kept weights per layer.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Data;
using Topiary.Hardware;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.Scalpel;
using Topiary.Recipes;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>The <c>prune</c> command.</summary>
public static class PruneCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var file = new Option<string?>("--model-file") { Description = "The trained model to prune." };
        var recipeFile = new Option<string?>("--recipe") { Description = "A YAML recipe (see recipes/; magnitude, scalpel or channel); flags below are then ignored. 'topiary run' runs whole recipes." };
        var targets = new Option<string?>("--targets") { Description = "Per-layer targets: fc1=0.92,fc2=0.91 (sparsity) or fc1=s:1.2 (keep |w| > s·σ)." };
        var global = new Option<double?>("--global-sparsity") { Description = "One threshold across layers removing this fraction (instead of --targets)." };
        var schedule = new Option<string>("--schedule") { Description = "one-shot, iterative or agp.", DefaultValueFactory = _ => "iterative" };
        schedule.AcceptOnlyFromAmong("one-shot", "iterative", "agp");
        var granularity = new Option<string>("--granularity") { Description = "element, vector, kernel, row (= filter: whole neurons/filters), simd (aligned groups of the host SIMD width; Scalpel) or simd2/4/8/16.", DefaultValueFactory = _ => "element" };
        var criterion = new Option<string>("--criterion") { Description = "Group score: L1, L2, Rms, Max (weights); l1, l2, bn-scale, taylor, random (--structure channel).", DefaultValueFactory = _ => "l1" };
        var rounds = new Option<int>("--rounds") { Description = "Prune/retrain rounds (AGP: epochs = rounds x epochs-per-round).", DefaultValueFactory = _ => 5 };
        var epochs = new Option<int>("--epochs-per-round") { Description = "Retraining epochs per round.", DefaultValueFactory = _ => 4 };
        var finalEpochs = new Option<int>("--final-epochs") { Description = "Extra fine-tuning epochs after the last round." };
        var lrScale = new Option<float>("--lr-scale") { Description = "Retraining learning rate as a fraction of the recipe's.", DefaultValueFactory = _ => 0.1f };
        var reg = new Option<Regularization>("--regularization") { Description = "L1 or L2 while retraining.", DefaultValueFactory = _ => Regularization.L2 };
        var freeze = new Option<FreezeMode>("--freeze") { Description = "None, Conv or Fc: layers frozen while retraining.", DefaultValueFactory = _ => FreezeMode.None };
        var reinit = new Option<bool>("--reinitialize") { Description = "Re-initialise the survivors before retraining (the paper's ablation)." };
        var sigma = new Option<SigmaSource>("--sigma") { Description = "σ of s-targets: Dense (fixed) or Current.", DefaultValueFactory = _ => SigmaSource.Dense };
        var sStep = new Option<double>("--s-step") { Description = "Raise every s by this much per round." };
        var seed = new Option<int>("--seed") { Description = "Seed of data order.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Write the pruned model (with masks) here.", Required = true };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Schedule checkpoint (default: <out>.ckpt)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted schedule from its checkpoint." };
        var method = new Option<string>("--method") { Description = "magnitude (Han et al.; granularity/criterion flags) or scalpel (technique per layer chosen by --hardware).", DefaultValueFactory = _ => "magnitude" };
        method.AcceptOnlyFromAmong("magnitude", "scalpel");
        var hardware = new Option<string>("--hardware") { Description = "Scalpel's target: host (SIMD-aware FC + node conv), cortex-m4 (SIMD-aware, groups of 2) or gpu (node pruning).", DefaultValueFactory = _ => "host" };
        hardware.AcceptOnlyFromAmong([.. HardwareProfile.KnownNames]);
        var simdWidth = new Option<int?>("--simd-width") { Description = "Scalpel's SIMD group width (default: 2 on cortex-m4, host float lanes capped at 8)." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("prune", "Prune a trained model with a schedule from flags or a YAML recipe.")
        {
            file, recipeFile, method, hardware, simdWidth, targets, global, schedule, granularity, criterion, rounds, epochs, finalEpochs, lrScale, reg, freeze, reinit,
            sigma, sStep, seed, output, checkpoint, resume, json, threads,
        };
        var channels = new ChannelPruneCommand();
        channels.AddTo(cmd);
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            string outPath = parse.GetValue(output)!;
            string ckpt = parse.GetValue(checkpoint) ?? outPath + ".ckpt";
            bool isResume = parse.GetValue(resume);
            string? recipePath = parse.GetValue(recipeFile);
            Recipe? recipe = recipePath is null ? null : RecipeLoader.Load(recipePath);
            string? modelFile = parse.GetValue(file) ?? recipe?.ModelFile;
            OutputGuard.Check([("--model-file", modelFile), ("--recipe", recipePath)], [("--out", outPath), ("--checkpoint", ckpt), ("--json", parse.GetValue(json))]);
            bool channelRecipe = recipe?.Prune.Method == PruneMethodKind.Channel;
            if (channels.Requested(parse) || channelRecipe)
            {
                if (recipe is not null && !channelRecipe)
                    throw new ArgumentException($"--structure channel was given with a recipe whose prune method is not channel ({recipePath}); drop one of them.");
                if (modelFile is null)
                    throw new ArgumentException(channelRecipe
                        ? $"{recipePath}: channel pruning in `topiary prune` needs a trained model: give --model-file or the recipe's model_file (`topiary run --recipe` trains a zoo model first)."
                        : "--structure channel prunes a --model-file.");
                bool oneShot = parse.GetValue(schedule) == "one-shot" || parse.Tokens.All(t => t.Value != "--rounds");
                var options = recipe is not null ? RecipeSchedules.Channel(recipe, ckpt, isResume)
                    : channels.Options(parse, parse.GetValue(criterion)!, oneShot ? 1 : parse.GetValue(rounds), parse.GetValue(epochs),
                        parse.GetValue(finalEpochs), parse.GetValue(lrScale), parse.GetValue(seed), ckpt, isResume);
                return Task.FromResult(channels.Run(parse, modelFile, outPath, parse.GetValue(json), options,
                    parse.GetValue(threads) ?? Environment.ProcessorCount, ct, recipe));
            }

            PruneJob spec;
            if (recipe is not null) spec = PruneJob.FromRecipe(recipe, ckpt, isResume);
            else
            {
                var t = parse.GetValue(targets) is { } tt ? PruneJob.ParseTargets(tt) : new Dictionary<string, LayerTarget>();
                double? g = parse.GetValue(global);
                bool scalpelDefaults = parse.GetValue(method) == "scalpel" && t.Count == 0 && g is null;
                if (t.Count == 0 && g is null && !scalpelDefaults) throw new ArgumentException("Give --targets or --global-sparsity (or --recipe).");
                string sched = parse.GetValue(schedule)!;
                var it = new IterativePruningOptions
                {
                    Targets = t,
                    GlobalSparsity = g,
                    Pruner = new MagnitudePruner(PruneJob.Granularity(parse.GetValue(granularity)!), PruneJob.Criterion(parse.GetValue(criterion)!)),
                    Rounds = sched == "one-shot" ? 1 : parse.GetValue(rounds),
                    EpochsPerRound = parse.GetValue(epochs),
                    FinalEpochs = parse.GetValue(finalEpochs),
                    LearningRateScale = parse.GetValue(lrScale),
                    Regularization = parse.GetValue(reg),
                    Freeze = parse.GetValue(freeze),
                    Reinitialize = parse.GetValue(reinit),
                    Sigma = parse.GetValue(sigma),
                    SStep = parse.GetValue(sStep),
                    Seed = parse.GetValue(seed),
                    CheckpointPath = ckpt,
                    Resume = isResume,
                };
                AgpOptions? agp = sched != "agp" ? null : new AgpOptions
                {
                    FinalSparsity = t.ToDictionary(kv => kv.Key, kv => kv.Value.Sparsity
                        ?? throw new ArgumentException($"AGP needs a sparsity target for '{kv.Key}'."), StringComparer.Ordinal),
                    Epochs = Math.Max(1, it.Rounds * it.EpochsPerRound),
                    LearningRateScale = it.LearningRateScale,
                    Seed = it.Seed,
                };
                spec = new PruneJob(sched, it, agp);
            }

            var (name, network, dataset, metadata) = LoadOrTrain(modelFile, recipe, ct);
            // Imported (non-zoo) models retrain with a plain SGD recipe and see the pixels they were trained on.
            var recipeForRetrain = recipe?.Train?.ToTrainingRecipe()
                ?? (ModelZoo.Names.Contains(name) ? ModelZoo.Get(name).Recipe : new TrainingRecipe { LearningRate = 0.01f, Policy = LrPolicy.Cosine });
            var transform = ModelFile.InputTransform(metadata);
            var train = TrainingRun.LoadDataset(dataset, DatasetSplit.Train, cancellationToken: ct, transform: transform);
            var test = TrainingRun.LoadDataset(dataset, DatasetSplit.Test, cancellationToken: ct, transform: transform);
            double before = TrainingRun.Evaluate(network, test, ct).Error;
            long paramsBefore = network.ParameterCount(); // node pruning shrinks the model
            bool isScalpel = recipe is null ? parse.GetValue(method) == "scalpel" : recipe.Prune.Method == PruneMethodKind.Scalpel;
            IReadOnlyList<ScalpelLayerChoice> choices = [];
            if (isScalpel)
            {
                if (spec.Iterative.Targets.Count == 0 && recipe is null)
                    spec = spec with { Iterative = spec.Iterative with { Targets = Experiments.Han2015.DefaultTargets(name) } };
                var profile = HardwareProfile.ByName(recipe?.Prune.Scalpel?.Hardware ?? parse.GetValue(hardware)!);
                choices = ScalpelSelection.Choose(profile, PrunableLayer.Find(network), recipe is null ? parse.GetValue(simdWidth) : recipe.Prune.Scalpel?.SimdWidth);
                spec = spec with { Schedule = $"scalpel/{profile.Name}" };
                var techniques = new Table().Title($"Scalpel for {profile.Name} ({profile.Parallelism.ToString().ToLowerInvariant()} parallelism)").AddColumns("layer", "technique");
                foreach (var c in choices) techniques.AddRow(c.Layer, c.Technique == ScalpelTechnique.SimdAware ? $"SIMD-aware, groups of {c.GroupWidth}" : c.Technique.ToString());
                AnsiConsole.Write(techniques);
            }
            var messages = CliOutput.Messages();
            object schedReport = TrainingProgressRenderer.Run($"prune {name} ({spec.Schedule})", p => isScalpel
                ? ScalpelPruning.Run(network, recipeForRetrain, train, test, choices, spec.Iterative, Experiments.Scalpel.DefaultNodeOptions(name) with { Seed = spec.Iterative.Seed }, p, messages, ct)
                : spec.Agp is { } a
                ? (object)AgpPruning.Run(network, recipeForRetrain, train, test, a, p, ct)
                : IterativePruning.Run(network, recipeForRetrain, train, test, spec.Iterative, p, ct));
            double after = TrainingRun.Evaluate(network, test, ct).Error;

            var densities = PruningState.Densities(network);
            var table = new Table().Title($"{name}: {spec.Schedule} pruning").AddColumns("layer", "weights", "kept", "kept %");
            foreach (var d in densities) table.AddRow(d.Name, $"{d.Weights:N0}", $"{d.Kept:N0}", CliOutput.Pct(d.KeptFraction));
            AnsiConsole.Write(table);
            long nonzero = PruningState.NonZeroParameters(network);
            double compression = (double)paramsBefore / Math.Max(1, nonzero);
            AnsiConsole.MarkupLine($"test error {CliOutput.Pct(before)} → [bold]{CliOutput.Pct(after)}[/]; non-zero parameters {paramsBefore:N0} → {nonzero:N0} " +
                $"([bold]{compression:F1}x[/])");
            var outMeta = metadata.Where(kv => kv.Key != ModelFile.ArchitectureKey).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            outMeta["dataset"] = dataset;
            outMeta["pruned"] = spec.Schedule;
            ModelFile.Save(outPath, name, network, outMeta);
            AnsiConsole.MarkupLine($"saved [bold]{Markup.Escape(outPath)}[/]");
            JsonReport.Write(parse.GetValue(json), new
            {
                Model = name,
                Dataset = dataset,
                Schedule = spec.Schedule,
                Reference = new { TestError = before },
                Pruned = new { TestError = after, NonzeroParams = nonzero },
                Params = paramsBefore,
                ParamsAfter = network.ParameterCount(),
                Compression = compression,
                Layers = densities.Select(d => new { d.Name, Kind = d.Kind.ToString().ToLowerInvariant(), d.Weights, d.Kept, d.KeptFraction }),
                ScheduleReport = schedReport,
                ModelFile = outPath,
            });
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    private static (string Name, Module Network, string Dataset, IReadOnlyDictionary<string, string> Metadata) LoadOrTrain(
        string? modelFile, Recipe? recipe, CancellationToken ct)
    {
        if (modelFile is not null)
        {
            var loaded = ModelFile.Load(modelFile);
            return (loaded.Name, loaded.Network, recipe?.Dataset ?? loaded.Metadata.GetValueOrDefault("dataset") ?? "mnist", loaded.Metadata);
        }
        if (recipe?.Model is null) throw new ArgumentException("Give --model-file, or a recipe with model_file or model.");
        var trained = TrainCommand.Execute(new TrainingRunOptions
        {
            Model = recipe.Model,
            Dataset = recipe.Dataset,
            Seed = recipe.Seed,
            Recipe = recipe.Train?.ToTrainingRecipe(),
        }, ct);
        return (trained.Model, trained.Network, recipe.Dataset, new Dictionary<string, string>());
    }
}
