// `topiary prune --structure channel`: structured pruning of any model file (zoo, trained, imported ONNX) through its
// dependency groups, physical removal, optional fine-tuning, and export of the smaller model (safetensors, ONNX).
// The flags are registered on `prune` by AddTo; PruneCommand hands over when --structure is channel.
using System.CommandLine;
using Spectre.Console;
using Topiary.Cli.Bench;
using Topiary.Cli.Rendering;
using Topiary.Data;
using Topiary.Models;
using Topiary.Nn;
using Topiary.Pruning.Channels;
using Topiary.Pruning.Methods;

namespace Topiary.Cli.Commands;

/// <summary>The channel-pruning flags of <c>prune</c> and their run.</summary>
public sealed class ChannelPruneCommand
{
    private readonly Option<string> _structure = new("--structure") { Description = "none (weights, the default) or channel (remove whole channels through dependency groups).", DefaultValueFactory = _ => "none" };
    private readonly Option<string?> _export = new("--export") { Description = "Also write the pruned model as ONNX here." };
    private readonly Option<double?> _latency = new("--latency-budget-us") { Description = "Channel pruning target: prune in steps of 10% fewer MACs until one call takes at most this many µs (median) on --on." };
    private readonly Option<string> _on = new("--on") { Description = "Runtime the latency budget is measured on: topiary (Module.Forward) or ort (ONNX Runtime, pre-bound outputs).", DefaultValueFactory = _ => "topiary" };
    private readonly Option<int> _latencyBatch = new("--latency-batch") { Description = "Batch size of the latency measurement.", DefaultValueFactory = _ => 1 };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        _structure.AcceptOnlyFromAmong("none", "channel");
        _on.AcceptOnlyFromAmong("topiary", "ort");
        foreach (var o in new Option[] { _structure, _export, _latency, _on, _latencyBatch })
            command.Options.Add(o);
    }

    /// <summary>True when the parse asks for channel pruning.</summary>
    public bool Requested(ParseResult parse) => parse.GetValue(_structure) == "channel";

    /// <summary>True when the parse asks for a latency budget instead of a MACs or channel target.</summary>
    public bool LatencyBudget(ParseResult parse) => parse.GetValue(_latency) is not null;

    /// <summary>The options of a channel-pruning run: the method's settings under <paramref name="schedule"/>, with this
    /// command's latency budget (its steps: up to 50 rounds unless --rounds is given; one round unless --rounds or a
    /// non-one-shot --schedule is given otherwise).</summary>
    public ChannelPruningOptions Options(ParseResult parse, ChannelSettings settings, PruningSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(parse);
        bool roundsGiven = parse.Tokens.Any(t => t.Value == "--rounds");
        var options = new ChannelMethod(settings).Options(schedule with { Rounds = roundsGiven ? schedule.Rounds : 1, Kind = roundsGiven ? schedule.Kind : ScheduleKind.OneShot });
        return parse.GetValue(_latency) is { } budget
            ? options with { LatencyBudgetUs = budget, Rounds = roundsGiven ? options.Rounds : 50 }
            : options;
    }

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
        var shape = CommonOptions.InputShape(loaded, modelFile);
        bool needsData = options.EpochsPerRound > 0 || options.FinalEpochs > 0 || options.Criterion == ChannelCriterion.Taylor;
        ChannelPruningData? data = null;
        string dataset = CommonOptions.DatasetOf(loaded, recipe?.Dataset);
        if (needsData)
            data = new ChannelPruningData(recipe?.Train ?? ModelZoo.RetrainingRecipe(loaded.Name),
                CommonOptions.Data(loaded, dataset, ct, DatasetSplit.Train), CommonOptions.Data(loaded, dataset, ct));
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
            OnnxCommands.Export(result.Model, loaded, modelFile, exportPath, shape);
            AnsiConsole.MarkupLine($"exported [bold]{Markup.Escape(exportPath)}[/]");
        }
        JsonReport.Write(jsonPath, new Reports.ChannelPruneReport(loaded.Name, needsData ? dataset : null, "channel", options.Criterion.ToString().ToLowerInvariant(),
            options.Target, result, outPath, exportPath));
        return 0;
    }

    private static void Render(string name, ChannelPruningResult r)
    {
        CliOutput.Table($"{name}: channels per layer", ["layer", "kind", "before", "after"],
            r.Layers.Where(l => l.Before != l.After).Select(l => new[] { Markup.Escape(l.Layer), l.Kind, $"{l.Before}", $"{l.After}" }));
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
