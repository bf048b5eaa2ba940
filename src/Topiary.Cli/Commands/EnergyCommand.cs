// `topiary energy --model NAME|FILE`: per-layer energy of a network on an Eyeriss-like accelerator (Yang et al.
// 2017 row-stationary model) or the 45 nm CPU-like profile — computation, DRAM, buffer, array and RF energy per
// layer, totals, an optional stacked bar chart and JSON. Densities:
//   shape/zoo name: weights dense (default), han2015 (published per-layer kept fractions) or a JSON map
//                   {"layer": density} (layers not listed are dense); inputs published (ImageNet-measured, where a
//                   table exists: alexnet) else assumed (1.0 first layer, 0.5 after), or --input-density NUMBER.
//   model FILE:     weights from the real (pruned) weights unless --densities says otherwise; inputs measured on
//                   the first --images test images of the model's dataset (default 1,000 MNIST) unless --input-density
//                   assumed or NUMBER.
// --batch N (eyeriss): images sharing one fetch of the weights (default 16, Yang et al.'s setting; 1 = single-image).
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Topiary.Cli.Reports;
using Topiary.Data;
using Topiary.Hardware.Energy;
using Topiary.Models;
using Topiary.Models.Shapes;
using Topiary.Pruning;
using Topiary.Reporting;

namespace Topiary.Cli.Commands;

