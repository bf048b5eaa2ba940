// `topiary prune --structure channel`: structured pruning of any model file (zoo, trained, imported ONNX) through its
// dependency groups, physical removal, optional fine-tuning, and export of the smaller model (safetensors, ONNX).
// The flags are registered on `prune` by AddTo; PruneCommand hands over when --structure is channel.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Bench;
using Topiary.Cli.Rendering;
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Onnx;
using Topiary.Pruning.Channels;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>The channel-pruning flags of <c>prune</c> and their run.</summary>
public sealed class ChannelPruneCommand
{
    private readonly Option<string> _structure = new("--structure") { Description = "none (weights, the default) or channel (remove whole channels through dependency groups).", DefaultValueFactory = _ => "none" };
    private readonly Option<double?> _macs = new("--macs-reduction") { Description = "Channel pruning target: forward MACs fall by this factor (e.g. 2)." };
    private readonly Option<double?> _sparsity = new("--channel-sparsity") { Description = "Channel pruning target: remove this fraction of the prunable channels." };
    private readonly Option<int> _roundTo = new("--round-to") { Description = "Kept channel counts are multiples of N (e.g. the SIMD width).", DefaultValueFactory = _ => 1 };
    private readonly Option<string?> _protect = new("--protect") { Description = "Layers whose channels are kept: stem, classifier or layer names, comma-separated." };
    private readonly Option<double> _maxRatio = new("--max-ratio") { Description = "At most this fraction of any group's channels goes.", DefaultValueFactory = _ => 0.9 };
    private readonly Option<string> _ranking = new("--ranking") { Description = "global (normalised scores compete across groups) or layer (every group loses the same fraction).", DefaultValueFactory = _ => "global" };
    private readonly Option<float> _bnPenalty = new("--bn-penalty") { Description = "L1 penalty on BatchNorm scales while fine-tuning (network slimming)." };
    private readonly Option<int> _taylorBatches = new("--taylor-batches") { Description = "Batches the Taylor criterion averages.", DefaultValueFactory = _ => 16 };
    private readonly Option<string?> _export = new("--export") { Description = "Also write the pruned model as ONNX here." };
    private readonly Option<double?> _latency = new("--latency-budget-us") { Description = "Channel pruning target: prune in steps of 10% fewer MACs until one call takes at most this many µs (median) on --on." };
    private readonly Option<string> _on = new("--on") { Description = "Runtime the latency budget is measured on: topiary (Module.Forward) or ort (ONNX Runtime, pre-bound outputs).", DefaultValueFactory = _ => "topiary" };
    private readonly Option<int> _latencyBatch = new("--latency-batch") { Description = "Batch size of the latency measurement.", DefaultValueFactory = _ => 1 };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        _structure.AcceptOnlyFromAmong("none", "channel");
        _ranking.AcceptOnlyFromAmong("global", "layer");
        _on.AcceptOnlyFromAmong("topiary", "ort");
        foreach (var o in new Option[] { _structure, _macs, _sparsity, _roundTo, _protect, _maxRatio, _ranking, _bnPenalty, _taylorBatches, _export, _latency, _on, _latencyBatch })
            command.Options.Add(o);
    }

    /// <summary>True when the parse asks for channel pruning.</summary>
    public bool Requested(ParseResult parse) => parse.GetValue(_structure) == "channel";

    /// <summary>The options of a channel-pruning run from the parse (shared flags passed in).</summary>
    /// <exception cref="ArgumentException">Bad flag values (named).</exception>
    public ChannelPruningOptions Options(ParseResult parse, string criterion, int rounds, int epochsPerRound, int finalEpochs, float lrScale, int seed, string checkpoint, bool resume) => new()
    {
        Criterion = ParseCriterion(criterion),
        Target = new ChannelTarget
        {
            MacsReduction = parse.GetValue(_macs),
            ChannelSparsity = parse.GetValue(_sparsity),
            Global = parse.GetValue(_ranking) == "global",
            MaxRatio = parse.GetValue(_maxRatio),
            RoundTo = parse.GetValue(_roundTo),
        },
        Protect = parse.GetValue(_protect)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
        LatencyBudgetUs = parse.GetValue(_latency),
        Rounds = parse.GetValue(_latency) is null || parse.Tokens.Any(t => t.Value == "--rounds") ? rounds : 50,
        EpochsPerRound = epochsPerRound,
        FinalEpochs = finalEpochs,
        LearningRateScale = lrScale,
        TaylorBatches = parse.GetValue(_taylorBatches),
        BnScalePenalty = parse.GetValue(_bnPenalty),
        Seed = seed,
        CheckpointPath = checkpoint,
        Resume = resume,
    };

    /// <summary>Criterion names of channel pruning: l1, l2, bn-scale, taylor, random.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static ChannelCriterion ParseCriterion(string name) => name.ToLowerInvariant() switch
    {
        "l1" => ChannelCriterion.L1,
        "l2" => ChannelCriterion.L2,
        "bn-scale" or "bnscale" => ChannelCriterion.BnScale,
        "taylor" => ChannelCriterion.Taylor,
        "random" => ChannelCriterion.Random,
        _ => throw new ArgumentException($"--criterion '{name}' is not a channel criterion; use l1, l2, bn-scale, taylor or random."),
    };

    /// <summary>
    /// Runs channel pruning of <paramref name="modelFile"/> and writes the outputs (<paramref name="threads"/>: of the latency
    /// measurement); a <paramref name="recipe"/> gives the dataset and the fine-tuning recipe when it has them.
    /// </summary>
    public int Run(ParseResult parse, string modelFile, string outPath, string? jsonPath, ChannelPruningOptions options, int threads, CancellationToken ct,
        Recipes.Recipe? recipe = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        string? exportPath = parse.GetValue(_export);
        OutputGuard.Check([("--model-file", modelFile)], [("--out", outPath), ("--export", exportPath), ("--json", jsonPath)]);
        options.Validate();
        var loaded = ModelFile.Load(modelFile);
        var shape = ModelInputShape.Of(loaded.Name, loaded.Metadata, loaded.Network, modelFile);
        if (shape is null || shape.Any(d => d < 1))
            throw new ArgumentException($"{modelFile}: the input shape is not known ({(shape is null ? "nothing recorded" : string.Join(",", shape))}); import the model with --input-shape.");
        bool needsData = options.EpochsPerRound > 0 || options.FinalEpochs > 0 || options.Criterion == ChannelCriterion.Taylor;
        ChannelPruningData? data = null;
        string dataset = recipe?.Dataset ?? loaded.Metadata.GetValueOrDefault("dataset") ?? "mnist";
        if (needsData)
        {
            var transform = ModelFile.InputTransform(loaded.Metadata);
            var training = recipe?.Train?.ToTrainingRecipe()
                ?? (ModelZoo.Names.Contains(loaded.Name) ? ModelZoo.Get(loaded.Name).Recipe : new TrainingRecipe { LearningRate = 0.01f, Policy = LrPolicy.Cosine });
            data = new ChannelPruningData(training,
                TrainingRun.LoadDataset(dataset, DatasetSplit.Train, cancellationToken: ct, transform: transform),
                TrainingRun.LoadDataset(dataset, DatasetSplit.Test, cancellationToken: ct, transform: transform));
        }
        Func<Module, double>? latency = options.LatencyBudgetUs is null ? null
            : m => LatencyProbe.MedianUs(m, shape, parse.GetValue(_latencyBatch), parse.GetValue(_on) == "ort", threads);
        var result = TrainingProgressRenderer.Run($"prune channels of {loaded.Name}",
            p => ChannelPruning.Run(loaded.Network, [shape], loaded.Name, options, data, p, ct, latency));
        Render(loaded.Name, result);

        var meta = loaded.Metadata.Where(kv => kv.Key != ModelFile.ArchitectureKey).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        meta["pruned"] = $"channel/{options.Criterion.ToString().ToLowerInvariant()}";
        ModelFile.Save(outPath, loaded.Name, result.Model, meta);
        AnsiConsole.MarkupLine($"saved [bold]{Markup.Escape(outPath)}[/]");
        if (exportPath is not null)
        {
            var exportOptions = OnnxCommands.ExportOptions(loaded, modelFile);
            if (exportOptions.InputShapes is null) OnnxExporter.Export(result.Model, [shape], exportPath, exportOptions);
            else OnnxExporter.Export(result.Model, exportPath, exportOptions);
            AnsiConsole.MarkupLine($"exported [bold]{Markup.Escape(exportPath)}[/]");
        }
        JsonReport.Write(jsonPath, new { Model = loaded.Name, Dataset = needsData ? dataset : null, Structure = "channel", Criterion = options.Criterion.ToString().ToLowerInvariant(), options.Target, Result = result, ModelFile = outPath, Onnx = exportPath });
        return 0;
    }

    private static void Render(string name, ChannelPruningResult r)
    {
        var table = new Table().Title($"{name}: channels per layer").AddColumns("layer", "kind", "before", "after");
        foreach (var l in r.Layers.Where(l => l.Before != l.After)) table.AddRow(Markup.Escape(l.Layer), l.Kind, l.Before.ToString(CultureInfo.InvariantCulture), l.After.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        foreach (var u in r.Unsupported) AnsiConsole.MarkupLine($"[yellow]not analysed:[/] {Markup.Escape(u.Layer)}: {Markup.Escape(u.Reason)}");
        foreach (var u in r.Unprunable.Where(u => !u.Reason.Contains("model output", StringComparison.Ordinal)))
            AnsiConsole.MarkupLine($"[grey]kept {u.Channels} channels of {Markup.Escape(u.Layer)}: {Markup.Escape(u.Reason)}[/]");
        if (r.DenseLatencyUs is { } l0 && r.Rounds.LastOrDefault()?.LatencyUs is { } l1)
            AnsiConsole.MarkupLine($"latency {l0:F0} µs → [bold]{l1:F0} µs[/] ({l0 / l1:F2}x) in {r.Rounds.Count} steps");
        string error = r.DenseTestError is { } d && r.TestError is { } e ? $"; test error {CliOutput.Pct(d)} → [bold]{CliOutput.Pct(e)}[/]" : "";
        AnsiConsole.MarkupLine($"MACs {r.DenseMacs:N0} → {r.Macs:N0} ([bold]{r.MacsReduction:F2}x[/] fewer); parameters {r.DenseParams:N0} → {r.Params:N0}{error}" +
            (r.TargetReached ? "" : " [yellow](target not reached: the constraints stopped the search)[/]"));
    }
}
