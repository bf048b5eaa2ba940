// `topiary prune`: prune a trained model (a file, or a zoo model trained first by a recipe) with any registered
// method (PruningMethods: its settings are flags made from its registration, MethodFlags) under a schedule —
// one-shot, iterative prune/retrain (Han et al. 2015) or AGP — from flags or a YAML recipe, then save the pruned
// model (masks included) and report kept weights per layer.
using System.CommandLine;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Cli.Reports;
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning;
using Topiary.Pruning.Methods;
using Topiary.Pruning.Scalpel;
using Topiary.Recipes;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>The <c>prune</c> command.</summary>
public static class PruneCommand
{
    // Where `topiary prune`'s flags differ from a recipe's defaults: iterative, 5 rounds of 4 retraining epochs.
    private static readonly PruneSpec FlagDefaults = new() { Schedule = ScheduleKind.Iterative, Rounds = 5, Retrain = new RetrainSettings { EpochsPerRound = 4 } };

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var file = new Option<string?>("--model-file") { Description = "The trained model to prune." };
        var recipeFile = new Option<string?>("--recipe") { Description = "A YAML recipe (see recipes/; magnitude, scalpel or channel); flags below are then ignored. 'topiary run' runs whole recipes." };
        var targets = new Option<string?>("--targets") { Description = "Per-layer targets: fc1=0.92,fc2=0.91 (sparsity) or fc1=s:1.2 (keep |w| > s·σ)." };
        var seed = new Option<int>("--seed") { Description = "Seed of data order.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Write the pruned model (with masks) here.", Required = true };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Schedule checkpoint (default: <out>.ckpt)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted schedule from its checkpoint." };
        var method = new Option<string>("--method")
        {
            Description = string.Join(" ", PruningMethods.All.Select(m => $"{m.Name}: {m.Summary}")),
            DefaultValueFactory = _ => "magnitude",
        };
        method.AcceptOnlyFromAmong([.. PruningMethods.Names]);
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("prune", "Prune a trained model with a schedule from flags or a YAML recipe.")
        {
            file, recipeFile, method, targets, seed, output, checkpoint, resume, json, threads,
        };
        // The schedule and retraining flags are the recipe's keys (PruneSpec, RetrainSettings), with this command's defaults.
        var shared = new SettingFlags<PruneSpec>(cmd, FlagDefaults, "method", "scope");
        var retrain = new SettingFlags<RetrainSettings>(cmd, FlagDefaults.Retrain!);
        var channels = new ChannelPruneCommand();
        channels.AddTo(cmd);
        var settingsFlags = new MethodFlags(cmd);
        // The flags as a recipe's prune section: --method (or --structure channel) and its settings, the schedule, targets
        // (none: a global sparsity, or Scalpel's defaults) and retraining.
        PruneSpec FromFlags(ParseResult parse)
        {
            PruningMethod registration = PruningMethods.Get(channels.Requested(parse) ? "channel" : parse.GetValue(method)!);
            PruneSpec p = shared.Bind(parse, FlagDefaults);
            var t = parse.GetValue(targets) is { } tt ? TargetsFlag.Parse(tt) : new Dictionary<string, LayerTarget>();
            double? g = p.GlobalSparsity;
            p = p with
            {
                Method = registration.Name,
                Scope = g is null ? ScopeKind.Layer : ScopeKind.Global,
                Targets = new RecipeMap<LayerTarget>(t),
                Retrain = retrain.Bind(parse, FlagDefaults.Retrain!),
            };
            object settings = settingsFlags.Settings(parse, registration, new SharedSettings(p.Schedule, g is not null, t.Count),
                check: !(registration.Name == "channel" && channels.LatencyBudget(parse)));
            if (registration.NeedsTargets(settings) && t.Count == 0 && g is null && registration.Name != "scalpel")
                throw new ArgumentException($"Give --targets or --global-sparsity (or --recipe): method {registration.Name} prunes to targets.");
            return p with { Settings = settings };
        }

