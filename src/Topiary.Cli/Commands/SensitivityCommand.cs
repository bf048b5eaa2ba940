// `topiary sensitivity --model-file F`: Han et al.'s per-layer sensitivity analysis of a saved model
// — each layer pruned alone to 0..95% (magnitude, no retraining), test accuracy measured; a PNG and JSON.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Reports;
using Topiary.Models;
using Topiary.Pruning;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The <c>sensitivity</c> command.</summary>
public static class SensitivityCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var file = CommonOptions.ModelFileFlag("A model file written by `topiary train`.");
        var dataset = CommonOptions.Dataset();
        var levels = new Option<string?>("--levels") { Description = "Comma-separated sparsities (default 0,0.1,...,0.9,0.95)." };
        var plot = new Option<string?>("--plot") { Description = "Write the accuracy-vs-sparsity plot to this PNG." };
        var cmd = new Command("sensitivity", "Prune each layer alone to increasing sparsity and measure test accuracy.") { file, dataset, levels, plot };
        return cmd.Reports((parse, json, ct) =>
        {
            var lv = ParseLevels(parse.GetValue(levels));
            OutputGuard.Check([("--model-file", parse.GetValue(file))], [("--plot", parse.GetValue(plot)), ("--json", json)]);
            var loaded = ModelFile.Load(parse.GetValue(file)!);
            string ds = CommonOptions.DatasetOf(loaded, parse.GetValue(dataset));
            var test = CommonOptions.Data(loaded, ds, ct); // the pixels the model was trained on (an imported model's input transform)
            var curves = Sensitivity.Run(loaded.Network, test, lv, CliOutput.Messages(), ct);
            CliOutput.Table($"{loaded.Name}: test accuracy with one layer pruned", ["sparsity", .. curves.Select(c => c.Layer)],
                curves[0].Sparsity.Select((s, i) => curves.Select(c => CliOutput.Pct(c.Accuracy[i])).Prepend(CliOutput.Pct(s))));
            if (parse.GetValue(plot) is { } png)
            {
                SensitivityPlot.Write(png, $"{loaded.Name}: pruning sensitivity", curves.Select(c => new SensitivitySeries(c.Layer, c.Sparsity, c.Accuracy)).ToArray());
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(png)}[/]");
            }
            return new SensitivityReport(loaded.Name, ds, curves);
        });
    }

    /// <summary>Parses "0,0.5,0.9" into sparsity levels.</summary>
    /// <exception cref="ArgumentException">Not numbers in [0, 1].</exception>
    public static IReadOnlyList<double>? ParseLevels(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var list = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v >= 0 && v <= 1))
                throw new ArgumentException($"--levels: '{part}' is not a sparsity in [0, 1].");
            list.Add(v);
        }
        return list;
    }
}
