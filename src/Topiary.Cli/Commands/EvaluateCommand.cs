// `topiary evaluate`: load a model file and measure its test error. A .tpz container runs from its codes: its
// weight-shared layers stay codes + codebooks in an inference plan (CodebookWeight) instead of decoded float weights.
using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Topiary.Cli.Reports;
using Topiary.Compression.Container;
using Topiary.Models;
using Topiary.Runtime;
using Topiary.Training;

namespace Topiary.Cli.Commands;

/// <summary>The <c>evaluate</c> command.</summary>
public static class EvaluateCommand
{
    // Examples per plan run when a container is evaluated from its codes.
    private const int PlanBatch = 100;

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var file = CommonOptions.ModelFileFlag("A model file written by `topiary train`.");
        var dataset = CommonOptions.Dataset();
        var cmd = new Command("evaluate", "Evaluate a saved model on a test set.") { file, dataset };
        return cmd.Reports((parse, json, ct) =>
        {
            string path = parse.GetValue(file)!;
            OutputGuard.Check([("--model-file", path)], [("--json", json)]);
            bool container = File.Exists(path) && CompressedModel.IsContainer(path);
            var compressed = container ? CompressedModel.LoadWithCodes(path) : null;
            var loaded = compressed?.Model ?? ModelFile.Load(path);
            string ds = CommonOptions.DatasetOf(loaded, parse.GetValue(dataset));
            var test = CommonOptions.Data(loaded, ds, ct);
            var sw = Stopwatch.StartNew();
            var plan = compressed is null ? null
                : InferencePlan.FromCompressed(compressed, [test.Channels, test.Height, test.Width], PlanBatch);
            var r = plan is null ? TrainingRun.Evaluate(loaded.Network, test, ct) : PlanEvaluator.Evaluate(plan, test, ct);
            double seconds = sw.Elapsed.TotalSeconds;
            if (plan is not null)
                AnsiConsole.MarkupLine(Markup.Escape($"ran from the container's codes: {string.Join(", ", plan.Steps.Where(s => s.Format is not null).Select(s => $"{s.Name} {s.Kind}"))}; plan weights {plan.WeightBytes / 1024.0:F1} KB"));
            long nonzero = Pruning.PruningState.NonZeroParameters(loaded.Network);
            CliOutput.Table(null, ["model", "dataset", "images", "test error", "loss", "params", "non-zero"],
                [[loaded.Name, ds, $"{r.Count}", $"{r.Error * 100:F2}%", $"{r.Loss:F4}", $"{loaded.Network.ParameterCount():N0}", $"{nonzero:N0}"]]);
            return new EvaluateReport(loaded.Name, ds, path, r.Count, r.Error, r.Loss, loaded.Network.ParameterCount(), nonzero, seconds,
                plan is null ? "model" : "codes", plan?.WeightBytes);
        });
    }
}