        return cmd.Runs((parse, ct) =>
        {
            string outPath = parse.GetValue(output)!;
            string ckpt = parse.GetValue(checkpoint) ?? outPath + ".ckpt";
            bool isResume = parse.GetValue(resume);
            string? recipePath = parse.GetValue(recipeFile);
            Recipe? recipe = recipePath is null ? null : RecipeLoader.Load(recipePath);
            string? modelFile = parse.GetValue(file) ?? recipe?.ModelFile;
            OutputGuard.Check([("--model-file", modelFile), ("--recipe", recipePath)], [("--out", outPath), ("--checkpoint", ckpt), ("--json", parse.GetValue(json))]);

            // The prune section: the recipe's, or made from the flags (the method's settings from its registration).
            if (recipe is not null && channels.Requested(parse) && recipe.Prune.Method != "channel")
                throw new ArgumentException($"--structure channel was given with a recipe whose prune method is {recipe.Prune.Method} ({recipePath}); drop one of them.");
            PruneSpec prune = recipe?.Prune ?? FromFlags(parse);
            PruningMethod registration = PruningMethods.Get(prune.Method);
            object settings = prune.Settings;
            PruningSchedule plan = RecipeSchedules.Schedule(prune, recipe?.Seed ?? parse.GetValue(seed), ckpt, isResume);

            if (registration.Name == "channel")
            {
                if (modelFile is null)
                    throw new ArgumentException(recipe is not null
                        ? $"{recipePath}: channel pruning in `topiary prune` needs a trained model: give --model-file or the recipe's model_file (`topiary run --recipe` trains a zoo model first)."
                        : "--structure channel prunes a --model-file.");
                var options = recipe is not null ? new ChannelMethod((ChannelSettings)settings).Options(plan)
                    : channels.Options(parse, (ChannelSettings)settings, plan);
                return channels.Run(parse, modelFile, outPath, parse.GetValue(json), options,
                    parse.GetValue(threads) ?? Environment.ProcessorCount, ct, recipe);
            }

            var (name, network, dataset, metadata) = LoadOrTrain(modelFile, recipe, ct);
            IPruningMethod pruning = registration.Create(settings);
            if (pruning is ScalpelMethod scalpel)
            {
                if (plan.Targets.Count == 0 && recipe is null)
                    plan = plan with { Targets = Experiments.Han2015.DefaultTargets(name) };
                var s = (ScalpelSettings)settings;
                CliOutput.Table($"Scalpel for {s.Hardware}", ["layer", "technique"], scalpel.Choices(network).Select(c =>
                    new[] { c.Layer, c.Technique == ScalpelTechnique.SimdAware ? $"SIMD-aware, groups of {c.GroupWidth}" : c.Technique.ToString() }));
            }
            // Imported (non-zoo) models retrain with a plain SGD recipe and see the pixels they were trained on.
            var data = PruneStage.Data(dataset, pruning.ValidationImages, recipe?.TrainLimit, null, ModelFile.InputTransform(metadata), ct: ct);
            double before = TrainingRun.Evaluate(network, data.Test, ct).Error;
            long paramsBefore = network.ParameterCount(); // node pruning shrinks the model
            int[] inputShape = PruneStage.InputShape(name, metadata, network, modelFile ?? name);
            pruning.CheckPlan(network, name, inputShape, plan, compressing: false);
            var outMeta = metadata.Where(kv => kv.Key != ModelFile.ArchitectureKey).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            outMeta["dataset"] = dataset;
            var messages = CliOutput.Messages();
            var (outcome, result) = TrainingProgressRenderer.Run($"prune {name} ({registration.Name})", p => PruneStage.Run(pruning, network, name,
                inputShape, recipe?.Train ?? ModelZoo.RetrainingRecipe(name), data, plan, paramsBefore, outPath, outMeta, p, messages, ct));
            CliOutput.Table($"{name}: {outcome.Label} pruning", ["layer", "weights", "kept", "kept %"],
                result.Layers.Select(d => new[] { d.Name, $"{d.Weights:N0}", $"{d.Kept:N0}", CliOutput.Pct(d.KeptFraction) }));
            AnsiConsole.MarkupLine($"test error {CliOutput.Pct(before)} → [bold]{CliOutput.Pct(result.TestError)}[/]; non-zero parameters {paramsBefore:N0} → " +
                $"{result.NonzeroParams:N0} ([bold]{result.Compression:F1}x[/])");
            AnsiConsole.MarkupLine($"saved [bold]{Markup.Escape(outPath)}[/]");
            JsonReport.Write(parse.GetValue(json), new PruneReport(name, dataset, outcome.Label, new ErrorSummary(before),
                new PrunedSummary(result.TestError, result.NonzeroParams), paramsBefore, result.Params, result.Compression, result.Layers, outcome.Details, outPath));
            return 0;
        }, threads);
    }

    private static (string Name, Module Network, string Dataset, IReadOnlyDictionary<string, string> Metadata) LoadOrTrain(
        string? modelFile, Recipe? recipe, CancellationToken ct)
    {
        if (modelFile is not null)
        {
            var loaded = ModelFile.Load(modelFile);
            return (loaded.Name, loaded.Network, CommonOptions.DatasetOf(loaded, recipe?.Dataset), loaded.Metadata);
        }
        if (recipe?.Model is null) throw new ArgumentException("Give --model-file, or a recipe with model_file or model.");
        var trained = TrainCommand.Execute(new TrainingRunOptions
        {
            Model = recipe.Model,
            Dataset = recipe.Dataset,
            Seed = recipe.Seed,
            Recipe = recipe.Train,
        }, ct);
        return (trained.Model, trained.Network, recipe.Dataset, new Dictionary<string, string>());
    }
}