/// <summary>The <c>energy</c> command.</summary>
public static class EnergyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var model = new Option<string>("--model")
        {
            Description = $"A shape-zoo model ({string.Join(", ", ShapeZoo.Names)}) or a model file (.safetensors/.tpz).",
            Required = true,
        };
        var densities = new Option<string?>("--densities")
        {
            Description = "Weight densities: dense, han2015, or a JSON file {\"layer\": density} (default: dense; a model file's own weights).",
        };
        var inputDensity = new Option<string?>("--input-density")
        {
            Description = "Input-activation densities: published (ImageNet-measured; shape models that have a table, their default), " +
                "measured (model files only; their default), assumed (1.0 first layer, 0.5 after; default for other shape models), " +
                "or a number in [0, 1] for every layer but the first (whose input is the image, 1.0).",
        };
        var batch = new Option<int?>("--batch")
        {
            Description = $"Eyeriss profile: images sharing one fetch of the weights (default {EyerissConfig.DefaultBatch}, the setting that " +
                "reproduces Yang et al. 2017; 1 = every image fetches every weight).",
        };
        var profile = new Option<string>("--profile") { Description = "Energy model: eyeriss or cpu45nm.", DefaultValueFactory = _ => "eyeriss" };
        var bits = new Option<int>("--bits") { Description = "Data bit width (1..32).", DefaultValueFactory = _ => 16 };
        var images = new Option<int>("--images") { Description = "Test images used to measure activation densities.", DefaultValueFactory = _ => 1000 };
        var plot = new Option<string?>("--plot") { Description = "Write the per-layer stacked energy chart to this PNG." };
        var cmd = new Command("energy", "Estimate per-layer inference energy (Eyeriss-like row-stationary model or 45 nm CPU view).")
        {
            model, densities, inputDensity, batch, profile, bits, images, plot,
        };
        return cmd.Reports((parse, json, ct) =>
        {
            int b = parse.GetValue(bits);
            if (b is < 1 or > 32) throw new ArgumentException($"--bits must be in [1, 32]; got {b}.");
            int? n = parse.GetValue(batch) is int given ? CommonOptions.AtLeast(given, 1, "--batch") : null;
            ILayerEnergyModel energyModel = parse.GetValue(profile)!.ToLowerInvariant() switch
            {
                "eyeriss" => n is int nb ? new EyerissEnergyModel(EyerissConfig.Default with { Batch = nb }, EnergyCosts.Eyeriss) : EyerissEnergyModel.Default,
                "cpu45nm" when n is not null => throw new ArgumentException("--batch applies to --profile eyeriss only (the cpu45nm profile reads every datum from DRAM once per image)."),
                "cpu45nm" => Cpu45nmProfile.Default,
                var p => throw new ArgumentException($"Unknown --profile '{p}'. Known profiles: eyeriss, cpu45nm."),
            };
            OutputGuard.Check([("--model", File.Exists(parse.GetValue(model)) ? parse.GetValue(model) : null), ("--densities", File.Exists(parse.GetValue(densities)) ? parse.GetValue(densities) : null)],
                [("--plot", parse.GetValue(plot)), ("--json", json)]);
            var input = Resolve(parse.GetValue(model)!, parse.GetValue(densities), parse.GetValue(inputDensity), parse.GetValue(images), ct);
            var result = NetworkEnergy.Estimate(energyModel, input.Shape, input.WeightDensities, input.InputDensities, b);
            Render(result, input, energyModel);
            if (parse.GetValue(plot) is { } png)
            {
                WritePlot(png, result);
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(png)}[/]");
            }
            return Report(result, input, energyModel);
        }, threads: false);
    }

    private sealed record EnergyInput(NetworkShape Shape, double[] WeightDensities, double[] InputDensities, string WeightSource, string InputSource);

    private static EnergyInput Resolve(string model, string? densities, string? inputDensity, int images, CancellationToken ct)
    {
        string inputMode = inputDensity?.ToLowerInvariant() ?? "";
        double? uniform = null;
        if (double.TryParse(inputMode, NumberStyles.Float, CultureInfo.InvariantCulture, out double u))
        {
            if (!(u >= 0 && u <= 1)) throw new ArgumentException($"--input-density {inputDensity} is outside [0, 1].");
            uniform = u;
            inputMode = "uniform";
        }
        else if (inputMode is not ("" or "measured" or "assumed" or "published"))
            throw new ArgumentException($"Unknown --input-density '{inputDensity}'. Expected published, measured, assumed or a number in [0, 1].");
        if (ShapeZoo.Names.Contains(model, StringComparer.OrdinalIgnoreCase) || !File.Exists(model))
        {
            if (!ShapeZoo.Names.Contains(model, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"Unknown model '{model}' (and no such file). Known models: {string.Join(", ", ShapeZoo.Names)}.");
            if (inputMode == "measured")
                throw new ArgumentException($"--input-density measured needs a trained model file; '{model}' is a shape-only model (use published, assumed or a number).");
            var shape = ShapeZoo.ByName(model);
            var (wd, source) = WeightDensities(shape, densities ?? "dense");
            if (inputMode == "published" || (inputMode == "" && PublishedActivationDensities.Has(shape.Name)))
            {
                var (table, tableSource) = PublishedActivationDensities.For(shape.Name);
                return new EnergyInput(shape, wd, shape.Layers.Select(l => table[l.Name]).ToArray(), source, tableSource);
            }
            return uniform is double v ? Uniform(shape, wd, source, v) : Assumed(shape, wd, source);
        }
        if (inputMode == "published")
            throw new ArgumentException($"--input-density published applies to shape-zoo models ({string.Join(", ", PublishedActivationDensities.Models)}); '{model}' is a model file (use measured, assumed or a number).");

        var loaded = ModelFile.Load(model);
        string ds = CommonOptions.DatasetOf(loaded, null);
        int[] exampleShape = ModelZoo.Names.Contains(loaded.Name) ? ModelZoo.Get(loaded.Name).InputShape : [];
        ImageDataset? test = null;
        if (inputMode != "assumed" || exampleShape.Length == 0)
        {
            CommonOptions.AtLeast(images, 1, "--images");
            test = CommonOptions.Data(loaded, ds, ct);
            exampleShape = [test.Channels, test.Height, test.Width];
        }
        var net = NetworkShape.FromModel(loaded.Network, exampleShape, loaded.Name);
        var (weights, weightSource) = densities is null ? (ModelEnergy.WeightDensities(loaded.Network, net), "model weights") : WeightDensities(net, densities);
        if (inputMode == "assumed") return Assumed(net, weights, weightSource);
        if (uniform is double w) return Uniform(net, weights, weightSource, w);
        var slice = test!.Slice(0, Math.Min(images, test.Count));
        var measured = ActivationDensities.Measure(loaded.Network, slice.AsTensor(), cancellationToken: ct);
        return new EnergyInput(net, weights, measured.Select(m => m.Density).ToArray(), weightSource,
            $"measured on {slice.Count} {ds} test images");
    }

    private static EnergyInput Assumed(NetworkShape net, double[] weights, string weightSource) =>
        new(net, weights, ActivationDensities.Assumed(net), weightSource, "assumed (first layer 1.0, after ReLU 0.5)");

    private static EnergyInput Uniform(NetworkShape net, double[] weights, string weightSource, double density) =>
        new(net, weights, net.Layers.Select((_, i) => i == 0 ? 1.0 : density).ToArray(), weightSource,
            $"given: first layer 1.0 (the image), {density.ToString(CultureInfo.InvariantCulture)} after");

    private static (double[] Densities, string Source) WeightDensities(NetworkShape net, string spec)
    {
        var profile = Topiary.Pruning.LayerDensities.Parse(spec, net.Name);
        if (profile.Uniform is double u)
        {
            var kinds = profile.Kinds!.Select(k => k == Topiary.Nn.LayerKind.Conv ? Models.Shapes.LayerKind.Conv : Models.Shapes.LayerKind.FullyConnected).ToArray();
            return (net.Layers.Select(l => kinds.Contains(l.Kind) ? u : 1.0).ToArray(), $"uniform {spec}");
        }
        if (profile.Kept.Count == 0) return (net.Layers.Select(_ => 1.0).ToArray(), "dense");
        var map = profile.Kept.ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
        return profile.Source == "han2015"
            ? (FromMap(net, map, "han2015", requireAll: true), "han2015 (Han et al. 2015 per-layer kept fractions)")
            : (FromMap(net, map, spec, requireAll: false), "file " + spec);
    }

    private static double[] FromMap(NetworkShape net, IReadOnlyDictionary<string, double> map, string source, bool requireAll)
    {
        // LayerDensities.Parse has checked every value is in [0, 1].
        if (map.Keys.FirstOrDefault(name => !net.Layers.Any(l => l.Name == name)) is { } unknown)
            throw new ArgumentException($"{source}: '{net.Name}' has no layer '{unknown}' (layers: {string.Join(", ", net.Layers.Select(l => l.Name))}).");
        return net.Layers.Select(l => map.TryGetValue(l.Name, out var d) ? d
            : requireAll ? throw new ArgumentException($"{source}: no density for layer '{l.Name}' of '{net.Name}'.") : 1.0).ToArray();
    }

    private static int? Batch(ILayerEnergyModel model) => (model as EyerissEnergyModel)?.Config.Batch;

    private static string[] Assumptions(ILayerEnergyModel model, EnergyInput input)
    {
        var list = new List<string>
        {
            $"weight densities: {input.WeightSource}",
            $"input-activation densities: {input.InputSource}",
            "non-skipped MACs = MACs x weight density x input density (zeros independent); weight layers only (pool, LRN, ReLU not charged)",
        };
        if (model is EyerissEnergyModel e)
        {
            list.Add($"batch {e.Config.Batch}: weight traffic above the RF (DRAM, buffer, array) is shared by the batch; inputs, psums and RF per image" +
                (e.Config.Batch == EyerissConfig.DefaultBatch ? " (default: reproduces Yang et al. 2017 Table 1)" : ""));
            list.Add($"row-stationary mapping on {e.Config.PeRows}x{e.Config.PeColumns} PEs, {e.Config.RfBytesPerPe} B RF/PE, {e.Config.BufferBytes} B buffer; " +
                $"zeros not fetched from DRAM ({e.Config.IndexBits}-bit index per non-zero); costs DRAM/buffer/array/RF/MAC = " +
                $"{e.Costs.Dram}/{e.Costs.Buffer}/{e.Costs.Array}/{e.Costs.Rf}/{e.Costs.Mac} at {e.Costs.ReferenceBits} bits, linear in bit width");
        }
        else list.Add("45 nm CPU view: every datum crosses DRAM once per image, every operand comes from SRAM");
        return list.ToArray();
    }

    private static void Render(NetworkEnergy r, EnergyInput input, ILayerEnergyModel model)
    {
        string batch = Batch(model) is int n ? $", batch {n}" : "";
        var t = r.Total;
        CliOutput.Table($"{r.Network}: energy per inference ({r.Profile}{batch}, {r.Bits}-bit, {r.Unit})",
            ["layer", "weights", "w dens.", "in dens.", "MACs", "non-skipped", "compute", "DRAM", "buffer", "array", "RF", "total", "share"],
        [
            .. r.Layers.Select(l => new[]
            {
                Markup.Escape(l.Layer.Name), $"{l.Layer.Weights:N0}", CliOutput.Pct(l.WeightDensity), CliOutput.Pct(l.InputDensity),
                $"{l.Macs:N0}", $"{l.NonSkippedMacs:N0}", E(l.Energy.Computation), E(l.Energy.Dram), E(l.Energy.Buffer),
                E(l.Energy.Array), E(l.Energy.Rf), E(l.Energy.Total), CliOutput.Pct(t.Total > 0 ? l.Energy.Total / t.Total : 0),
            }),
            ["[bold]total[/]", $"{r.Layers.Sum(l => l.Layer.Weights):N0}", "", "", $"{r.Macs:N0}", $"{r.NonSkippedMacs:N0}",
                E(t.Computation), E(t.Dram), E(t.Buffer), E(t.Array), E(t.Rf), $"[bold]{E(t.Total)}[/]", "100.00%"],
        ]);
        foreach (string a in Assumptions(model, input)) AnsiConsole.MarkupLine($"[grey]- {Markup.Escape(a)}[/]");
    }

    /// <summary>An energy value in engineering-style scientific notation (e.g. 1.234e+6).</summary>
    public static string E(double v) => v.ToString("0.###e+0", CultureInfo.InvariantCulture);

    /// <summary>The stacked series of an energy chart: one per level (computation, DRAM, buffer, array, RF), one value per column.</summary>
    public static BarSeries[] Levels(IReadOnlyList<EnergyBreakdown> columns)
    {
        BarSeries Part(string name, Func<EnergyBreakdown, double> pick) => new(name, columns.Select(pick).ToArray());
        return [Part("computation", e => e.Computation), Part("DRAM", e => e.Dram), Part("buffer", e => e.Buffer), Part("array", e => e.Array), Part("RF", e => e.Rf)];
    }

    private static void WritePlot(string png, NetworkEnergy r)
    {
        string[] names = r.Layers.Select(l => l.Layer.Name).ToArray();
        StackedBarPlot.Write(png, $"{r.Network}: energy per layer ({r.Profile}, {r.Bits}-bit)", names, Levels(r.Layers.Select(l => l.Energy).ToArray()),
            $"energy ({r.Unit})", width: Math.Clamp(240 + 22 * names.Length, 800, 4000));
    }

    private static EnergyReport Report(NetworkEnergy r, EnergyInput input, ILayerEnergyModel model) =>
        EnergyReport.Of(r, Batch(model), input.WeightSource, input.InputSource, Assumptions(model, input));
}
