// `topiary reproduce han2015 --model lenet-300-100|lenet-5`: Han et al. 2015 end to end — the registration (options,
// run, outputs: Han2015Outputs' figures) and its report view: reference vs pruned beside the paper, kept fraction per
// layer, the rounds and dead-neuron removal.
using System.Globalization;
using Spectre.Console;
using Topiary.Experiments;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce han2015</c> target.</summary>
public static class Han2015Target
{
    /// <summary>The registration.</summary>
    public static ReproduceTarget<Han2015Options, Han2015Report> Target { get; } = new("han2015",
        "Han et al. 2015: iterative magnitude pruning with retraining.",
        "A smoke run: 2 reference epochs on 10k images, 2 rounds of 1 epoch.",
        (model, resume) => new Han2015Options { Model = model, WorkDirectory = "", Resume = resume },
        Han2015.Run, Print, ReproduceAllIndex.Han2015)
    {
        Models = ["lenet-300-100", "lenet-5"],
        Outputs = (dir, report) => Han2015Outputs.Write(dir, report).Select(Path.GetFileName).OfType<string>(),
    };

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
