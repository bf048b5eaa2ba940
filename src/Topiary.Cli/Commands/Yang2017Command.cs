// `topiary reproduce yang2017 --model lenet-5|convnet`: Yang et al. 2017 energy-aware pruning versus
// magnitude pruning at matched accuracy, with Eyeriss energy estimates.
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Rendering;
using Topiary.Experiments;
using Topiary.Models;
using Topiary.Pruning.EnergyAware;

namespace Topiary.Cli.Commands;

/// <summary>The <c>reproduce yang2017</c> command.</summary>
public static class Yang2017Command
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "lenet-5 (MNIST) or convnet (Fashion-MNIST).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of training, sampling and pruning.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out") { Description = "Work directory for checkpoints and the report (default: runs/yang2017-<model>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoints in the work directory." };
        var epochs = new Option<int?>("--reference-epochs") { Description = "Reference training epochs (default: the model's recipe)." };
        var tolerance = new Option<double>("--tolerance") { Description = "Energy-aware validation-accuracy drop allowed (from the original), in points.", DefaultValueFactory = _ => 0.5 };
        var fineTune = new Option<int>("--fine-tune-epochs") { Description = "Energy-aware global fine-tuning epochs after each pass (6 passes × 2 = the magnitude search's ~12 retraining epochs).", DefaultValueFactory = _ => 2 };
        var perLayer = new Option<bool>("--per-layer-tolerance") { Description = "Measure the energy-aware drop from each layer's starting accuracy (drops add up)." };
        var passes = new Option<int>("--passes") { Description = "Energy-aware passes (all layers in energy order, then fine-tune).", DefaultValueFactory = _ => 6 };
        var magStep = new Option<double>("--magnitude-min-step") { Description = "Magnitude search ends when its halved step (fraction of remaining weights) falls below this.", DefaultValueFactory = _ => 0.2 };
        var magEpochs = new Option<int>("--magnitude-epochs") { Description = "Retraining epochs per magnitude-search trial.", DefaultValueFactory = _ => 1 };
        var trainLimit = new Option<int?>("--train-limit") { Description = "Train on the first N training images only (default: all but the validation images)." };
        var quick = new Option<bool>("--quick") { Description = "A smoke run: 1 reference epoch on 5k images, small samples, coarse steps." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var cmd = new Command("yang2017", "Yang et al. 2017: energy-aware pruning vs magnitude pruning at matched accuracy (Eyeriss energy).")
        {
            model, seed, outDir, resume, epochs, tolerance, perLayer, fineTune, passes, magEpochs, magStep, trainLimit, quick, json, threads,
        };
        cmd.SetAction((parse, ct) => CliApp.Guard(_ =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var options = Options(parse.GetValue(model)!, parse.GetValue(outDir), parse.GetValue(quick), parse.GetValue(resume), parse.GetValue(seed),
                parse.GetValue(epochs), parse.GetValue(tolerance), parse.GetValue(fineTune), parse.GetValue(perLayer), parse.GetValue(passes),
                parse.GetValue(magEpochs), parse.GetValue(magStep), parse.GetValue(trainLimit));
            Execute(options, parse.GetValue(json), ct);
            return Task.FromResult(0);
        }, ct));
        return cmd;
    }

    /// <summary>The experiment's options as the command builds them (<paramref name="quick"/>: 1 reference epoch on 5k images, small
    /// samples, coarse steps, 1 pass); <paramref name="tolerancePoints"/> in points; <paramref name="workDirectory"/> null =
    /// runs/yang2017-&lt;model&gt;[-quick].</summary>
    /// <exception cref="ArgumentException">An unsupported model.</exception>
    public static Yang2017Options Options(string model, string? workDirectory, bool quick, bool resume, int seed = 1, int? referenceEpochs = null,
        double tolerancePoints = 0.5, int fineTuneEpochs = 2, bool perLayerTolerance = false, int passes = 6, int magnitudeEpochs = 1,
        double magnitudeMinStep = 0.2, int? trainLimit = null)
    {
        string name = ModelZoo.Get(model).Name;
        Yang2017.DatasetOf(name); // reject unsupported models before any work
        return new Yang2017Options
        {
            Model = name,
            Seed = seed,
            WorkDirectory = workDirectory ?? Path.Combine("runs", $"yang2017-{name}{(quick ? "-quick" : "")}"),
            Resume = resume,
            ReferenceEpochs = quick ? 1 : referenceEpochs,
            Tolerance = tolerancePoints / 100,
            FineTuneEpochs = quick ? 1 : fineTuneEpochs,
            MagnitudeEpochs = magnitudeEpochs,
            Passes = quick ? 1 : passes,
            PerLayerTolerance = perLayerTolerance,
            TrainLimit = quick ? 5000 : trainLimit,
            ValidationImages = quick ? 1000 : 5000,
            TestLimit = quick ? 2000 : null,
            Sampler = quick ? new SamplerOptions(Images: 300) : new SamplerOptions(),
            EnergyAwareMinStep = quick ? 0.25 : 0.1,
            MagnitudeMinStep = quick ? 0.25 : magnitudeMinStep,
        };
    }

    /// <summary>Runs the experiment with progress bars, prints its tables, writes report.json into the work directory (and the
    /// report to <paramref name="json"/> when given); returns the report.</summary>
    public static Yang2017Report Execute(Yang2017Options options, string? json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var messages = CliOutput.Messages();
        var report = TrainingProgressRenderer.Run($"yang2017 {options.Model}", p => Yang2017.Run(options, p, messages, cancellationToken));
        Print(report);
        JsonReport.WriteRun(options.WorkDirectory, json, report);
        return report;
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static void Print(Yang2017Report r)
    {
        var table = new Table().Title($"Yang et al. 2017 on {r.Model} / {r.Dataset} (seed {r.Seed}; Eyeriss, 16-bit, energy in MAC units)")
            .AddColumns("network", "test error", "non-zero weights", "MACs", "non-skipped MACs", "energy", "normalised", "reduction");
        foreach (var row in r.Rows)
        {
            table.AddRow(row.Name, CliOutput.Pct(row.TestError), $"{row.NonzeroWeights:N0} / {row.Weights:N0}", $"{row.Macs:N0}",
                $"{row.NonSkippedMacs:N0}", $"{row.Energy:N0}", F(row.NormalizedEnergy, "F3"), $"{F(row.EnergyReduction, "F2")}x");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"energy order: {Markup.Escape(string.Join(" > ", r.EnergyOrder))}");
        AnsiConsole.MarkupLine($"magnitude vs energy-aware: error gap {F(r.ErrorGap * 100, "+0.00;-0.00")} points (target ≤ {CliOutput.Pct(r.TargetError)}), " +
            $"energy-aware uses [bold]{F(r.EnergyAwareVsMagnitude, "F2")}x[/] less energy");

        var layers = new Table().Title("per layer: weight density / input density / energy").AddColumns("layer", "original", "magnitude", "energy-aware");
        foreach (var name in r.Layers.Select(l => l.Layer).Distinct())
        {
            string Cell(string net)
            {
                var l = r.Layers.First(x => x.Network == net && x.Layer == name);
                return $"{CliOutput.Pct(l.WeightDensity)} / {CliOutput.Pct(l.InputDensity)} / {l.Energy:N0}";
            }
            layers.AddRow(Markup.Escape(name), Cell("original"), Cell("magnitude"), Cell("energy-aware"));
        }
        AnsiConsole.Write(layers);

        var steps = new Table().Title("energy-aware steps").AddColumns("layer", "density", "output error: magnitude → restored → refit", "validation acc.", "");
        foreach (var l in r.EnergyAware)
            foreach (var s in l.Steps)
                steps.AddRow($"{Markup.Escape(l.Name)} (pass {l.Pass})", CliOutput.Pct(s.Density), $"{F(s.ErrorMagnitude, "G3")} → {F(s.ErrorRestored, "G3")} → {F(s.ErrorRefit, "G3")}",
                    CliOutput.Pct(s.ValidationAccuracy), s.Accepted ? "kept" : "undone");
        AnsiConsole.Write(steps);
        AnsiConsole.MarkupLine($"magnitude search: {string.Join(", ", r.MagnitudeTrials.Select(t => $"{CliOutput.Pct(t.Density)} → {CliOutput.Pct(t.TestError)}{(t.Accepted ? "" : " (undone)")}"))}");
        if (r.AlexnetTable1 is { } t1)
        {
            var cal = new Table().Title("energy model calibration: AlexNet, Yang et al. 2017 Table 1 (paper / ours; batch 8, ImageNet activation densities)")
                .AddColumns("network", "non-zero weights", "non-skipped MACs", "energy", "energy vs original");
            foreach (var row in t1)
                cal.AddRow(Markup.Escape(row.Name), $"{row.PaperNonzeroWeights:0.00e0} / {row.NonzeroWeights:0.00e0}",
                    $"{row.PaperNonSkippedMacs:0.00e0} / {row.NonSkippedMacs:0.00e0}", $"{row.PaperEnergy:0.00e0} / {row.Energy:0.00e0}",
                    $"{CliOutput.Pct(row.PaperEnergy / t1[0].PaperEnergy)} / {CliOutput.Pct(row.Energy / t1[0].Energy)}");
            AnsiConsole.Write(cal);
        }
        AnsiConsole.MarkupLine($"time: reference {F(r.ReferenceSeconds, "F0")} s, energy-aware {F(r.EnergyAwareSeconds, "F0")} s, magnitude {F(r.MagnitudeSeconds, "F0")} s, total {F(r.TotalSeconds, "F0")} s");
    }
}
